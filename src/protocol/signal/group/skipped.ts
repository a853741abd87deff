/**
 * Skipped message keys of one sender-key state, packed into one byte array:
 * entries of 36 bytes (iteration as u32 big-endian ‖ 32-byte message-key
 * seed), in ascending iteration order.
 *
 * Why packed: a Baileys-based sender skips every other iteration (its
 * encrypt asks for iteration + 1), so a receiver's state for such a sender
 * sits at the full bound of skipped keys for good. As one array the bound of
 * 2,000 keys costs 72 KB, one copy to (de)serialise, and nothing at all on an
 * in-order message, which leaves the array shared with the previous state.
 *
 * Owns only this layout; arrays are never modified once built.
 */
export const SKIPPED_ENTRY_BYTES = 36;

export const NO_SKIPPED_KEYS: Uint8Array = new Uint8Array(0);

export function skippedCount(packed: Uint8Array): number {
  return packed.length / SKIPPED_ENTRY_BYTES;
}

function iterationAt(packed: Uint8Array, index: number): number {
  const o = index * SKIPPED_ENTRY_BYTES;
  return ((packed[o]! << 24) | (packed[o + 1]! << 16) | (packed[o + 2]! << 8) | packed[o + 3]!) >>> 0;
}

/** The index of `iteration` (binary search), or -1. */
export function findSkipped(packed: Uint8Array, iteration: number): number {
  let lo = 0;
  let hi = skippedCount(packed) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const it = iterationAt(packed, mid);
    if (it === iteration) return mid;
    if (it < iteration) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function skippedSeedAt(packed: Uint8Array, index: number): Uint8Array {
  const o = index * SKIPPED_ENTRY_BYTES + 4;
  return packed.slice(o, o + 32);
}

/** A new array without the entry at `index`. */
export function withoutSkipped(packed: Uint8Array, index: number): Uint8Array {
  const out = new Uint8Array(packed.length - SKIPPED_ENTRY_BYTES);
  const cut = index * SKIPPED_ENTRY_BYTES;
  out.set(packed.subarray(0, cut), 0);
  out.set(packed.subarray(cut + SKIPPED_ENTRY_BYTES), cut);
  return out;
}

/**
 * A new array holding `packed` followed by `added` (iteration, seed) pairs,
 * keeping only the newest `max` entries: the oldest keys are the least
 * likely to still be needed, as libsignal decides too.
 */
export function withSkipped(packed: Uint8Array, added: ReadonlyArray<readonly [number, Uint8Array]>, max: number): Uint8Array {
  const total = skippedCount(packed) + added.length;
  const keep = Math.min(total, max);
  const out = new Uint8Array(keep * SKIPPED_ENTRY_BYTES);
  const dropOld = total - keep;
  let o = 0;
  if (dropOld < skippedCount(packed)) {
    const from = packed.subarray(dropOld * SKIPPED_ENTRY_BYTES);
    out.set(from, 0);
    o = from.length;
  }
  const dropAdded = Math.max(0, dropOld - skippedCount(packed));
  for (let i = dropAdded; i < added.length; i++) {
    const [iteration, seed] = added[i]!;
    out[o] = iteration >>> 24;
    out[o + 1] = (iteration >>> 16) & 0xff;
    out[o + 2] = (iteration >>> 8) & 0xff;
    out[o + 3] = iteration & 0xff;
    out.set(seed, o + 4);
    o += SKIPPED_ENTRY_BYTES;
  }
  return out;
}

/** The iterations held, in order (for tests and diagnostics). */
export function skippedIterations(packed: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < skippedCount(packed); i++) out.push(iterationAt(packed, i));
  return out;
}
