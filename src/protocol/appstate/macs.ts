/**
 * The four MACs of app state, each keyed by one of the expanded mutation keys:
 *
 *   index MAC    = HMAC-SHA256(index key, JSON index)
 *                  names a record without revealing it (the server sees only this);
 *   value MAC    = HMAC-SHA512(value MAC key, op ‖ keyId ‖ iv‖ciphertext ‖ u64be(len(keyId)+1))[0..32]
 *                  authenticates one encrypted record, bound to SET/REMOVE and its key
 *                  (whatsmeow and the WASM bridge call it the content MAC);
 *   snapshot MAC = HMAC-SHA256(snapshot MAC key, LT-hash ‖ u64be(version) ‖ collection name)
 *                  the writer's word on the whole collection at a version;
 *   patch MAC    = HMAC-SHA256(patch MAC key, snapshot MAC ‖ value MACs… ‖ u64be(version) ‖ name)
 *                  authenticates a patch as a whole, so mutations cannot be dropped or reordered.
 */
import { hmacSha256, hmacSha512 } from '../crypto/hash.js';
import { AppStateError } from './errors.js';

export const MAC_LENGTH = 32;

/** SET or REMOVE, as the mutation's operation byte: SET 1, REMOVE 2 (the wire enum + 1). */
export type MutationOperation = 'set' | 'remove';

const OPERATION_BYTE: Readonly<Record<MutationOperation, number>> = { set: 1, remove: 2 };

export function indexMac(indexKey: Uint8Array, index: Uint8Array): Uint8Array {
  return hmacSha256(indexKey, index);
}

/** @param data iv ‖ ciphertext, as it stands in the record before the MAC */
export function valueMac(operation: MutationOperation, data: Uint8Array, keyId: Uint8Array, valueMacKey: Uint8Array): Uint8Array {
  const head = new Uint8Array(1 + keyId.length);
  head[0] = OPERATION_BYTE[operation];
  head.set(keyId, 1);
  return hmacSha512(valueMacKey, head, data, u64be(head.length)).slice(0, MAC_LENGTH);
}

export function snapshotMac(ltHash: Uint8Array, version: number, collection: string, snapshotMacKey: Uint8Array): Uint8Array {
  return hmacSha256(snapshotMacKey, ltHash, u64be(version), utf8(collection));
}

export function patchMac(
  snapshotMacOfPatch: Uint8Array,
  valueMacs: readonly Uint8Array[],
  version: number,
  collection: string,
  patchMacKey: Uint8Array,
): Uint8Array {
  return hmacSha256(patchMacKey, snapshotMacOfPatch, ...valueMacs, u64be(version), utf8(collection));
}

/** @throws AppStateError BAD_STATE for a version that is not a non-negative safe integer */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new AppStateError('BAD_STATE', `version ${n} is not a non-negative integer`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
