// One history message, field by field: what the phone's stored copy adds to
// the live shape (status, star, receipts, reactions, decrypted poll votes by
// option name, message secret, disappearing timer), how the sender is found
// (ours, the original self author, the 1:1 chat, the group participant), and
// stubs with and without content; an edit decodes as the live edit does.
import { describe, expect, it } from 'vitest';
import { historyMessage } from '../../../src/protocol/history/index.js';
import { decodeContent, optionHash } from '../../../src/protocol/message/index.js';
import { proto } from '../../../src/protocol/proto/index.js';

const ME = '15559990000@s.whatsapp.net';
const ANN = '15550001111@s.whatsapp.net';
const BOB = '15550002222@s.whatsapp.net';
const LID = '100000000000007@lid';
const GROUP = '120363025246125888@g.us';
const T = 1_700_000_000;
const SECRET = new Uint8Array(32).fill(7);

const read = (info: proto.IWebMessageInfo, chat?: string) => historyMessage(proto.WebMessageInfo.encode(info).finish(), { me: ME, ...(chat ? { chat } : {}) });

describe('history message', () => {
  it('carries what the stored copy knows: status, star, receipts, reactions, votes by option name, secret, timer', () => {
    const m = read(
      {
        key: { remoteJid: GROUP, fromMe: true, id: 'POLL1' },
        messageTimestamp: T,
        status: 4,
        starred: true,
        message: { pollCreationMessageV3: { name: 'Lunch?', options: [{ optionName: 'Sushi' }, { optionName: 'Pizza' }], selectableOptionsCount: 1 }, messageContextInfo: { messageSecret: SECRET } },
        messageSecret: SECRET,
        ephemeralDuration: 604_800,
        userReceipt: [{ userJid: ANN, receiptTimestamp: T + 1, readTimestamp: T + 5 }, { userJid: BOB, receiptTimestamp: T + 2 }],
        reactions: [
          { key: { remoteJid: GROUP, fromMe: false, id: 'R1', participant: `${ANN.split('@')[0]}:3@s.whatsapp.net` }, text: '👍', senderTimestampMs: T * 1000 },
          { key: { remoteJid: GROUP, fromMe: true, id: 'R2' }, text: '', senderTimestampMs: T * 1000 },
        ],
        pollUpdates: [
          { pollUpdateMessageKey: { remoteJid: GROUP, fromMe: false, id: 'V1', participant: BOB }, vote: { selectedOptions: [optionHash('Pizza'), new Uint8Array(32)] }, senderTimestampMs: T * 1000 + 9 },
        ],
      },
      GROUP,
    )!;
    expect(m).toMatchObject({
      id: 'POLL1',
      chat: GROUP,
      sender: ME,
      fromMe: true,
      t: T,
      history: true,
      type: 'poll',
      status: 'read',
      starred: true,
      messageSecret: Buffer.from(SECRET).toString('base64'),
      ephemeralDuration: 604_800,
      receipts: [
        { jid: ANN, deliveredAt: T + 1, readAt: T + 5 },
        { jid: BOB, deliveredAt: T + 2 },
      ],
      // The taken-back reaction (empty text) is gone; the sender loses its device.
      reactions: [{ id: 'R1', sender: ANN, fromMe: false, emoji: '👍', senderTimestampMs: T * 1000 }],
      pollVotes: [{ voter: BOB, options: ['Pizza'], senderTimestampMs: T * 1000 + 9 }],
    });
    expect(m.poll).toMatchObject({ name: 'Lunch?', options: ['Sushi', 'Pizza'], selectableCount: 1 });
  });

  it('finds the sender: the original self author, the 1:1 chat, a group’s participant, a status’s participant', () => {
    expect(read({ key: { remoteJid: ANN, fromMe: true, id: 'A' }, originalSelfAuthorUserJidString: `${ME.split('@')[0]}:2@s.whatsapp.net`, message: { conversation: 'x' } })!.sender).toBe(ME);
    expect(read({ key: { remoteJid: LID, fromMe: false, id: 'B' }, message: { conversation: 'x' } }, LID)!.sender).toBe(LID);
    expect(read({ key: { remoteJid: GROUP, fromMe: false, id: 'C' }, participant: BOB, message: { conversation: 'x' } }, GROUP)!.sender).toBe(BOB);
    expect(read({ key: { remoteJid: GROUP, fromMe: false, id: 'D', participant: ANN }, message: { conversation: 'x' } }, GROUP)!.sender).toBe(ANN);
    expect(read({ key: { remoteJid: 'status@broadcast', fromMe: false, id: 'E', participant: ANN }, message: { conversation: 'x' } })).toMatchObject({ chat: 'status@broadcast', sender: ANN });
    expect(read({ key: { remoteJid: GROUP, fromMe: false, id: 'F' }, message: { conversation: 'x' } }, GROUP)).toBeUndefined();
  });

  it('reads a content-less message as its stub, named (or numbered when newer than our schema)', () => {
    expect(read({ key: { remoteJid: ANN, fromMe: false, id: 'S1' }, messageTimestamp: T, messageStubType: 1 })).toMatchObject({ type: 'stub', stub: { type: 'REVOKE' } });
    expect(read({ key: { remoteJid: GROUP, fromMe: false, id: 'S2' }, participant: BOB, messageStubType: 27, messageStubParameters: [ANN] }, GROUP)).toMatchObject({
      type: 'stub',
      stub: { type: 'GROUP_PARTICIPANT_ADD', params: [ANN] },
    });
    expect(read({ key: { remoteJid: ANN, fromMe: false, id: 'S3' }, messageStubType: 999 as proto.WebMessageInfo.StubType })!.stub).toEqual({ type: '999' });
    expect(read({ key: { remoteJid: ANN, fromMe: false, id: 'S4' }, messageStubType: 2, message: { conversation: 'now readable' } })).toMatchObject({ type: 'text', content: 'now readable', stub: { type: 'CIPHERTEXT' } });
  });

  it('decodes an edit, and an unknown kind with its raw bytes, exactly as the live path does', () => {
    const edit: proto.IMessage = { protocolMessage: { type: 14, key: { remoteJid: ANN, fromMe: true, id: 'ORIG' }, editedMessage: { conversation: 'fixed' }, timestampMs: T * 1000 } };
    const unknown: proto.IMessage = { groupInviteMessage: { groupJid: GROUP, inviteCode: 'abc', groupName: 'G' } };
    for (const message of [edit, unknown]) {
      const bytes = proto.Message.encode(message).finish();
      const { senderKey: _s, wrappers: _w, ...live } = decodeContent(proto.Message.decode(bytes), bytes);
      const m = read({ key: { remoteJid: ANN, fromMe: true, id: 'X' }, messageTimestamp: T, message })!;
      expect(m).toMatchObject(live);
    }
  });
});
