/**
 * Who runs an account in a shared PostgreSQL store, as a daemon that does
 * not run it asks before forwarding a request: the lease's owner while the
 * lease is live, and where that daemon takes forwarded requests (the endpoint
 * of its heartbeat).
 *
 * Answers are kept for a short while (most requests of a busy caller go to
 * the same few accounts, and a lookup per request would put a round trip on
 * each), bounded in number, and looked up once per account at a time. A
 * caller that finds an answer wrong (the owner says it no longer holds the
 * account, or cannot be reached) forgets it and asks again.
 *
 * Owns that SQL and the cache; the forwarding is the daemon's (daemon/cluster).
 */
import pg from 'pg';

export interface AccountOwner {
  /** The daemon holding the live lease; null: nobody does (free, released, or expired). */
  readonly owner: string | null;
  /** Where that daemon takes forwarded requests; null when it takes none or is not announced. */
  readonly endpoint: string | null;
}

export interface OwnerDirectoryOptions {
  readonly url: string;
  readonly schema?: string | undefined;
  /** How long an answer is used before it is asked again. */
  readonly ttlMs: number;
  /** Answers kept at most (the oldest go first). Default 10,000. */
  readonly maxEntries?: number;
  /** A lookup slower than this fails (the request is answered UNAVAILABLE rather than kept waiting). */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

const NOBODY: AccountOwner = { owner: null, endpoint: null };

export class OwnerDirectory {
  readonly #pool: pg.Pool;
  readonly #options: OwnerDirectoryOptions;
  readonly #cache = new Map<string, { at: number; owner: AccountOwner }>();
  readonly #pending = new Map<string, Promise<AccountOwner>>();
  readonly #now: () => number;

  /** Its own two connections: lookups must not queue behind the store's writes, nor delay lease renewals. */
  constructor(options: OwnerDirectoryOptions, onConnectionError?: (err: Error) => void) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: 2,
      connectionTimeoutMillis: options.timeoutMs,
      statement_timeout: options.timeoutMs,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    this.#pool.on('error', (err) => onConnectionError?.(err));
  }

  /** The account's owner as last looked up (at most ttlMs ago). @throws Error when the database does not answer */
  lookup(account: string): Promise<AccountOwner> {
    const hit = this.#cache.get(account);
    if (hit && this.#now() - hit.at < this.#options.ttlMs) return Promise.resolve(hit.owner);
    let pending = this.#pending.get(account);
    if (!pending) {
      pending = this.#query(account).finally(() => this.#pending.delete(account));
      this.#pending.set(account, pending);
    }
    return pending;
  }

  /** Every account with a live lease, and its owner (one query, not cached: account:list shows where each account runs). @throws Error when the database does not answer */
  async all(): Promise<Map<string, AccountOwner>> {
    const res = await this.#pool.query<{ account: string; owner: string; endpoint: string | null }>(
      `SELECT l.account, l.owner, d.endpoint FROM account_leases l LEFT JOIN daemons d ON d.id = l.owner
       WHERE l.owner IS NOT NULL AND l.expires_at > clock_timestamp()`,
    );
    return new Map(res.rows.map((r) => [r.account, { owner: r.owner, endpoint: r.endpoint }]));
  }

  /** The answer for the account was wrong: the next lookup asks the database. */
  forget(account: string): void {
    this.#cache.delete(account);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #query(account: string): Promise<AccountOwner> {
    const res = await this.#pool.query<{ owner: string; endpoint: string | null }>(
      `SELECT l.owner, d.endpoint FROM account_leases l LEFT JOIN daemons d ON d.id = l.owner
       WHERE l.account = $1 AND l.owner IS NOT NULL AND l.expires_at > clock_timestamp()`,
      [account],
    );
    const row = res.rows[0];
    const owner = row ? { owner: row.owner, endpoint: row.endpoint } : NOBODY;
    this.#cache.delete(account);
    this.#cache.set(account, { at: this.#now(), owner });
    const max = this.#options.maxEntries ?? 10_000;
    // A Map iterates in insertion order: the first keys are the oldest answers.
    for (const k of this.#cache.keys()) {
      if (this.#cache.size <= max) break;
      this.#cache.delete(k);
    }
    return owner;
  }
}
