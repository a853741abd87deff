/**
 * KVBackend on LevelDB (the `level` package): one database per daemon at
 * `<data-dir>/store`. LevelDB writes a batch to its log as one record, so a
 * batch is applied whole or not at all, also when the process is killed
 * mid-write; a batch that resolved is in the OS's hands and survives SIGKILL
 * (with `sync: true` it also survives a power loss, at a large cost per write).
 * Owns opening, closing and error mapping; must not know the key layout.
 */
import { Level } from 'level';
import { StoreError } from '../errors.js';
import type { BatchOp, Entry, KVBackend, KeyRange } from './types.js';

export interface LevelBackendOptions {
  /** fsync every batch (survives power loss, ~100× slower writes). Default false. */
  readonly sync?: boolean;
  /** LevelDB block cache in bytes. Default 8 MiB (LevelDB's own default). */
  readonly cacheSize?: number;
}

type Db = Level<Uint8Array, Uint8Array>;

export class LevelBackend implements KVBackend {
  readonly #db: Db;
  readonly #sync: boolean;
  #closed = false;

  private constructor(db: Db, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
  }

  /**
   * Opens (creating if needed) the database in directory `location`.
   * @throws StoreError OPEN_FAILED (for example locked by another daemon)
   */
  static async open(location: string, options: LevelBackendOptions = {}): Promise<LevelBackend> {
    const db: Db = new Level<Uint8Array, Uint8Array>(location, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      ...(options.cacheSize !== undefined ? { cacheSize: options.cacheSize } : {}),
    });
    try {
      await db.open();
    } catch (err) {
      throw new StoreError('OPEN_FAILED', `cannot open store at ${location}: ${describe(err)}`, { cause: err });
    }
    return new LevelBackend(db, options.sync ?? false);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    try {
      return (await this.#db.get(key)) ?? undefined;
    } catch (err) {
      throw new StoreError('READ_FAILED', `read failed: ${describe(err)}`, { cause: err });
    }
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.#assertOpen();
    if (keys.length === 0) return [];
    try {
      const values = await this.#db.getMany(keys as Uint8Array[]);
      return values.map((v) => v ?? undefined);
    } catch (err) {
      throw new StoreError('READ_FAILED', `read failed: ${describe(err)}`, { cause: err });
    }
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.#assertOpen();
    if (ops.length === 0) return;
    try {
      await this.#db.batch(
        ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key })),
        { sync: this.#sync },
      );
    } catch (err) {
      throw new StoreError('WRITE_FAILED', `batch failed: ${describe(err)}`, { cause: err });
    }
  }

  async *iterate(range: KeyRange): AsyncIterable<Entry> {
    this.#assertOpen();
    // LevelDB takes one bound per side (`lte` would override `lt`): pass the stricter one.
    const lower = range.gt && (!range.gte || Buffer.compare(range.gt, range.gte) >= 0) ? { gt: range.gt } : range.gte ? { gte: range.gte } : {};
    const upper = range.lt && (!range.lte || Buffer.compare(range.lt, range.lte) <= 0) ? { lt: range.lt } : range.lte ? { lte: range.lte } : {};
    const it = this.#db.iterator({
      ...lower,
      ...upper,
      ...(range.limit !== undefined ? { limit: range.limit } : {}),
      reverse: range.reverse ?? false,
    });
    try {
      for (;;) {
        let chunk: [Uint8Array, Uint8Array][];
        try {
          chunk = await it.nextv(256);
        } catch (err) {
          throw new StoreError('READ_FAILED', `scan failed: ${describe(err)}`, { cause: err });
        }
        if (chunk.length === 0) return;
        for (const entry of chunk) yield entry;
      }
    } finally {
      await it.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('CLOSED', 'store is closed');
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
