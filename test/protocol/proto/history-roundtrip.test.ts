// HistorySync, WebMessageInfo and the small stanza protobufs (media retry,
// verified names, LID mappings) against Baileys: same bytes both ways, and
// Baileys' own consumers (processHistoryMessage, encryptMediaRetryRequest,
// decryptMediaRetryData) agree with what we encode and decode.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import {
  proto as baileys,
  decryptMediaRetryData,
  encryptMediaRetryRequest,
  processHistoryMessage,
} from 'baileys';
import { describe, expect, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import { ALICE, BOB, CAROL_LID, GROUP, MESSAGES, T, T_MS, key } from './fixtures.js';
import { bytes, expectSameRoundTrip, PLAIN } from './helpers.js';

const groupMessage = {
  key: key('3EB0GROUP000000000001', { remoteJid: GROUP, participant: BOB }),
  message: MESSAGES.extendedTextWithPreviewAndQuote,
  messageTimestamp: T,
  status: 4,
  participant: BOB,
  pushName: 'Bob',
  messageSecret: bytes(32, 'wmi/secret'),
  ephemeralDuration: 604_800,
  ephemeralStartTimestamp: T - 60,
  userReceipt: [
    { userJid: BOB, receiptTimestamp: T + 1, readTimestamp: T + 20, deliveredDeviceJid: ['15550002222:3@s.whatsapp.net'] },
    { userJid: CAROL_LID, receiptTimestamp: T + 2, pendingDeviceJid: [`${CAROL_LID.replace('@', ':2@')}`] },
  ],
  reactions: [{ key: key('3EB0REACT', { fromMe: true }), text: '😂', senderTimestampMs: T_MS, unread: false }],
};

const webMessages: Record<string, Record<string, unknown>> = {
  groupTextWithReceiptsAndReactions: groupMessage,
  pollWithVotes: {
    key: key('3EB0POLL000000000001', { fromMe: true }),
    message: MESSAGES.pollCreationV3,
    messageTimestamp: T,
    status: 3,
    pollUpdates: [
      { pollUpdateMessageKey: key('3EB0VOTE1', { participant: BOB }), vote: { selectedOptions: [bytes(32, 'opt-sushi')] }, senderTimestampMs: T_MS, serverTimestampMs: T_MS + 40 },
    ],
    pollAdditionalMetadata: { pollInvalidated: false },
  },
  groupParticipantAddStub: {
    key: key('3EB0STUB', { remoteJid: GROUP, participant: ALICE }),
    messageTimestamp: T,
    messageStubType: 27,
    messageStubParameters: [BOB, CAROL_LID],
    participant: ALICE,
  },
  undecryptableStub: {
    key: key('ABCDEF0123456789', { remoteJid: BOB }),
    messageTimestamp: T,
    messageStubType: 2,
    messageStubParameters: ['No session', '{"jid":"15550002222@s.whatsapp.net"}'],
  },
  revokedWithPin: {
    key: key('3EB0PINNED', { remoteJid: GROUP, participant: BOB }),
    messageTimestamp: T,
    message: { conversation: 'pinned' },
    pinInChat: { type: 1, key: key('3EB0PINNED', { remoteJid: GROUP }), senderTimestampMs: T_MS, serverTimestampMs: T_MS + 5, messageAddOnContextInfo: { messageAddOnDurationInSecs: 86_400, messageAddOnExpiryType: 1 } },
    keepInChat: { keepType: 1, serverTimestamp: T, key: key('3EB0PINNED'), deviceJid: ALICE, clientTimestampMs: T_MS, serverTimestampMs: T_MS },
    revokeMessageTimestamp: T + 100,
    starred: true,
    labels: ['5'],
  },
};

describe('WebMessageInfo', () => {
  it.each(Object.entries(webMessages))('%s', (_name, info) => {
    expectSameRoundTrip(proto.WebMessageInfo, baileys.WebMessageInfo, info);
  });
});

const historySync = {
  syncType: 0,
  conversations: [
    {
      id: GROUP,
      messages: [{ message: groupMessage, msgOrderId: 1 }, { message: webMessages.groupParticipantAddStub, msgOrderId: 2 }],
      name: 'Climbing',
      unreadCount: 2,
      ephemeralExpiration: 604_800,
      ephemeralSettingTimestamp: T - 60,
      conversationTimestamp: T,
      archived: false,
      participant: [{ userJid: ALICE, rank: 2 }, { userJid: BOB, rank: 0 }, { userJid: CAROL_LID, rank: 1, memberLabel: { label: 'coach', labelTimestamp: T } }],
      muteEndTime: T + 3_600,
      pinned: 1,
      createdAt: T - 1_000_000,
      createdBy: ALICE,
      description: 'weekend trips',
      mediaVisibility: 0,
      disappearingMode: { initiator: 1, trigger: 1 },
    },
    {
      id: CAROL_LID,
      messages: [{ message: { key: key('3EB0C1', { remoteJid: CAROL_LID }), message: { conversation: 'hey' }, messageTimestamp: T - 5 }, msgOrderId: 1 }],
      pnJid: '15550003333@s.whatsapp.net',
      displayName: 'Carol',
      tcToken: bytes(20, 'tctoken'),
      tcTokenTimestamp: T - 100,
      endOfHistoryTransfer: true,
      endOfHistoryTransferType: 1,
      limitSharingTrigger: 1,
    },
  ],
  pushnames: [{ id: BOB, pushname: 'Bob' }],
  globalSettings: { mediaVisibility: 1, disappearingModeDuration: 0, autoDownloadWiFi: { downloadImages: true, downloadAudio: true }, fontSize: 1 },
  phoneNumberToLidMappings: [{ pnJid: BOB, lidJid: '98765432109876@lid' }],
  pastParticipants: [{ groupJid: GROUP, pastParticipants: [{ userJid: '15550009999@s.whatsapp.net', leaveReason: 1, leaveTs: T - 500 }] }],
  chunkOrder: 1,
  progress: 100,
  threadIdUserSecret: bytes(32, 'thread'),
  threadDsTimeframeOffset: 3_600,
  companionMetaNonce: 'nonce',
  accounts: [{ lid: '204873165127721@lid', username: 'alice', countryCode: 'US', isUsernameDeleted: false }],
};

describe('HistorySync', () => {
  it('an INITIAL_BOOTSTRAP chunk with conversations, participants, push names and LID mappings', () => {
    expectSameRoundTrip(proto.HistorySync, baileys.HistorySync, historySync);
  });

  it("what we encode, Baileys' processHistoryMessage reads as the chats, contacts and messages we put in", () => {
    const decoded = baileys.HistorySync.decode(proto.HistorySync.encode(proto.HistorySync.fromObject(historySync)).finish());
    const result = processHistoryMessage(decoded);
    expect(result.chats.map((c) => c.id)).toEqual([GROUP, CAROL_LID]);
    expect(result.messages.map((m) => m.key!.id)).toEqual(['3EB0GROUP000000000001', '3EB0STUB', '3EB0C1']);
    expect(result.lidPnMappings).toEqual(expect.arrayContaining([
      { lid: '98765432109876@lid', pn: BOB },
      { lid: CAROL_LID, pn: '15550003333@s.whatsapp.net' },
    ]));
    expect(result.contacts.find((c) => c.id === CAROL_LID)?.name).toBe('Carol');
  });

  it('a PUSH_NAME chunk', () => {
    expectSameRoundTrip(proto.HistorySync, baileys.HistorySync, { syncType: 4, pushnames: [{ id: ALICE, pushname: 'Alice' }, { id: BOB, pushname: 'Bob' }] });
  });
});

describe('media retry', () => {
  const mediaKey = bytes(32, 'retry/media-key');
  const retryKey = Buffer.from(hkdfSync('sha256', mediaKey, new Uint8Array(0), 'WhatsApp Media Retry Notification', 32));

  it("Baileys' encrypted ServerErrorReceipt decodes with ours", () => {
    const msgKey = key('3EB0MEDIA0000000001', { remoteJid: BOB });
    const node = encryptMediaRetryRequest(msgKey, mediaKey, ALICE);
    const encrypt = (node.content as { tag: string; content: { tag: string; content: Uint8Array }[] }[]).find((n) => n.tag === 'encrypt')!;
    const encP = encrypt.content.find((n) => n.tag === 'enc_p')!.content;
    const iv = encrypt.content.find((n) => n.tag === 'enc_iv')!.content;
    const decipher = createDecipheriv('aes-256-gcm', retryKey, iv);
    decipher.setAAD(Buffer.from(msgKey.id));
    decipher.setAuthTag(encP.subarray(encP.length - 16));
    const plain = Buffer.concat([decipher.update(encP.subarray(0, encP.length - 16)), decipher.final()]);
    expect(proto.ServerErrorReceipt.toObject(proto.ServerErrorReceipt.decode(plain))).toEqual({ stanzaId: msgKey.id });
  });

  it('a MediaRetryNotification we encode and encrypt, Baileys decrypts and decodes', () => {
    const notification = { stanzaId: '3EB0MEDIA0000000001', directPath: '/v/t62.7118-24/new.enc?ccb=11-4', result: 1, messageSecret: bytes(32, 'ms') };
    expectSameRoundTrip(proto.MediaRetryNotification, baileys.MediaRetryNotification, notification);
    const iv = bytes(12, 'retry/iv');
    const cipher = createCipheriv('aes-256-gcm', retryKey, iv);
    cipher.setAAD(Buffer.from(notification.stanzaId));
    const plain = proto.MediaRetryNotification.encode(notification).finish();
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    const theirs = decryptMediaRetryData({ ciphertext, iv }, mediaKey, notification.stanzaId);
    expect(baileys.MediaRetryNotification.toObject(theirs, PLAIN)).toEqual(proto.MediaRetryNotification.toObject(proto.MediaRetryNotification.decode(plain), PLAIN));
  });
});

describe('other stanza protobufs', () => {
  it('VerifiedNameCertificate with its Details', () => {
    const details = proto.VerifiedNameCertificate.Details.encode({
      serial: 8_123_456_789, issuer: 'smb:wa', verifiedName: 'Acme Bikes', issueTime: T,
      localizedNames: [{ lg: 'de', lc: 'DE', verifiedName: 'Acme Fahrräder' }],
    }).finish();
    expectSameRoundTrip(proto.VerifiedNameCertificate.Details, baileys.VerifiedNameCertificate.Details, proto.VerifiedNameCertificate.Details.toObject(proto.VerifiedNameCertificate.Details.decode(details)));
    expectSameRoundTrip(proto.VerifiedNameCertificate, baileys.VerifiedNameCertificate, { details, signature: bytes(64, 'vn/sig'), serverSignature: bytes(64, 'vn/ssig') });
  });

  it('LID migration mappings pushed by the primary', () => {
    const payload = expectSameRoundTrip(proto.LIDMigrationMappingSyncPayload, baileys.LIDMigrationMappingSyncPayload, {
      pnToLidMappings: [{ pn: 15_550_002_222, assignedLid: 98_765_432_109_876, latestLid: 98_765_432_109_877 }],
      chatDbMigrationTimestamp: T,
    });
    expectSameRoundTrip(proto.Message, baileys.Message, {
      protocolMessage: { type: 22, lidMigrationMappingSyncMessage: { encodedMappingPayload: payload } },
    });
  });

  it('a placeholder resend answer carrying an encoded WebMessageInfo', () => {
    const info = proto.WebMessageInfo.encode(proto.WebMessageInfo.fromObject(webMessages.groupTextWithReceiptsAndReactions!)).finish();
    expectSameRoundTrip(proto.Message, baileys.Message, {
      protocolMessage: {
        type: 17,
        peerDataOperationRequestResponseMessage: {
          peerDataOperationRequestType: 4,
          stanzaId: '3EB0PDO1',
          peerDataOperationResult: [{ placeholderMessageResendResponse: { webMessageInfoBytes: info } }, { mediaUploadResult: 1 }],
        },
      },
    });
  });
});
