// The small history sync messages against Baileys 7: the notification both
// ways (build → parse, and parsing what Baileys' encoder wrote), the
// on-demand peer data request byte for byte as fetchMessageHistory sends it,
// the phone's reading of it, the peer data response header, and the
// DeviceProps history config as Baileys' registration payload carries it.
import { randomBytes } from 'node:crypto';
import { proto as baileys, generateRegistrationNode } from 'baileys';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildHistoryNotification,
  buildHistoryRequest,
  HISTORY_HKDF_INFO,
  historySyncConfig,
  historySyncNotificationOf,
  parseHistoryNotification,
  parseHistoryRequest,
  parsePeerDataResponse,
  HistoryError,
  requireFullSync,
  type HistoryNotificationInput,
  type HistorySyncTypeName,
} from '../../../src/protocol/history/index.js';
import { proto } from '../../../src/protocol/proto/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** Bytes as hex, deeply: Buffer and Uint8Array compare alike. */
const plain = (v: unknown): unknown =>
  v instanceof Uint8Array ? hex(v) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
/** Our Message after a trip through its wire bytes. */
const viaWire = (m: proto.IMessage): proto.Message => proto.Message.decode(proto.Message.encode(m).finish());

const SYNC_TYPES: HistorySyncTypeName[] = ['INITIAL_BOOTSTRAP', 'INITIAL_STATUS_V3', 'FULL', 'RECENT', 'PUSH_NAME', 'NON_BLOCKING_DATA', 'ON_DEMAND'];
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

const notificationInput: fc.Arbitrary<HistoryNotificationInput> = fc.record(
  {
    syncType: fc.constantFrom(...SYNC_TYPES),
    payload: fc.oneof(
      fc.record({ kind: fc.constant('inline' as const), compressed: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
      fc.record({
        kind: fc.constant('media' as const),
        media: fc.record(
          { directPath: fc.constant('/v/t62.36145-24/12345_67890.enc?ccb=11-4'), mediaKey: bytes32, fileSha256: bytes32, fileEncSha256: bytes32, fileLength: fc.integer({ min: 1, max: 2 ** 40 }), encHandle: fc.string({ minLength: 1 }) },
          { requiredKeys: ['directPath', 'mediaKey', 'fileSha256', 'fileEncSha256'] },
        ),
      }),
    ),
    chunkOrder: fc.nat({ max: 1000 }),
    progress: fc.integer({ min: 0, max: 100 }),
    originalMessageId: fc.stringMatching(/^3EB0[0-9A-F]{8}$/),
    oldestMsgInChunkTimestampSec: fc.integer({ min: 1, max: 2 ** 33 }),
    requestId: fc.stringMatching(/^3EB0[0-9A-F]{8}$/),
  },
  { requiredKeys: ['syncType', 'payload'] },
);

describe('history sync notification', () => {
  it('parses back what the builder wrote, through the wire and through Baileys’ decoder', () => {
    fc.assert(
      fc.property(notificationInput, (input) => {
        const message = buildHistoryNotification(input);
        const parsed = parseHistoryNotification(historySyncNotificationOf(viaWire(message))!);
        const { payload, ...rest } = input;
        expect(plain(parsed)).toEqual(plain({ ...rest, payload: payload.kind === 'media' ? { kind: 'media', media: { type: 'md-msg-hist', ...payload.media } } : payload }));
        // Baileys reads the same notification (its getHistoryMsg path).
        const theirs = baileys.Message.decode(proto.Message.encode(message).finish()).protocolMessage!;
        expect(theirs.type).toBe(baileys.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION);
        expect(theirs.historySyncNotification!.syncType).toBe(baileys.Message.HistorySyncType[input.syncType]);
        expect(theirs.historySyncNotification!.peerDataRequestSessionId || undefined).toBe(input.requestId);
      }),
    );
  });

  it('reads a notification Baileys encoded', () => {
    const mediaKey = randomBytes(32);
    const theirs = baileys.Message.encode({
      protocolMessage: {
        type: baileys.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
        historySyncNotification: {
          fileSha256: randomBytes(32),
          fileLength: 123_456,
          mediaKey,
          fileEncSha256: randomBytes(32),
          directPath: '/v/t62.36145-24/1_2.enc',
          syncType: baileys.Message.HistorySyncType.RECENT,
          chunkOrder: 3,
          progress: 42,
          originalMessageId: '3EB0ABCDEF',
        },
      },
    }).finish();
    const n = parseHistoryNotification(historySyncNotificationOf(proto.Message.decode(theirs))!);
    expect(n).toMatchObject({ syncType: 'RECENT', chunkOrder: 3, progress: 42, originalMessageId: '3EB0ABCDEF' });
    expect(n.payload.kind === 'media' && [n.payload.media.directPath, hex(n.payload.media.mediaKey!), n.payload.media.fileLength]).toEqual(['/v/t62.36145-24/1_2.enc', hex(mediaKey), 123_456]);
  });

  it('refuses a blob type that names no blob, and accepts blob-less types without one', () => {
    const n = (syncType: number, extra: Record<string, unknown> = {}) => historySyncNotificationOf(viaWire({ protocolMessage: { type: 5, historySyncNotification: { syncType, ...extra } } }))!;
    expect(() => parseHistoryNotification(n(3, { directPath: '/v/x', fileSha256: randomBytes(32) }))).toThrow(HistoryError);
    expect(parseHistoryNotification(n(7)).payload).toEqual({ kind: 'none' });
    expect(parseHistoryNotification(n(8, { messageAccessStatus: { completeAccessGranted: true } }))).toMatchObject({ syncType: 'MESSAGE_ACCESS_STATUS', completeAccessGranted: true });
    expect(historySyncNotificationOf({ protocolMessage: { type: 0, key: { id: 'X' } } })).toBeUndefined();
  });

  it('names the media type whose keys decrypt the blob', () => {
    expect(HISTORY_HKDF_INFO).toBe('WhatsApp History Keys');
  });
});

describe('on-demand history request', () => {
  const request = { chat: '15550001111@s.whatsapp.net', oldestMsgId: '3EB0OLDEST', oldestMsgFromMe: true, oldestMsgTimestamp: 1_700_000_000, count: 50 };

  it('is byte for byte the message Baileys’ fetchMessageHistory sends', () => {
    // fetchMessageHistory(count, oldestMsgKey, oldestMsgTimestamp) builds this object and sendPeerDataOperationMessage wraps it.
    const pdoMessage = {
      historySyncOnDemandRequest: { chatJid: request.chat, oldestMsgFromMe: true, oldestMsgId: request.oldestMsgId, oldestMsgTimestampMs: request.oldestMsgTimestamp, onDemandMsgCount: 50 },
      peerDataOperationRequestType: baileys.Message.PeerDataOperationRequestType.HISTORY_SYNC_ON_DEMAND,
    };
    const theirs = baileys.Message.encode(
      baileys.Message.fromObject({ protocolMessage: { peerDataOperationRequestMessage: pdoMessage, type: baileys.Message.ProtocolMessage.Type.PEER_DATA_OPERATION_REQUEST_MESSAGE } }),
    ).finish();
    expect(hex(proto.Message.encode(buildHistoryRequest(request)).finish())).toBe(hex(theirs));
    expect(parseHistoryRequest(proto.Message.decode(theirs))).toEqual(request);
  });

  it('is read by the phone with the anchor time in seconds, whichever unit was sent', () => {
    const ms = viaWire({
      protocolMessage: {
        type: 16,
        peerDataOperationRequestMessage: { peerDataOperationRequestType: 3, historySyncOnDemandRequest: { chatJid: request.chat, oldestMsgId: 'X', oldestMsgTimestampMs: 1_700_000_000_999 } },
      },
    });
    expect(parseHistoryRequest(ms)).toEqual({ chat: request.chat, oldestMsgId: 'X', oldestMsgFromMe: false, oldestMsgTimestamp: 1_700_000_000, count: 50 });
    expect(parseHistoryRequest(viaWire({ protocolMessage: { type: 16, peerDataOperationRequestMessage: { peerDataOperationRequestType: 4 } } }))).toBeUndefined();
  });

  it('refuses what cannot be asked', () => {
    for (const bad of [{ chat: '' }, { oldestMsgId: '' }, { count: 0 }, { count: 501 }, { count: 1.5 }, { oldestMsgTimestamp: -1 }]) {
      expect(() => buildHistoryRequest({ ...request, ...bad }), JSON.stringify(bad)).toThrow(HistoryError);
    }
  });

  it('reads the phone’s peer data response header', () => {
    const theirs = baileys.Message.encode({
      protocolMessage: {
        type: baileys.Message.ProtocolMessage.Type.PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE,
        peerDataOperationRequestResponseMessage: { peerDataOperationRequestType: 3, stanzaId: '3EB0REQUEST', peerDataOperationResult: [{}, {}] },
      },
    }).finish();
    expect(parsePeerDataResponse(proto.Message.decode(theirs))).toEqual({ type: 'HISTORY_SYNC_ON_DEMAND', requestId: '3EB0REQUEST', results: 2 });
    expect(parsePeerDataResponse(buildHistoryRequest(request))).toBeUndefined();
  });
});

describe('DeviceProps history config', () => {
  it('by default is what Baileys’ registration payload carries', () => {
    const node = generateRegistrationNode(
      {
        registrationId: 1234,
        signedIdentityKey: { public: randomBytes(32), private: randomBytes(32) },
        signedPreKey: { keyId: 1, keyPair: { public: randomBytes(32), private: randomBytes(32) }, signature: randomBytes(64) },
      } as unknown as Parameters<typeof generateRegistrationNode>[0],
      { version: [2, 3000, 1], browser: ['Ubuntu', 'Chrome', '22.04'], syncFullHistory: false, countryCode: 'US' } as unknown as Parameters<typeof generateRegistrationNode>[1],
    );
    const theirs = baileys.DeviceProps.decode(node.devicePairingData!.deviceProps!);
    expect(hex(proto.DeviceProps.HistorySyncConfig.encode(historySyncConfig()).finish())).toBe(hex(baileys.DeviceProps.HistorySyncConfig.encode(theirs.historySyncConfig!).finish()));
    expect(requireFullSync()).toBe(theirs.requireFullSync);
  });

  it('asks for full sync with its limits, or limits the recent window', () => {
    expect(historySyncConfig({ fullSync: true, days: 365, sizeMbLimit: 2048, storageQuotaMb: 4096 })).toMatchObject({ fullSyncDaysLimit: 365, fullSyncSizeMbLimit: 2048, storageQuotaMb: 4096 });
    expect(requireFullSync({ fullSync: true })).toBe(true);
    const recent = historySyncConfig({ days: 30, sizeMbLimit: 100 });
    expect(recent).toMatchObject({ recentSyncDaysLimit: 30 });
    expect(recent.fullSyncDaysLimit ?? recent.fullSyncSizeMbLimit).toBeUndefined();
    expect(historySyncConfig({ days: 0, storageQuotaMb: -5 })).toMatchObject({ storageQuotaMb: 10_240 });
  });
});
