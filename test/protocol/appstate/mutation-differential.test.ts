// Differential for mutation encryption on random inputs, against independent
// implementations: keys and MACs from whatsapp-rust-bridge (WASM), AES-256-CBC
// from @noble/ciphers (pure JS, not node:crypto's OpenSSL).
// - what we encrypt, they decrypt and authenticate;
// - what they encrypt and authenticate, we decode.
import { cbc } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { expandAppStateKeys as bridgeExpand, generateContentMac, generateIndexMac } from 'whatsapp-rust-bridge';
import { describe, expect, it } from 'vitest';
import { actionMutations, decodeRecord, encodeMutation, expandAppStateKeys, Keyring, type MutationContent } from '../../../src/protocol/appstate/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { PLAIN } from '../proto/helpers.js';
import { action, T_MS } from './arbitraries.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** Any index (not only the ones wad writes) with an action's value, SET or REMOVE. */
const content: fc.Arbitrary<MutationContent> = fc
  .tuple(action, fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.integer({ min: 0, max: 10 }))
  .map(([a, index, remove, version]) => ({ ...actionMutations(a, T_MS)[0]!, index, operation: remove ? 'remove' : 'set', version }));

const input = fc.record({ content, keyData: bytes(32, 32), keyId: bytes(1, 16), iv: bytes(16, 16) });

const plaintextOf = (c: MutationContent) =>
  proto.SyncActionData.encode({ index: new TextEncoder().encode(JSON.stringify(c.index)), value: c.value, padding: new Uint8Array(0), version: c.version }).finish();

describe('mutation encryption agrees with the bridge and @noble/ciphers', () => {
  it('they decrypt and authenticate what we encrypt', () => {
    fc.assert(
      fc.property(input, ({ content: c, keyData, keyId, iv }) => {
        const { mutation, indexMac, valueMac } = encodeMutation(c, { keyId, keys: expandAppStateKeys(keyData) }, iv);
        const k = bridgeExpand(keyData);
        const blob = mutation.record!.value!.blob!;
        const data = blob.subarray(0, -32);
        expect(hex(blob.subarray(0, 16))).toBe(hex(iv));
        expect(hex(cbc(k.valueEncryptionKey, iv).decrypt(data.subarray(16)))).toBe(hex(plaintextOf(c)));
        expect(hex(blob.subarray(-32))).toBe(hex(generateContentMac(c.operation === 'set' ? 1 : 2, data, keyId, k.valueMacKey)));
        expect(hex(valueMac)).toBe(hex(blob.subarray(-32)));
        expect(hex(mutation.record!.index!.blob!)).toBe(hex(generateIndexMac(new TextEncoder().encode(JSON.stringify(c.index)), k.indexKey)));
        expect(hex(indexMac)).toBe(hex(mutation.record!.index!.blob!));
        expect(hex(mutation.record!.keyId!.id!)).toBe(hex(keyId));
        k.free();
      }),
      { numRuns: 200 },
    );
  });

  it('we decode what they encrypt and authenticate', () => {
    fc.assert(
      fc.property(input, ({ content: c, keyData, keyId, iv }) => {
        const k = bridgeExpand(keyData);
        const index = new TextEncoder().encode(JSON.stringify(c.index));
        const data = new Uint8Array([...iv, ...cbc(k.valueEncryptionKey, iv).encrypt(plaintextOf(c))]);
        const record = {
          index: { blob: generateIndexMac(index, k.indexKey) },
          value: { blob: new Uint8Array([...data, ...generateContentMac(c.operation === 'set' ? 1 : 2, data, keyId, k.valueMacKey)]) },
          keyId: { id: keyId },
        };
        k.free();
        const decoded = decodeRecord(c.operation, record, new Keyring([{ keyId, keyData }]).lookup);
        expect([decoded.operation, decoded.index, decoded.version]).toEqual([c.operation, c.index, c.version]);
        expect(proto.SyncActionValue.toObject(decoded.value, PLAIN)).toEqual(
          proto.SyncActionValue.toObject(proto.SyncActionValue.fromObject(c.value as Record<string, unknown>), PLAIN),
        );
      }),
      { numRuns: 200 },
    );
  });
});
