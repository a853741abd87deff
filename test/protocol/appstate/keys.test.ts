// Sync keys: shares and requests through the wire, the key our patches use,
// and the keyring's lookups.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AppStateError,
  buildKeyRequest,
  buildKeyShare,
  expandAppStateKeys,
  Keyring,
  keyIdString,
  newestKey,
  parseKeyShare,
  type SyncKey,
} from '../../../src/protocol/appstate/index.js';
import { proto } from '../../../src/protocol/proto/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const syncKey: fc.Arbitrary<SyncKey> = fc.record(
  {
    keyId: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    keyData: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fingerprint: fc.record({ rawId: fc.nat(), currentIndex: fc.nat(), deviceIndexes: fc.array(fc.nat(), { maxLength: 4 }) }),
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  },
  { requiredKeys: ['keyId', 'keyData', 'timestamp'] },
);
const plainKey = (k: SyncKey) => ({ ...k, keyId: hex(k.keyId), keyData: hex(k.keyData) });

describe('key shares', () => {
  it('survive the wire in a ProtocolMessage', () => {
    fc.assert(
      fc.property(fc.array(syncKey, { maxLength: 4 }), (keys) => {
        const wire = proto.Message.encode({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE, appStateSyncKeyShare: buildKeyShare(keys) } }).finish();
        const share = proto.Message.decode(wire).protocolMessage!.appStateSyncKeyShare!;
        expect(parseKeyShare(share).map(plainKey)).toEqual(keys.map(plainKey));
      }),
      { numRuns: 100 },
    );
  });

  it('are refused whole when an entry lacks its id or 32 bytes of key data', () => {
    const good = { keyId: { keyId: new Uint8Array([1]) }, keyData: { keyData: new Uint8Array(32), timestamp: 1 } };
    const bad = [
      { keyData: { keyData: new Uint8Array(32) } },
      { keyId: { keyId: new Uint8Array(0) }, keyData: { keyData: new Uint8Array(32) } },
      { keyId: { keyId: new Uint8Array([2]) }, keyData: { keyData: new Uint8Array(31) } },
      { keyId: { keyId: new Uint8Array([2]) } },
    ];
    for (const b of bad) {
      let code: string | undefined;
      try {
        parseKeyShare({ keys: [good, b] });
      } catch (e) {
        code = (e as AppStateError).code;
      }
      expect(code).toBe('BAD_KEY_SHARE');
    }
  });

  it('a request names the key ids asked for', () => {
    const ids = [new Uint8Array([0, 0, 0, 1]), new Uint8Array([0, 0, 0, 2])];
    const wire = proto.Message.ProtocolMessage.encode({ appStateSyncKeyRequest: buildKeyRequest(ids) }).finish();
    expect(proto.Message.ProtocolMessage.decode(wire).appStateSyncKeyRequest!.keyIds!.map((k) => hex(k.keyId!))).toEqual(['00000001', '00000002']);
  });
});

describe('the key our patches use', () => {
  it('is the newest shared, the last shared on a tie', () => {
    fc.assert(
      fc.property(fc.array(syncKey, { maxLength: 6 }), (keys) => {
        const max = Math.max(...keys.map((k) => k.timestamp));
        expect(newestKey(keys)).toBe(keys.findLast((k) => k.timestamp === max));
      }),
    );
  });
});

describe('the keyring', () => {
  it('finds each key by its id, wherever the id bytes sit, and nothing else', () => {
    fc.assert(
      fc.property(fc.uniqueArray(syncKey, { selector: (k) => hex(k.keyId), maxLength: 4 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), (keys, other) => {
        const ring = new Keyring(keys);
        for (const k of keys) {
          // The id as a view into a larger buffer (how protobufjs decodes bytes).
          const buffer = new Uint8Array([7, ...k.keyId, 7]);
          const view = buffer.subarray(1, 1 + k.keyId.length);
          expect(keyIdString(view)).toBe(Buffer.from(k.keyId).toString('base64'));
          expect(hex(ring.lookup(view)!.patchMac)).toBe(hex(expandAppStateKeys(k.keyData).patchMac));
        }
        expect(ring.has(other)).toBe(keys.some((k) => hex(k.keyId) === hex(other)));
      }),
      { numRuns: 100 },
    );
  });
});
