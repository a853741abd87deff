/**
 * An in-memory KVBackend for tests and the simulator: same contract as
 * LevelBackend (atomic batches, byte-ordered scans), plus fault injection so
 * tests can make a batch fail part-way and check that nothing was applied.
 * Must not be used where data has to survive the process.
 */
import { StoreError } from '../errors.js';
import { keyString } from '../keys.js';
import type { BatchOp, Entry, KVBackend, KeyRange } from './types.js';

/** Called before each batch with its operations; throw to make the batch fail. */
export type BatchFault = (ops: readonly BatchOp[]) => void;

// Copies are made with `new Uint8Array(x)`: `Buffer#slice` would return a view, not a copy.
export class MemoryBackend implements KVBackend {
  // latin1 strings sort like the bytes they stand for (one char per byte).
  #data = new Map<string, Uint8Array>();
  #sorted: string[] | undefined = [];
  #closed = false;
  #fault: { failAfterOps: number; error: Error } | undefined;
  #batches = 0;

  /** Batches committed so far (tests count writes with it). */
  get batchCount(): number {
    return this.#batches;
  }

  /** Entries held (tests check that a wipe left nothing behind). */
  get size(): number {
    return this.#data.size;
  }

  /**
   * Makes the next batch fail after it has staged `failAfterOps` operations:
   * the staged part is thrown away, as LevelDB does with a batch it did not log.
   */
  failNextBatch(failAfterOps = 0, error: Error = new Error('injected batch failure')): void {
    this.#fault = { failAfterOps, error };
  }

  async get(k: Uint8Array): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    const v = this.#data.get(keyString(k));
    return v && new Uint8Array(v);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.#assertOpen();
    return keys.map((k) => {
      const v = this.#data.get(keyString(k));
      return v && new Uint8Array(v);
    });
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.#assertOpen();
    const staged = new Map<string, Uint8Array | undefined>();
    const fault = this.#fault;
    this.#fault = undefined;
    for (let i = 0; i < ops.length; i++) {
      if (fault && i === fault.failAfterOps) throw new StoreError('WRITE_FAILED', 'batch failed', { cause: fault.error });
      const op = ops[i]!;
      staged.set(keyString(op.key), op.type === 'put' ? new Uint8Array(op.value) : undefined);
    }
    if (fault) throw new StoreError('WRITE_FAILED', 'batch failed', { cause: fault.error });
    for (const [k, v] of staged) {
      if (v === undefined) {
        if (this.#data.delete(k)) this.#sorted = undefined;
      } else {
        if (!this.#data.has(k)) this.#sorted = undefined;
        this.#data.set(k, v);
      }
    }
    this.#batches++;
  }

  async *iterate(range: KeyRange): AsyncIterable<Entry> {
    this.#assertOpen();
    // Copy the matching entries first: a scan sees one consistent view even if batches land meanwhile.
    const view = this.#select(range);
    for (const entry of view) yield entry;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #select(range: KeyRange): Entry[] {
    const keys = (this.#sorted ??= [...this.#data.keys()].sort());
    const gte = range.gte && keyString(range.gte);
    const gt = range.gt && keyString(range.gt);
    const lte = range.lte && keyString(range.lte);
    const lt = range.lt && keyString(range.lt);
    const out: Entry[] = [];
    const limit = range.limit ?? Infinity;
    const inRange = (k: string): boolean =>
      (gte === undefined || k >= gte) && (gt === undefined || k > gt) && (lte === undefined || k <= lte) && (lt === undefined || k < lt);
    if (!range.reverse) {
      for (let j = lowerBound(keys, gte ?? gt ?? ''); j < keys.length && out.length < limit; j++) {
        const k = keys[j]!;
        if (!inRange(k)) {
          if ((lt !== undefined && k >= lt) || (lte !== undefined && k > lte)) break;
          continue;
        }
        out.push(this.#entry(k));
      }
    } else {
      let start = keys.length;
      if (lt !== undefined) start = Math.min(start, lowerBound(keys, lt));
      if (lte !== undefined) start = Math.min(start, upperBound(keys, lte));
      for (let j = start - 1; j >= 0 && out.length < limit; j--) {
        const k = keys[j]!;
        if (!inRange(k)) {
          if ((gte !== undefined && k < gte) || (gt !== undefined && k <= gt)) break;
          continue;
        }
        out.push(this.#entry(k));
      }
    }
    return out;
  }

  #entry(k: string): Entry {
    return [Uint8Array.from(Buffer.from(k, 'latin1')), new Uint8Array(this.#data.get(k)!)];
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('CLOSED', 'memory backend is closed');
  }
}

/** Index of the first key >= `k` in a sorted array. */
function lowerBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first key > `k` in a sorted array. */
function upperBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
