/**
 * A memo cache keyed by raw key bytes, holding at most `limit` entries and
 * dropping the oldest first. Used to keep expensive per-key work (KeyObject
 * imports, Edwards conversions) out of hot paths; results never depend on it.
 */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>();

  constructor(readonly limit: number) {}

  get(raw: Uint8Array, make: () => V): V {
    const id = cacheId(raw);
    const hit = this.#map.get(id);
    // One lookup on the hot path; `has` only for values stored as undefined.
    if (hit !== undefined || this.#map.has(id)) return hit as V;
    const value = make();
    this.#put(id, value);
    return value;
  }

  set(raw: Uint8Array, value: V): void {
    this.#put(cacheId(raw), value);
  }

  #put(id: string, value: V): void {
    if (this.#map.size >= this.limit) {
      // Map iteration order is insertion order: drop the oldest entry.
      this.#map.delete(this.#map.keys().next().value as string);
    }
    this.#map.set(id, value);
  }
}

function cacheId(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('latin1');
}
