/**
 * KVBackend on LevelDB (the `classic-level` package): one database per daemon at
 * `<data-dir>/store`. LevelDB writes a batch to its log as one record, so a
 * batch is applied whole or not at all, also when the process is killed
 * mid-write; a batch that resolved is in the OS's hands and survives SIGKILL
 * (with `sync: true` it also survives a power loss, at a large cost per write).
 * Owns opening, closing and error mapping; must not know the key layout.
 */
import { ClassicLevel } from 'classic-level';
import { isNoSpace, StoreError } from '../errors.js';
import type { BatchOp, Entry, KVBackend, KeyRange } from './types.js';

export interface LevelBackendOptions {
  /** fsync every batch (survives power loss, ~100× slower writes). Default false. */
  readonly sync?: boolean;
  /** LevelDB block cache in bytes. Default 8 MiB (LevelDB's own default). */
  readonly cacheSize?: number;
  /**
   * Create an empty database when there is none. Default false: a data dir
   * that lost its CURRENT file must be refused, not silently replaced by an
   * empty store (Store.open decides when a store is new).
   */
  readonly createIfMissing?: boolean;
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;

export class LevelBackend implements KVBackend {
  readonly #db: Db;
  readonly #sync: boolean;
  #closed = false;

  private constructor(db: Db, sync: boolean) {
    this.#db = db;
    this.#sync = sync;
  }

  /**
   * Opens the database in directory `location` (creating it only with `createIfMissing`).
   * @throws StoreError STORE_MISSING (no database there), STORE_DAMAGED (LevelDB reports corruption),
   *   NO_SPACE (the disk is full), OPEN_FAILED (locked by another daemon, unreadable…)
   */
  static async open(location: string, options: LevelBackendOptions = {}): Promise<LevelBackend> {
    const createIfMissing = options.createIfMissing ?? false;
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(location, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      createIfMissing,
      errorIfExists: false,
      ...(options.cacheSize !== undefined ? { cacheSize: options.cacheSize } : {}),
    });
    try {
      await db.open();
    } catch (err) {
      throw openError(location, err);
    }
    return new LevelBackend(db, options.sync ?? false);
  }

  /**
   * LevelDB's repair: rebuilds CURRENT and the MANIFEST from the table and log
   * files it finds, keeping every record it can read (the rest is moved to
   * `lost/`). The database must not be open.
   * @throws StoreError OPEN_FAILED (locked), NO_SPACE, STORE_DAMAGED
   */
  static async repair(location: string): Promise<void> {
    try {
      await ClassicLevel.repair(location);
    } catch (err) {
      const mapped = openError(location, err);
      throw new StoreError(mapped.code, `repair of ${location} failed: ${describe(err)}`, { cause: err });
    }
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
      if (isNoSpace(err)) throw new StoreError('NO_SPACE', `the disk is full: batch not written (${describe(err)})`, { cause: err });
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
  if (!(err instanceof Error)) return String(err);
  // abstract-level wraps LevelDB's status in `cause`: the status says what went wrong.
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && cause.message !== err.message ? `${err.message}: ${cause.message}` : err.message;
}

function levelCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function openError(location: string, err: unknown): StoreError {
  const text = describe(err);
  if (isNoSpace(err)) return new StoreError('NO_SPACE', `cannot open the store at ${location}: the disk is full (${text})`, { cause: err });
  if (levelCode(err) === 'LEVEL_LOCKED') return new StoreError('OPEN_FAILED', `cannot open the store at ${location}: locked by another process (is a daemon running on this data dir?)`, { cause: err });
  if (/does not exist \(create_if_missing is false\)/.test(text)) return new StoreError('STORE_MISSING', `no database at ${location} (its CURRENT file is missing)`, { cause: err });
  if (levelCode(err) === 'LEVEL_CORRUPTION' || /Corruption/i.test(text)) return new StoreError('STORE_DAMAGED', `the store at ${location} is damaged: ${text}`, { cause: err });
  return new StoreError('OPEN_FAILED', `cannot open the store at ${location}: ${text}`, { cause: err });
}
