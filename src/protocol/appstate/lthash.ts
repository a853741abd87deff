/**
 * The LT-hash ("WhatsApp Patch Integrity"): a 128-byte summary of the set of
 * value MACs a collection holds, that patches update without rereading the
 * collection. Each value MAC expands by HKDF-SHA256 (no salt) to 128 bytes,
 * read as 64 little-endian uint16 words; adding a record adds its words
 * pointwise mod 2^16, removing one subtracts them. Order does not matter, so
 * any device that applied the same records holds the same hash, and the
 * snapshot MAC over it proves the set is complete.
 */
import { hkdf } from '../crypto/hkdf.js';
import { AppStateError } from './errors.js';

export const LT_HASH_LENGTH = 128;
const LT_HASH_INFO = 'WhatsApp Patch Integrity';

/** The hash of an empty collection. */
export function emptyLtHash(): Uint8Array {
  return new Uint8Array(LT_HASH_LENGTH);
}

/**
 * A new hash: `base` minus every `subtract` item, plus every `add` item.
 * `base` is not modified.
 * @throws AppStateError BAD_STATE when base is not 128 bytes
 */
export function ltHashSubtractThenAdd(base: Uint8Array, subtract: readonly Uint8Array[], add: readonly Uint8Array[]): Uint8Array {
  if (base.length !== LT_HASH_LENGTH) {
    throw new AppStateError('BAD_STATE', `an LT-hash is ${LT_HASH_LENGTH} bytes, got ${base.length}`);
  }
  const out = Uint8Array.from(base);
  for (const item of subtract) mix(out, item, -1);
  for (const item of add) mix(out, item, 1);
  return out;
}

function mix(hash: Uint8Array, item: Uint8Array, sign: 1 | -1): void {
  const words = hkdf(item, LT_HASH_LENGTH, { info: LT_HASH_INFO });
  for (let i = 0; i < LT_HASH_LENGTH; i += 2) {
    const x = hash[i]! | (hash[i + 1]! << 8);
    const y = words[i]! | (words[i + 1]! << 8);
    const r = (x + sign * y) & 0xffff;
    hash[i] = r & 0xff;
    hash[i + 1] = r >>> 8;
  }
}
