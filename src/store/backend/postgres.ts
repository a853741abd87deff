/**
 * KVBackend on PostgreSQL (the `pg` driver): one table `kv (k bytea, v bytea)`
 * that several daemons share. A batch is one SQL transaction, so it applies
 * whole or not at all, and once COMMIT returned it is durable in the server.
 *
 * Fencing: with a `fence`, every batch that writes an account's records first
 * checks, in the same transaction, that this daemon still holds the account's
 * lease with the token it was given, and keeps the lease row share-locked until
 * COMMIT. Another daemon that takes the lease over increments the token under a
 * row lock, so it waits for a write in flight to finish, and every write after
 * it fails the check: a daemon that was paused past its lease (SIGSTOP, a long
 * GC, a network cut) writes nothing once it wakes. The refusal is FENCED.
 *
 * Shared by a cluster (with a fence), a batch that appends events announces
 * them in its own transaction, and subscriber cursors are exempt from the
 * fence and never lowered (pg-events.ts says why).
 *
 * Owns connections, SQL and error mapping; the leases themselves (who holds
 * what) belong to the lease keeper (store/cluster).
 */
import pg from 'pg';
import { isNoSpace, StoreError } from '../errors.js';
import { isCursorKey, noticeChannel, noticesOf } from './pg-events.js';
import { migrate } from './pg-migrations.js';
import type { BatchOp, Entry, KVBackend, KeyRange } from './types.js';

/** What a fenced backend asks before each write of an account. */
export interface Fence {
  /** This daemon's id (the lease rows' owner). */
  readonly owner: string;
  /** The token of the lease this daemon holds on the account, or undefined when it holds none. */
  token(account: string): bigint | undefined;
  /** The database refused a write of the account: its lease is lost (taken over or expired). */
  refused(account: string): void;
}

export interface PostgresBackendOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Connections at most (default 10). */
  readonly maxConnections?: number;
  /** A schema of its own (created when missing): stores that share a database, tests. */
  readonly schema?: string;
  /** Checks every account write against this daemon's leases. */
  readonly fence?: Fence;
  /** An idle connection broke (the pool replaces it; nothing was lost). */
  readonly onConnectionError?: (err: Error) => void;
  /** Announce event appends and webhook changes to the other daemons (default: when fenced). */
  readonly announce?: boolean;
  /** How its connections are named in pg_stat_activity (default: storeApplicationName(schema), which `wad store repair` looks for). */
  readonly applicationName?: string;
}

/** The name a daemon's store connections carry in pg_stat_activity: a repair refuses to run beside them. */
export function storeApplicationName(schema: string | undefined): string {
  return `wad-store:${schema ?? 'public'}`;
}

/** Entries fetched per round trip of a scan. */
const PAGE = 512;
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const ACCOUNT_KEY = /^(?:a\/([^/]+)\/|accounts\/([^/]+)$)/;
const latin1 = (k: Uint8Array): string => Buffer.from(k.buffer, k.byteOffset, Math.min(k.byteLength, 80)).toString('latin1');

/** The account a key belongs to (its namespace or its registry entry), or undefined for daemon-wide keys. */
export function accountOfKey(k: Uint8Array): string | undefined {
  const m = ACCOUNT_KEY.exec(latin1(k));
  return m ? (m[1] ?? m[2]) : undefined;
}

export class PostgresBackend implements KVBackend {
  readonly #pool: pg.Pool;
  readonly #fence: Fence | undefined;
  /** Where appends are announced; undefined: not announced. */
  readonly #channel: string | undefined;
  #closed = false;
  /** The schema versions this open applied (the first open of a database applies them all). */
  readonly migrated: readonly number[];

  private constructor(pool: pg.Pool, options: PostgresBackendOptions, migrated: readonly number[]) {
    this.#pool = pool;
    this.#fence = options.fence;
    this.#channel = (options.announce ?? options.fence !== undefined) ? noticeChannel(options.schema) : undefined;
    this.migrated = migrated;
  }

  /**
   * Connects and applies the migrations the database lacks.
   * @throws StoreError OPEN_FAILED (unreachable, refused, a schema newer than this build)
   */
  static async open(options: PostgresBackendOptions): Promise<PostgresBackend> {
    if (options.schema !== undefined && !SCHEMA_PATTERN.test(options.schema)) {
      throw new StoreError('OPEN_FAILED', `store schema must match ${SCHEMA_PATTERN} (got ${JSON.stringify(options.schema)})`);
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 10_000,
      // A statement stuck behind a lock or a dead server fails instead of holding an account for good.
      statement_timeout: 60_000,
      application_name: options.applicationName ?? storeApplicationName(options.schema),
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    pool.on('error', (err) => options.onConnectionError?.(err));
    let migrated: number[];
    try {
      const client = await pool.connect();
      try {
        if (options.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
        migrated = await migrate(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw new StoreError('OPEN_FAILED', `cannot open the PostgreSQL store at ${redact(options.url)}: ${(err as Error).message}`, { cause: err });
    }
    return new PostgresBackend(pool, options, migrated);
  }

  /** The connection pool (the lease keeper runs its statements on it). */
  get pool(): pg.Pool {
    return this.#pool;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    const res = await this.#read(() => this.#pool.query<{ v: Buffer }>('SELECT v FROM kv WHERE k = $1', [Buffer.from(key)]));
    return res.rows[0] ? new Uint8Array(res.rows[0].v) : undefined;
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.#assertOpen();
    if (keys.length === 0) return [];
    const res = await this.#read(() => this.#pool.query<{ k: Buffer; v: Buffer }>('SELECT k, v FROM kv WHERE k = ANY($1::bytea[])', [keys.map((k) => Buffer.from(k))]));
    const found = new Map(res.rows.map((r) => [r.k.toString('latin1'), r.v]));
    return keys.map((k) => {
      const v = found.get(Buffer.from(k).toString('latin1'));
      return v && new Uint8Array(v);
    });
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.#assertOpen();
    if (ops.length === 0) return;
    // The last operation on a key is the one that counts; one row per key also keeps ON CONFLICT to one update each.
    const last = new Map<string, BatchOp>();
    for (const op of ops) last.set(Buffer.from(op.key).toString('latin1'), op);
    const puts: Buffer[] = [];
    const values: Buffer[] = [];
    const cursorPuts: Buffer[] = [];
    const cursorValues: Buffer[] = [];
    const dels: Buffer[] = [];
    for (const op of last.values()) {
      if (op.type === 'del') dels.push(Buffer.from(op.key));
      else if (isCursorKey(op.key)) {
        cursorPuts.push(Buffer.from(op.key));
        cursorValues.push(Buffer.from(op.value));
      } else {
        puts.push(Buffer.from(op.key));
        values.push(Buffer.from(op.value));
      }
    }
    const notices = this.#channel ? noticesOf(last.values(), this.#fence?.owner ?? null) : [];
    const fenced = this.#fenceFor(ops);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw writeError(err);
    }
    try {
      await client.query('BEGIN');
      if (fenced) await this.#checkLeases(client, fenced);
      if (dels.length > 0) await client.query('DELETE FROM kv WHERE k = ANY($1::bytea[])', [dels]);
      if (puts.length > 0) {
        await client.query('INSERT INTO kv (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[]) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v', [puts, values]);
      }
      if (cursorPuts.length > 0) {
        await client.query('INSERT INTO kv AS t (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[]) ON CONFLICT (k) DO UPDATE SET v = GREATEST(t.v, EXCLUDED.v)', [
          cursorPuts,
          cursorValues,
        ]);
      }
      // Delivered at COMMIT, and only if it commits: a listener reads the events as soon as it hears of them.
      if (notices.length > 0) await client.query('SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n', [this.#channel, notices]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      if (err instanceof StoreError) throw err;
      throw writeError(err);
    } finally {
      client.release();
    }
  }

  async *iterate(range: KeyRange): AsyncIterable<Entry> {
    this.#assertOpen();
    const limit = range.limit ?? Infinity;
    if (limit <= 0) return;
    const where: string[] = [];
    const params: unknown[] = [];
    const bound = (op: string, k: Uint8Array | undefined): void => {
      if (k === undefined) return;
      params.push(Buffer.from(k));
      where.push(`k ${op} $${params.length}`);
    };
    bound('>=', range.gte);
    bound('>', range.gt);
    bound('<=', range.lte);
    bound('<', range.lt);
    const order = range.reverse ? 'DESC' : 'ASC';
    const page = (after: Buffer | undefined, size: number): { text: string; values: unknown[] } => {
      const values = after ? [...params, after] : params;
      const clauses = after ? [...where, `k ${range.reverse ? '<' : '>'} $${values.length}`] : where;
      return { text: `SELECT k, v FROM kv${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY k ${order} LIMIT ${size}`, values };
    };
    if (limit <= PAGE) {
      // One statement: one consistent view without holding a connection.
      const q = page(undefined, limit);
      const res = await this.#read(() => this.#pool.query<{ k: Buffer; v: Buffer }>(q.text, q.values));
      for (const r of res.rows) yield [new Uint8Array(r.k), new Uint8Array(r.v)];
      return;
    }
    // A longer scan pages inside one REPEATABLE READ transaction: every page sees the same snapshot.
    const client = await this.#read(() => this.#pool.connect());
    let open = false;
    try {
      await this.#read(() => client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'));
      open = true;
      let after: Buffer | undefined;
      for (let left = limit; left > 0; ) {
        const q = page(after, Math.min(PAGE, left));
        const res = await this.#read(() => client.query<{ k: Buffer; v: Buffer }>(q.text, q.values));
        for (const r of res.rows) yield [new Uint8Array(r.k), new Uint8Array(r.v)];
        if (res.rows.length < PAGE) return;
        left -= res.rows.length;
        after = res.rows[res.rows.length - 1]!.k;
      }
    } finally {
      if (open) await client.query('COMMIT').catch(() => {});
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /** The accounts a batch writes and the tokens to check, or undefined when unfenced or daemon-wide only. */
  #fenceFor(ops: readonly BatchOp[]): Map<string, bigint> | undefined {
    const fence = this.#fence;
    if (!fence) return undefined;
    const tokens = new Map<string, bigint>();
    for (const op of ops) {
      const account = accountOfKey(op.key);
      // A cursor is the consumer's word, whichever daemon carries it; it cannot go back (pg-events.ts).
      if (account === undefined || tokens.has(account) || isCursorKey(op.key)) continue;
      const token = fence.token(account);
      if (token === undefined) throw new StoreError('FENCED', `account ${account}: this daemon holds no lease on it: write refused`);
      tokens.set(account, token);
    }
    return tokens.size > 0 ? tokens : undefined;
  }

  async #checkLeases(client: pg.PoolClient, tokens: Map<string, bigint>): Promise<void> {
    const fence = this.#fence!;
    const accounts = [...tokens.keys()];
    const res = await client.query<{ account: string }>(
      `SELECT l.account FROM account_leases l JOIN unnest($1::text[], $2::bigint[]) AS f(account, token)
         ON l.account = f.account AND l.token = f.token
       WHERE l.owner = $3 AND l.expires_at > clock_timestamp() FOR SHARE OF l`,
      [accounts, [...tokens.values()].map(String), fence.owner],
    );
    if (res.rows.length === accounts.length) return;
    const held = new Set(res.rows.map((r) => r.account));
    const lost = accounts.filter((a) => !held.has(a));
    for (const a of lost) fence.refused(a);
    throw new StoreError('FENCED', `account ${lost.join(', ')}: the lease was lost (taken over or expired): write refused`);
  }

  async #read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (this.#closed) throw new StoreError('CLOSED', 'store is closed', { cause: err });
      throw new StoreError('READ_FAILED', `read failed: ${(err as Error).message}`, { cause: err });
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('CLOSED', 'store is closed');
  }
}

function writeError(err: unknown): StoreError {
  // 53100: disk_full, 53000 insufficient_resources.
  const code = (err as { code?: unknown }).code;
  if (code === '53100' || isNoSpace(err)) return new StoreError('NO_SPACE', `the database's disk is full: batch not written (${(err as Error).message})`, { cause: err });
  return new StoreError('WRITE_FAILED', `batch failed: ${(err as Error).message}`, { cause: err });
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
