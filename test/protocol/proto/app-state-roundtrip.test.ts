// App state protobufs against Baileys: patches that Baileys' own app state code
// builds (chatModificationToAppPatch + encodeSyncdPatch, real MACs and AES)
// decode with ours; what we re-encode still passes Baileys' MAC checks; and
// the encrypted SyncActionData inside decodes with ours to what Baileys put in.
import { createDecipheriv, hkdfSync } from 'node:crypto';
import {
  proto as baileys,
  chatModificationToAppPatch,
  decodeSyncdPatch,
  encodeSyncdPatch,
  newLTHashState,
} from 'baileys';
import { describe, expect, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import { ALICE, BOB, GROUP, T, T_MS, key } from './fixtures.js';
import { bytes, expectSameAsBaileys, expectSameRoundTrip, PLAIN } from './helpers.js';

const keyData = bytes(32, 'app-state/key');
const keyId = Buffer.from(bytes(6, 'app-state/key-id')).toString('base64');
const getAppStateSyncKey = async (id: string) => (id === keyId ? { keyData, fingerprint: {}, timestamp: T_MS } : undefined);

// WhatsApp's mutation keys: HKDF-SHA256(keyData, info "WhatsApp Mutation Keys", 160 bytes).
const valueEncryptionKey = Buffer.from(hkdfSync('sha256', keyData, new Uint8Array(0), 'WhatsApp Mutation Keys', 160)).subarray(32, 64);

const lastMessages = [{ key: key('3EB0LAST0000000001', { remoteJid: ALICE }), messageTimestamp: T }];
const modifications: Record<string, [Record<string, unknown>, string]> = {
  mute: [{ mute: T_MS + 8 * 3_600_000 }, ALICE],
  unmute: [{ mute: null }, ALICE],
  archive: [{ archive: true, lastMessages }, ALICE],
  markRead: [{ markRead: true, lastMessages }, ALICE],
  pin: [{ pin: true }, GROUP],
  star: [{ star: { messages: [{ id: '3EB0STAR0000000001', fromMe: false }], star: true } }, ALICE],
  deleteForMe: [{ deleteForMe: { key: key('3EB0DEL00000000001'), timestamp: T, deleteMedia: true } }, ALICE],
  clear: [{ clear: true, lastMessages }, ALICE],
  deleteChat: [{ delete: true, lastMessages }, ALICE],
  contact: [{ contact: { fullName: 'Bob Builder', firstName: 'Bob', lidJid: '204873165127721@lid', saveOnPrimaryAddressbook: true } }, BOB],
  pushName: [{ pushNameSetting: 'wad bot' }, ALICE],
  addLabel: [{ addLabel: { id: '5', name: 'Customers', color: 3, deleted: false } }, ALICE],
  addChatLabel: [{ addChatLabel: { labelId: '5' } }, ALICE],
  quickReply: [{ quickReply: { shortcut: 'hi', message: 'Hello there!', keywords: ['hello'], count: 0, deleted: false } }, ALICE],
};

describe('SyncdPatch built by Baileys', () => {
  it.each(Object.entries(modifications))('%s', async (_name, [mod, jid]) => {
    const appPatch = chatModificationToAppPatch(mod as never, jid);
    const { patch, state } = await encodeSyncdPatch(appPatch, keyId, newLTHashState(), getAppStateSyncKey as never);
    const full = baileys.SyncdPatch.fromObject({ ...patch, version: { version: state.version }, deviceIndex: 3 });

    // Baileys' patch → ours → bytes identical; and Baileys still validates what we encode.
    const ourBytes = expectSameAsBaileys(proto.SyncdPatch, baileys.SyncdPatch, full);
    const mutations: unknown[] = [];
    await decodeSyncdPatch(
      baileys.SyncdPatch.decode(ourBytes), appPatch.type, newLTHashState(),
      getAppStateSyncKey as never, (m: unknown) => mutations.push(m), true,
    );
    expect(mutations).toHaveLength(1);

    // Decrypt the record ourselves and decode the SyncActionData with our module.
    const blob = proto.SyncdPatch.decode(ourBytes).mutations[0]!.record!.value!.blob!;
    const iv = blob.subarray(0, 16);
    const decipher = createDecipheriv('aes-256-cbc', valueEncryptionKey, iv);
    const plain = Buffer.concat([decipher.update(blob.subarray(16, blob.length - 32)), decipher.final()]);
    const data = proto.SyncActionData.decode(plain);
    expect(JSON.parse(Buffer.from(data.index!).toString())).toEqual(appPatch.index);
    expect(data.version).toBe(appPatch.apiVersion);
    expect(proto.SyncActionValue.toObject(data.value as proto.SyncActionValue, PLAIN)).toEqual(
      baileys.SyncActionValue.toObject(baileys.SyncActionValue.fromObject(appPatch.syncAction as Record<string, unknown>), PLAIN),
    );
    expectSameAsBaileys(proto.SyncActionData, baileys.SyncActionData, baileys.SyncActionData.decode(plain));
  });
});

describe('app state containers', () => {
  const record = (seed: string) => ({
    index: { blob: bytes(32, `${seed}/index`) },
    value: { blob: bytes(16 + 64 + 32, `${seed}/value`) },
    keyId: { id: bytes(6, 'app-state/key-id') },
  });

  it('a SyncdPatch with SET and REMOVE mutations and an external blob', () => {
    expectSameRoundTrip(proto.SyncdPatch, baileys.SyncdPatch, {
      version: { version: 1_234 },
      mutations: [{ operation: 0, record: record('a') }, { operation: 1, record: record('b') }],
      externalMutations: {
        mediaKey: bytes(32, 'ext/key'), directPath: '/v/t62.1234-24/patch.enc', handle: 'h1',
        fileSizeBytes: 88_000, fileSha256: bytes(32, 'ext/sha'), fileEncSha256: bytes(32, 'ext/encsha'),
      },
      snapshotMac: bytes(32, 'smac'),
      patchMac: bytes(32, 'pmac'),
      keyId: { id: bytes(6, 'app-state/key-id') },
      exitCode: { code: 0, text: '' },
      deviceIndex: 0,
    });
  });

  it('a SyncdSnapshot and SyncdMutations', () => {
    expectSameRoundTrip(proto.SyncdSnapshot, baileys.SyncdSnapshot, {
      version: { version: 77 }, records: [record('c'), record('d'), record('e')], mac: bytes(32, 'mac'), keyId: { id: bytes(6, 'k') },
    });
    expectSameRoundTrip(proto.SyncdMutations, baileys.SyncdMutations, { mutations: [{ operation: 0, record: record('f') }] });
  });

  it('SyncActionValue with the actions wad applies', () => {
    const range = {
      lastMessageTimestamp: T, lastSystemMessageTimestamp: T - 5,
      messages: [{ key: key('3EB0M1', { fromMe: true }), timestamp: T }],
    };
    expectSameRoundTrip(proto.SyncActionValue, baileys.SyncActionValue, {
      timestamp: T_MS,
      starAction: { starred: true },
      contactAction: { fullName: 'Carol', firstName: 'C', lidJid: '204873165127721@lid', saveOnPrimaryAddressbook: true, pnJid: BOB, username: 'carol' },
      muteAction: { muted: true, muteEndTimestamp: T_MS + 1_000, autoMuted: false },
      pinAction: { pinned: true },
      pushNameSetting: { name: 'wad' },
      labelEditAction: { name: 'VIP', color: 4, predefinedId: 0, deleted: false, orderIndex: 2, isActive: true, type: 5, isImmutable: false },
      labelAssociationAction: { labeled: true },
      localeSetting: { locale: 'en_US' },
      archiveChatAction: { archived: true, messageRange: range },
      deleteMessageForMeAction: { deleteMedia: false, messageTimestamp: T },
      markChatAsReadAction: { read: false, messageRange: range },
      clearChatAction: { messageRange: range },
      deleteChatAction: { messageRange: range },
      unarchiveChatsSetting: { unarchiveChats: true },
      timeFormatAction: { isTwentyFourHourFormatEnabled: true },
      lockChatAction: { locked: true },
      statusPrivacy: { mode: 1, userJid: [BOB] },
      lidContactAction: { fullName: 'Dan', firstName: 'D', username: 'dan' },
      pnForLidChatAction: { pnJid: BOB },
      notificationActivitySettingAction: { notificationActivitySetting: 2 },
      privacySettingDisableLinkPreviewsAction: { isPreviewsDisabled: true },
      userStatusMuteAction: { muted: true },
      keyExpiration: { expiredKeyEpoch: 3 },
      primaryVersionAction: { version: '2.24.1.7' },
      recentEmojiWeightsAction: { weights: [{ emoji: '👍', weight: 0.5 }] },
    });
  });

  it('app state sync key share and request travel in ProtocolMessages', () => {
    expectSameRoundTrip(proto.Message.AppStateSyncKeyShare, baileys.Message.AppStateSyncKeyShare, {
      keys: [1, 2].map((n) => ({
        keyId: { keyId: bytes(6, `id${n}`) },
        keyData: { keyData: bytes(32, `data${n}`), fingerprint: { rawId: 99, currentIndex: n, deviceIndexes: [0, n] }, timestamp: T_MS },
      })),
    });
  });
});
