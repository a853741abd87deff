/**
 * A least-recently-used cache of raw records, bounded by entry count and by
 * bytes (every cache has a bound, or memory grows with traffic). It holds encoded bytes, not
 * decoded objects, so a caller that mutates what it read cannot corrupt it.
 * `null` records a key known to be absent (sessions are often looked up for
 * devices we have none with). Owns eviction only; coherence with the backend
 * is the account store's job (it writes here only after a batch commits).
 */

export interface CacheLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** Rough per-entry cost of the Map slot and the key string, so tiny records still count. */
const ENTRY_OVERHEAD = 48;

export class LruCache {
  readonly #limits: CacheLimits;
  #map = new Map<string, Uint8Array | null>();
  #bytes = 0;

  constructor(limits: CacheLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#map.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** undefined: not cached; null: cached as absent. Marks the entry as recently used. */
  get(k: string): Uint8Array | null | undefined {
    const v = this.#map.get(k);
    if (v === undefined) return undefined;
    this.#map.delete(k);
    this.#map.set(k, v);
    return v;
  }

  set(k: string, v: Uint8Array | null): void {
    this.delete(k);
    const cost = costOf(k, v);
    if (cost > this.#limits.maxBytes || this.#limits.maxEntries === 0) return;
    this.#map.set(k, v);
    this.#bytes += cost;
    this.#evict();
  }

  delete(k: string): void {
    const old = this.#map.get(k);
    if (old === undefined) return;
    this.#map.delete(k);
    this.#bytes -= costOf(k, old);
  }

  clear(): void {
    this.#map = new Map();
    this.#bytes = 0;
  }

  #evict(): void {
    for (const [k, v] of this.#map) {
      if (this.#map.size <= this.#limits.maxEntries && this.#bytes <= this.#limits.maxBytes) return;
      this.#map.delete(k);
      this.#bytes -= costOf(k, v);
    }
  }
}

function costOf(k: string, v: Uint8Array | null): number {
  return ENTRY_OVERHEAD + k.length + (v ? v.byteLength : 0);
}
