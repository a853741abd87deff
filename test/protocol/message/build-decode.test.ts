// Message content: what Baileys 7 builds for each kind is decoded by us to
// the right fields, and what we build is what Baileys reads back (its
// getContentType / normalizeMessageContent as the oracle).
import { generateWAMessageContent, getContentType, normalizeMessageContent, proto as bproto } from 'baileys';
import { describe, expect, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import {
  buildMessage,
  decodeContent,
  deviceSentCopy,
  editAttribute,
  mediaType,
  MessageContentError,
  stanzaType,
  type MessageContent,
  withMessageSecret,
} from '../../../src/protocol/message/index.js';

const CHAT = '15550002222@s.whatsapp.net';
const target = { chat: CHAT, id: '3EB0AAAA', fromMe: true };
const secret = new Uint8Array(32).fill(7);

/** Our message through Baileys' protobuf (as Baileys would receive it). */
function viaBaileys(m: proto.IMessage): bproto.IMessage {
  return bproto.Message.decode(proto.Message.encode(m).finish());
}

/** Baileys' message through our protobuf (as we would receive it). */
function fromBaileys(m: bproto.IMessage): proto.Message {
  return proto.Message.decode(bproto.Message.encode(m).finish());
}

async function baileysContent(content: Record<string, unknown>): Promise<bproto.IMessage> {
  return generateWAMessageContent(content as never, { upload: (async () => ({})) as never });
}

describe('what Baileys sends, we decode', () => {
  it('text', async () => {
    expect(decodeContent(fromBaileys(await baileysContent({ text: 'hi' })))).toMatchObject({ type: 'text', content: 'hi' });
  });
  it('text with mentions', async () => {
    const d = decodeContent(fromBaileys(await baileysContent({ text: 'hi @1', mentions: ['1@s.whatsapp.net'] })));
    expect(d).toMatchObject({ type: 'text', content: 'hi @1', mentions: ['1@s.whatsapp.net'] });
  });
  it('location', async () => {
    const d = decodeContent(fromBaileys(await baileysContent({ location: { degreesLatitude: 1.5, degreesLongitude: -2.25, name: 'here' } })));
    expect(d).toMatchObject({ type: 'location', location: { latitude: 1.5, longitude: -2.25, name: 'here' } });
  });
  it('contact and contacts', async () => {
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD';
    const one = decodeContent(fromBaileys(await baileysContent({ contacts: { contacts: [{ displayName: 'A', vcard }] } })));
    expect(one).toMatchObject({ type: 'contact', contacts: [{ displayName: 'A', vcard }] });
    const two = decodeContent(fromBaileys(await baileysContent({ contacts: { displayName: 'two', contacts: [{ displayName: 'A', vcard }, { displayName: 'B', vcard }] } })));
    expect(two).toMatchObject({ type: 'contacts', content: 'two' });
    expect(two.contacts).toHaveLength(2);
  });
  it('poll (single and multi choice) with its secret', async () => {
    for (const selectableCount of [1, 0]) {
      const m = await baileysContent({ poll: { name: 'lunch?', values: ['a', 'b', 'c'], selectableCount, messageSecret: secret } });
      const d = decodeContent(fromBaileys(m));
      expect(d).toMatchObject({ type: 'poll', poll: { name: 'lunch?', options: ['a', 'b', 'c'], selectableCount, secret: Buffer.from(secret).toString('base64') } });
    }
  });
  it('reaction, and its removal', async () => {
    const key = { remoteJid: CHAT, fromMe: false, id: 'X1' };
    expect(decodeContent(fromBaileys(await baileysContent({ react: { key, text: '👍' } })))).toMatchObject({ type: 'reaction', reaction: { target: { id: 'X1', chat: CHAT, fromMe: false }, emoji: '👍' } });
    expect(decodeContent(fromBaileys(await baileysContent({ react: { key, text: '' } })))).toMatchObject({ type: 'reaction', reaction: { emoji: '' } });
  });
  it('edit and revoke', async () => {
    const key = { remoteJid: CHAT, fromMe: true, id: 'X2' };
    expect(decodeContent(fromBaileys(await baileysContent({ text: 'new text', edit: key })))).toMatchObject({ type: 'edit', content: 'new text', edit: { target: { id: 'X2' }, content: 'new text' } });
    expect(decodeContent(fromBaileys(await baileysContent({ delete: key })))).toMatchObject({ type: 'revoke', revoke: { target: { id: 'X2', fromMe: true } } });
  });
  it('disappearing setting', async () => {
    expect(decodeContent(fromBaileys(await baileysContent({ disappearingMessagesInChat: 86400 })))).toMatchObject({ type: 'disappearing', disappearing: { expiration: 86400 } });
  });
  it('wrappers: ephemeral, view once, edited (seed form), device sent', () => {
    const inner = { extendedTextMessage: { text: 'x', contextInfo: { expiration: 604800 } } };
    expect(decodeContent({ ephemeralMessage: { message: inner } })).toMatchObject({ type: 'text', content: 'x', expiration: 604800, wrappers: ['ephemeralMessage'] });
    expect(decodeContent({ viewOnceMessageV2: { message: { imageMessage: { caption: 'c', mimetype: 'image/jpeg', mediaKey: Uint8Array.of(1) } } } })).toMatchObject({
      type: 'image',
      content: 'c',
      viewOnce: true,
      media: { mimetype: 'image/jpeg', mediaKey: 'AQ==' },
    });
    const edited = { editedMessage: { message: { protocolMessage: { key: target, type: 14, editedMessage: { conversation: 'y' } } } } };
    expect(decodeContent(edited)).toMatchObject({ type: 'edit', content: 'y' });
  });
  it('unknown kinds come out raw, never dropped', () => {
    const m = { pollResultSnapshotMessage: { name: 'party' } };
    const d = decodeContent(m);
    expect(d.type).toBe('unknown');
    expect(proto.Message.decode(Buffer.from(d.raw!, 'base64')).pollResultSnapshotMessage?.name).toBe('party');
    const p = decodeContent({ protocolMessage: { type: 5 } });
    expect(p.type).toBe('protocol');
    expect(p.raw).toBeDefined();
  });
  it('a sender key alone is a sender-key message', () => {
    expect(decodeContent({ senderKeyDistributionMessage: { groupId: 'g@g.us', axolotlSenderKeyDistributionMessage: Uint8Array.of(1) } })).toMatchObject({ type: 'sender-key', senderKey: { groupId: 'g@g.us' } });
  });
});

describe('what we send, Baileys reads', () => {
  const quote = { id: 'Q1', participant: CHAT, message: { extendedTextMessage: { text: 'orig', contextInfo: { stanzaId: 'older', mentionedJid: ['9@s.whatsapp.net'] } } } };
  const cases: Array<[string, MessageContent, string]> = [
    ['plain text', { type: 'text', text: 'hello' }, 'conversation'],
    ['reply with mentions', { type: 'text', text: 'answer', quote, mentions: ['1@s.whatsapp.net'] }, 'extendedTextMessage'],
    ['link preview', { type: 'text', text: 'see https://x.y', linkPreview: { matchedText: 'https://x.y', title: 'X', description: 'Y' } }, 'extendedTextMessage'],
    ['location', { type: 'location', latitude: 3, longitude: 4, name: 'n', address: 'a' }, 'locationMessage'],
    ['contact', { type: 'contact', displayName: 'A', vcard: 'v' }, 'contactMessage'],
    ['contacts', { type: 'contacts', contacts: [{ displayName: 'A', vcard: 'v' }, { displayName: 'B', vcard: 'w' }] }, 'contactsArrayMessage'],
    ['poll', { type: 'poll', name: 'p', options: ['x', 'y'], messageSecret: secret }, 'pollCreationMessage'],
    ['single-choice poll', { type: 'poll', name: 'p', options: ['x', 'y'], selectableCount: 1, messageSecret: secret }, 'pollCreationMessageV3'],
    ['reaction', { type: 'reaction', target, emoji: '❤️', senderTimestampMs: 5 }, 'reactionMessage'],
    ['edit', { type: 'edit', target, text: 'fixed', timestampMs: 6 }, 'protocolMessage'],
    ['revoke', { type: 'revoke', target }, 'protocolMessage'],
    ['disappearing', { type: 'disappearing', expiration: 604800 }, 'protocolMessage'],
  ];
  it.each(cases)('%s', (_name, content, expected) => {
    const ours = buildMessage(content);
    const theirs = viaBaileys(ours);
    expect(getContentType(normalizeMessageContent(theirs))).toBe(expected);
    // Our decoder reads back what we built.
    const back = decodeContent(proto.Message.decode(proto.Message.encode(ours).finish()));
    if (content.type === 'text') expect(back.content).toBe(content.text);
  });

  it('a reply quotes without the quoted message’s own quote and mentions', () => {
    const m = viaBaileys(buildMessage({ type: 'text', text: 'answer', quote }));
    const ctx = m.extendedTextMessage!.contextInfo!;
    expect(ctx.stanzaId).toBe('Q1');
    expect(ctx.participant).toBe(CHAT);
    expect(ctx.quotedMessage?.extendedTextMessage?.text).toBe('orig');
    expect(ctx.quotedMessage?.extendedTextMessage?.contextInfo).toBeFalsy();
  });

  it('a link preview with both thumbnails: Baileys reads the high-quality one’s fields, we decode them back', () => {
    const jpeg = Uint8Array.of(0xff, 0xd8, 1, 2);
    const thumbnail = { directPath: '/v/t62/x.enc', sha256: new Uint8Array(32).fill(1), encSha256: new Uint8Array(32).fill(2), mediaKey: new Uint8Array(32).fill(3), mediaKeyTimestamp: 1_700_000_000, width: 720, height: 360 };
    const ours = buildMessage({ type: 'text', text: 'see https://x.y', linkPreview: { matchedText: 'https://x.y', title: 'X', jpegThumbnail: jpeg, thumbnail } });
    const ext = viaBaileys(ours).extendedTextMessage!;
    expect(ext).toMatchObject({ matchedText: 'https://x.y', title: 'X', thumbnailDirectPath: '/v/t62/x.enc', thumbnailWidth: 720, thumbnailHeight: 360 });
    expect(Buffer.from(ext.mediaKey!)).toEqual(Buffer.from(thumbnail.mediaKey));
    expect(Buffer.from(ext.thumbnailEncSha256!)).toEqual(Buffer.from(thumbnail.encSha256));
    expect(decodeContent(proto.Message.decode(proto.Message.encode(ours).finish())).linkPreview).toEqual({
      matchedText: 'https://x.y',
      title: 'X',
      jpegThumbnail: Buffer.from(jpeg).toString('base64'),
      thumbnail: {
        directPath: '/v/t62/x.enc',
        mediaKey: Buffer.from(thumbnail.mediaKey).toString('base64'),
        fileSha256: Buffer.from(thumbnail.sha256).toString('base64'),
        fileEncSha256: Buffer.from(thumbnail.encSha256).toString('base64'),
        width: 720,
        height: 360,
        mediaKeyTimestamp: 1_700_000_000,
      },
    });
  });

  it('the poll secret rides in messageContextInfo', () => {
    expect(Buffer.from(viaBaileys(buildMessage({ type: 'poll', name: 'p', options: ['x', 'y'], messageSecret: secret })).messageContextInfo!.messageSecret!)).toEqual(Buffer.from(secret));
  });

  it('expiration goes on the content; view once wraps', () => {
    const m = viaBaileys(buildMessage({ type: 'text', text: 't' }, { expiration: 86400 }));
    expect(m.extendedTextMessage?.contextInfo?.expiration).toBe(86400);
    const loc = viaBaileys(buildMessage({ type: 'location', latitude: 1, longitude: 2 }, { expiration: 60 }));
    expect(loc.locationMessage?.contextInfo?.expiration).toBe(60);
    const r = viaBaileys(buildMessage({ type: 'reaction', target, emoji: 'x', senderTimestampMs: 1 }, { expiration: 60 }));
    expect(JSON.stringify(r)).not.toContain('expiration');
    const vo = viaBaileys(buildMessage({ type: 'message', message: { imageMessage: { mimetype: 'image/png' } } }, { viewOnce: true }));
    expect(vo.viewOnceMessage?.message?.imageMessage?.mimetype).toBe('image/png');
    expect(decodeContent(fromBaileys(vo)).viewOnce).toBe(true);
  });

  it('bad polls and empty contact lists are refused', () => {
    expect(() => buildMessage({ type: 'poll', name: 'p', options: ['x'], messageSecret: secret })).toThrow(MessageContentError);
    expect(() => buildMessage({ type: 'poll', name: 'p', options: ['x', 'x'], messageSecret: secret })).toThrow(MessageContentError);
    expect(() => buildMessage({ type: 'poll', name: 'p', options: ['x', 'y'], selectableCount: 3, messageSecret: secret })).toThrow(MessageContentError);
    expect(() => buildMessage({ type: 'poll', name: 'p', options: ['x', 'y'], messageSecret: new Uint8Array(3) })).toThrow(MessageContentError);
    expect(() => buildMessage({ type: 'contacts', contacts: [] })).toThrow(MessageContentError);
  });

  it('own-device copies wrap the message and keep its context info', () => {
    const poll = buildMessage({ type: 'poll', name: 'p', options: ['x', 'y'], messageSecret: secret });
    const copy = viaBaileys(deviceSentCopy(CHAT, poll));
    expect(copy.deviceSentMessage?.destinationJid).toBe(CHAT);
    expect(copy.messageContextInfo?.messageSecret).toBeTruthy();
    expect(decodeContent(fromBaileys(copy))).toMatchObject({ type: 'poll' });
  });
});

describe('stanza attributes implied by a message', () => {
  it('type, mediatype and edit as WhatsApp Web sets them', () => {
    expect(stanzaType({ conversation: 'x' })).toBe('text');
    expect(stanzaType({ reactionMessage: {} })).toBe('reaction');
    expect(stanzaType({ pollCreationMessageV3: {} })).toBe('poll');
    expect(stanzaType({ imageMessage: {} })).toBe('media');
    expect(stanzaType({ contactMessage: {} })).toBe('media');
    expect(mediaType({ audioMessage: { ptt: true } })).toBe('ptt');
    expect(mediaType({ locationMessage: {} })).toBeUndefined();
    expect(editAttribute(buildMessage({ type: 'revoke', target }), true)).toBe('7');
    expect(editAttribute(buildMessage({ type: 'revoke', target }), false)).toBe('8');
    expect(editAttribute(buildMessage({ type: 'edit', target, text: 'x', timestampMs: 1 }), true)).toBe('1');
    expect(editAttribute({ conversation: 'x' }, true)).toBeUndefined();
  });
});

describe('messageSecret on what we author', () => {
  const fresh = new Uint8Array(32).fill(9);
  it('is added beside the content (text stays conversation), and Baileys decodes it', () => {
    const m = withMessageSecret(buildMessage({ type: 'text', text: 'hi' }), fresh);
    expect(m.conversation).toBe('hi');
    const back = bproto.Message.decode(proto.Message.encode(m).finish());
    expect(back.conversation).toBe('hi');
    expect(Buffer.from(back.messageContextInfo!.messageSecret!)).toEqual(Buffer.from(fresh));
    expect(getContentType(back)).toBe('conversation');
  });
  it('keeps a secret that is already there (a poll, a stored message sent again)', () => {
    const poll = buildMessage({ type: 'poll', name: 'p', options: ['a', 'b'], messageSecret: secret });
    expect(withMessageSecret(poll, fresh).messageContextInfo!.messageSecret).toEqual(secret);
  });
  it('is left off what modifies another message (reaction, poll vote), as Baileys leaves it off', () => {
    const reaction = buildMessage({ type: 'reaction', target, emoji: '👍', senderTimestampMs: 1 });
    expect(withMessageSecret(reaction, fresh).messageContextInfo).toBeUndefined();
    expect(withMessageSecret({ pollUpdateMessage: { pollCreationMessageKey: { id: 'x' } } }, fresh).messageContextInfo).toBeUndefined();
  });
  it('refuses a secret that is not 32 bytes', () => {
    expect(() => withMessageSecret({ conversation: 'x' }, new Uint8Array(16))).toThrow(MessageContentError);
  });
});
