// Differential: our key expansion, LT-hash and MACs against whatsapp-rust-bridge
// (whatsapp-rust's app state code compiled to WASM, an independent
// implementation) on random inputs.
//
// Facts about the bridge's API these tests rely on:
// - generateContentMac takes the operation *byte* (SET 1, REMOVE 2), not the
//   protobuf enum (SET 0, REMOVE 1);
// - versions are bigint; LTHashAntiTampering.subtractThenAdd returns a new hash.
import fc from 'fast-check';
import {
  expandAppStateKeys as bridgeExpand,
  generateContentMac,
  generateIndexMac,
  generatePatchMac,
  generateSnapshotMac,
  LTHashAntiTampering,
} from 'whatsapp-rust-bridge';
import { describe, expect, it } from 'vitest';
import {
  expandAppStateKeys,
  indexMac,
  ltHashSubtractThenAdd,
  patchMac,
  snapshotMac,
  valueMac,
} from '../../../src/protocol/appstate/index.js';
import { COLLECTIONS } from '../../../src/protocol/appstate/collections.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const key32 = bytes(32, 32);
const mac32 = bytes(32, 32);
const version = fc.maxSafeNat();
const collection = fc.oneof(fc.constantFrom(...COLLECTIONS), fc.string({ maxLength: 30 }));
const RUNS = { numRuns: 300 };

describe('app state crypto agrees with whatsapp-rust-bridge', () => {
  it('expands sync keys the same way', () => {
    fc.assert(
      fc.property(bytes(0, 64), (keyData) => {
        const ours = expandAppStateKeys(keyData);
        const theirs = bridgeExpand(keyData);
        expect([ours.index, ours.valueEncryption, ours.valueMac, ours.snapshotMac, ours.patchMac].map(hex)).toEqual(
          [theirs.indexKey, theirs.valueEncryptionKey, theirs.valueMacKey, theirs.snapshotMacKey, theirs.patchMacKey].map(hex),
        );
        theirs.free();
      }),
      RUNS,
    );
  });

  it('computes the same index MAC', () => {
    fc.assert(
      fc.property(key32, bytes(0, 300), (key, index) => {
        expect(hex(indexMac(key, index))).toBe(hex(generateIndexMac(index, key)));
      }),
      RUNS,
    );
  });

  it('computes the same value (content) MAC for SET and REMOVE', () => {
    fc.assert(
      fc.property(key32, fc.constantFrom('set' as const, 'remove' as const), bytes(0, 300), bytes(0, 40), (key, op, data, keyId) => {
        expect(hex(valueMac(op, data, keyId, key))).toBe(hex(generateContentMac(op === 'set' ? 1 : 2, data, keyId, key)));
      }),
      RUNS,
    );
  });

  it('computes the same snapshot MAC', () => {
    fc.assert(
      fc.property(key32, bytes(128, 128), version, collection, (key, hash, v, name) => {
        expect(hex(snapshotMac(hash, v, name, key))).toBe(hex(generateSnapshotMac(hash, BigInt(v), name, key)));
      }),
      RUNS,
    );
  });

  it('computes the same patch MAC', () => {
    fc.assert(
      fc.property(key32, mac32, fc.array(mac32, { maxLength: 20 }), version, collection, (key, sMac, valueMacs, v, name) => {
        expect(hex(patchMac(sMac, valueMacs, v, name, key))).toBe(hex(generatePatchMac(sMac, valueMacs, BigInt(v), name, key)));
      }),
      RUNS,
    );
  });

  it('updates the LT-hash the same way', () => {
    const bridge = new LTHashAntiTampering();
    fc.assert(
      fc.property(bytes(128, 128), fc.array(mac32, { maxLength: 12 }), fc.array(mac32, { maxLength: 12 }), (base, sub, add) => {
        expect(hex(ltHashSubtractThenAdd(base, sub, add))).toBe(hex(bridge.subtractThenAdd(base, sub, add)));
      }),
      RUNS,
    );
  });
});
