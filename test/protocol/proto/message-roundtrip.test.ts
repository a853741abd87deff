// Message round trips against Baileys' generated module (an independent build
// of the public schema): real-shaped contents encode to the same bytes, and
// each side decodes the other's bytes to the same plain object.
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import {
  proto as baileys,
  decryptPollVote,
  generateWAMessageContent,
  generateWAMessageFromContent,
} from 'baileys';
import { describe, expect, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import { ALICE, BOB, GROUP, MESSAGES, key } from './fixtures.js';
import { bytes, expectSameAsBaileys, expectSameRoundTrip, hex, PLAIN } from './helpers.js';

describe('Message: hand-built real-shaped contents', () => {
  it.each(Object.entries(MESSAGES))('%s', (_name, content) => {
    expectSameRoundTrip(proto.Message, baileys.Message, content);
  });

  it('keeps every fixture non-trivial (fields were not silently dropped by fromObject)', () => {
    for (const [name, content] of Object.entries(MESSAGES)) {
      const plain = proto.Message.toObject(proto.Message.fromObject(content), PLAIN);
      expect(Object.keys(plain).sort(), name).toEqual(Object.keys(content).sort());
    }
  });
});

describe('Message: contents Baileys builds', () => {
  const target = key('3EB0C431C26A1916E07E', { fromMe: true });
  const contents: Record<string, Record<string, unknown>> = {
    text: { text: 'hello' },
    mentions: { text: 'hi @15550002222', mentions: [BOB] },
    poll: { poll: { name: 'Lunch?', values: ['Pizza', 'Sushi', 'Tacos'], selectableCount: 1 } },
    react: { react: { key: target, text: '👍' } },
    delete: { delete: target },
    edit: { text: 'fixed', edit: target },
    location: { location: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin' } },
    contacts: {
      contacts: {
        displayName: '2 contacts',
        contacts: [{ vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD' }, { vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:B\nEND:VCARD' }],
      },
    },
    disappearing: { disappearingMessagesInChat: 86_400 },
    forward: {
      forward: { key: target, message: { conversation: 'forward me' } },
    },
  };

  it.each(Object.entries(contents))('%s', async (_name, content) => {
    const message = await generateWAMessageContent(content as never, {} as never);
    expectSameAsBaileys(proto.Message, baileys.Message, message);
  });

  it('a WebMessageInfo from generateWAMessageFromContent', () => {
    const info = generateWAMessageFromContent(GROUP, { extendedTextMessage: { text: 'hi all' } }, {
      userJid: ALICE,
      timestamp: new Date(1_700_000_000_000),
      quoted: { key: key('3EB0AAAA', { remoteJid: GROUP, participant: BOB }), message: { conversation: 'q' } },
    } as never);
    expectSameAsBaileys(proto.WebMessageInfo, baileys.WebMessageInfo, info);
  });
});

describe('poll vote encryption interop', () => {
  // WhatsApp's poll vote scheme, built here on node:crypto with OUR encoder;
  // Baileys' decryptPollVote (its own decoder) must recover the choice.
  it('Baileys decrypts a vote whose PollVoteMessage and PollUpdateMessage we encoded', () => {
    const pollMsgId = '3EB0POLL000000000001';
    const pollCreatorJid = ALICE;
    const voterJid = BOB;
    const pollEncKey = bytes(32, 'poll/secret');
    const chosen = createHash('sha256').update('Sushi').digest();
    const vote = proto.Message.PollVoteMessage.encode({ selectedOptions: [chosen] }).finish();

    const sign = Buffer.concat([Buffer.from(pollMsgId), Buffer.from(pollCreatorJid), Buffer.from(voterJid), Buffer.from('Poll Vote'), Buffer.from([1])]);
    const key0 = createHmac('sha256', new Uint8Array(32)).update(pollEncKey).digest();
    const encKey = createHmac('sha256', key0).update(sign).digest();
    const iv = bytes(12, 'vote/iv');
    const cipher = createCipheriv('aes-256-gcm', encKey, iv);
    cipher.setAAD(Buffer.from(`${pollMsgId}\u0000${voterJid}`));
    const encPayload = Buffer.concat([cipher.update(vote), cipher.final(), cipher.getAuthTag()]);

    const update = proto.Message.encode({
      pollUpdateMessage: {
        pollCreationMessageKey: { remoteJid: GROUP, fromMe: false, id: pollMsgId, participant: pollCreatorJid },
        vote: { encPayload, encIv: iv },
        senderTimestampMs: 1_700_000_000_123,
      },
    }).finish();

    const received = baileys.Message.decode(update).pollUpdateMessage!;
    const decrypted = decryptPollVote(received.vote!, { pollCreatorJid, pollMsgId, pollEncKey, voterJid });
    expect(decrypted.selectedOptions.map((o) => hex(o))).toEqual([hex(chosen)]);
  });
});

describe('unknown fields', () => {
  // Documents the limit stated in proto/message.proto: kinds we do not declare
  // (here a buttons message) are dropped by our decoder, so forwarding must
  // keep the original bytes.
  it('are dropped when our decoder re-encodes a Message', () => {
    const withButtons = baileys.Message.encode({
      conversation: 'pick one',
      buttonsMessage: { contentText: 'pick one', buttons: [{ buttonId: 'a', buttonText: { displayText: 'A' }, type: 1 }] },
    }).finish();
    const decoded = proto.Message.decode(withButtons);
    expect(decoded.conversation).toBe('pick one');
    const again = proto.Message.encode(decoded).finish();
    expect(again.length).toBeLessThan(withButtons.length);
    expect(baileys.Message.decode(again).buttonsMessage).toBeFalsy();
  });
});
