/**
 * A Map with a size bound that forgets the least recently used entry (field
 * lesson 10: every cache bounded), and an optional time to live per entry.
 */
export class BoundedMap<K, V> {
  readonly #max: number;
  readonly #ttlMs: number | undefined;
  readonly #now: () => number;
  readonly #map = new Map<K, { v: V; at: number }>();

  constructor(max: number, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#max = Math.max(1, max);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#map.size;
  }

  get(k: K): V | undefined {
    const e = this.#map.get(k);
    if (!e) return undefined;
    if (this.#ttlMs !== undefined && this.#now() - e.at > this.#ttlMs) {
      this.#map.delete(k);
      return undefined;
    }
    this.#map.delete(k);
    this.#map.set(k, e);
    return e.v;
  }

  set(k: K, v: V): void {
    this.#map.delete(k);
    this.#map.set(k, { v, at: this.#now() });
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K);
  }

  delete(k: K): boolean {
    return this.#map.delete(k);
  }

  clear(): void {
    this.#map.clear();
  }
}

/**
 * Maps with at most `limit` calls in flight, results in input order. A send
 * to a 500-member group must not put 1,000 jobs at once in the crypto pool's
 * queue ahead of every other account's (the queue is first come, first served).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return out;
}
