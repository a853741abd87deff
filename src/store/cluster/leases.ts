/**
 * Account leases in a shared PostgreSQL store: which daemon owns which
 * account, for how long, under which fencing token. Each acquisition of an
 * account (a free one, or one whose lease expired) increments its token; the
 * store's writes check the token in their own transaction (backend/postgres.ts),
 * so once another daemon holds the account every write of the old owner is
 * refused, however late it arrives.
 *
 * Time is the database's (now(), clock_timestamp()): daemons' clocks never
 * have to agree. A lease is renewed well before it expires; a renewal that
 * finds the lease taken or expired reports the account as lost and this
 * daemon stops using it (only a new acquisition, with a new token, brings it
 * back). Daemons announce themselves in `daemons` (a heartbeat with their
 * control endpoint), so every daemon knows how many are alive.
 *
 * Owns the SQL of leases and heartbeats; which accounts to claim is the
 * daemon's (daemon/cluster).
 */
import pg from 'pg';
import type { Fence } from '../backend/postgres.js';

export interface LeaseKeeperOptions {
  /** The store's database (postgres://…) and schema. */
  readonly url: string;
  readonly schema?: string | undefined;
  /** This daemon's id: unique among the daemons sharing the database. */
  readonly daemonId: string;
  /** How long a lease and a heartbeat last without renewal. */
  readonly leaseMs: number;
  /** Where other daemons send requests forwarded to this one (http://host:port); null: nowhere. advertise() may set it later. */
  readonly endpoint?: string | null;
  /** Told when a lease is lost (taken over, expired, or refused at a write). */
  readonly onLost?: (account: string) => void;
}

export interface LiveDaemon {
  readonly id: string;
  readonly endpoint: string | null;
}

export interface LeaseRow {
  readonly account: string;
  readonly owner: string | null;
  readonly token: bigint;
  readonly live: boolean;
}

export class LeaseKeeper implements Fence {
  readonly #pool: pg.Pool;
  readonly #options: LeaseKeeperOptions;
  readonly #held = new Map<string, bigint>();
  #endpoint: string | null;

  /**
   * Connects on two connections of its own: renewals must never queue behind
   * the store's writes, or a busy daemon would lose its leases.
   * The tables come from the store's migrations: open the store first.
   */
  constructor(options: LeaseKeeperOptions, onConnectionError?: (err: Error) => void) {
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: 2,
      connectionTimeoutMillis: Math.max(1000, Math.floor(options.leaseMs / 4)),
      // A renewal slower than this is useless: the lease would be gone by the time it returns.
      statement_timeout: Math.max(1000, Math.floor(options.leaseMs / 2)),
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    this.#pool.on('error', (err) => onConnectionError?.(err));
    this.#options = options;
    this.#endpoint = options.endpoint ?? null;
  }

  /** Where other daemons reach this one from the next heartbeat on (a listener's port is known once it listens). */
  advertise(endpoint: string | null): void {
    this.#endpoint = endpoint;
  }

  /** Closes the connections (leases are kept until they expire: call leave() first to hand them over). */
  async close(): Promise<void> {
    await this.#pool.end();
  }

  get owner(): string {
    return this.#options.daemonId;
  }

  /** The accounts this daemon holds, with their tokens. */
  get held(): ReadonlyMap<string, bigint> {
    return this.#held;
  }

  token(account: string): bigint | undefined {
    return this.#held.get(account);
  }

  refused(account: string): void {
    this.#lose(account);
  }

  /** Announces this daemon (or keeps it announced). */
  async heartbeat(): Promise<void> {
    await this.#pool.query(
      `INSERT INTO daemons (id, endpoint, seen_at) VALUES ($1, $2, clock_timestamp())
       ON CONFLICT (id) DO UPDATE SET endpoint = EXCLUDED.endpoint, seen_at = EXCLUDED.seen_at`,
      [this.owner, this.#endpoint],
    );
  }

  /** Daemons whose heartbeat is younger than a lease, this one included once it has beaten. */
  async liveDaemons(): Promise<LiveDaemon[]> {
    const res = await this.#pool.query<{ id: string; endpoint: string | null }>(
      `SELECT id, endpoint FROM daemons WHERE seen_at > clock_timestamp() - make_interval(secs => $1::double precision / 1000) ORDER BY id`,
      [this.#options.leaseMs],
    );
    return res.rows;
  }

  /**
   * Takes the account if it is free or its lease expired (a new token), and
   * returns the token; undefined when another daemon holds it. An account
   * this daemon already holds is kept as it is.
   */
  async acquire(account: string): Promise<bigint | undefined> {
    const mine = this.#held.get(account);
    if (mine !== undefined) return mine;
    const res = await this.#pool.query<{ token: string }>(
      `INSERT INTO account_leases AS l (account, owner, token, expires_at)
         VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3::double precision / 1000))
       ON CONFLICT (account) DO UPDATE SET owner = EXCLUDED.owner, token = l.token + 1, expires_at = EXCLUDED.expires_at
         WHERE l.owner IS NULL OR l.expires_at <= clock_timestamp()
       RETURNING token`,
      [account, this.owner, this.#options.leaseMs],
    );
    const row = res.rows[0];
    if (!row) return undefined;
    const token = BigInt(row.token);
    this.#held.set(account, token);
    return token;
  }

  /**
   * Extends every lease still held (same token, not yet expired); the others
   * are lost: returned, and reported to onLost.
   */
  async renew(): Promise<string[]> {
    if (this.#held.size === 0) return [];
    const accounts = [...this.#held.keys()];
    const tokens = accounts.map((a) => String(this.#held.get(a)));
    const res = await this.#pool.query<{ account: string }>(
      `UPDATE account_leases AS l SET expires_at = clock_timestamp() + make_interval(secs => $4::double precision / 1000)
       FROM unnest($1::text[], $2::bigint[]) AS f(account, token)
       WHERE l.account = f.account AND l.token = f.token AND l.owner = $3 AND l.expires_at > clock_timestamp()
       RETURNING l.account`,
      [accounts, tokens, this.owner, this.#options.leaseMs],
    );
    const renewed = new Set(res.rows.map((r) => r.account));
    const lost = accounts.filter((a) => !renewed.has(a) && this.#held.has(a));
    for (const a of lost) this.#lose(a);
    return lost;
  }

  /** Gives the account up at once (its writes stop first): another daemon may take it now. */
  async release(account: string): Promise<void> {
    const token = this.#held.get(account);
    if (token === undefined) return;
    this.#held.delete(account);
    await this.#pool.query(`UPDATE account_leases SET owner = NULL, expires_at = clock_timestamp() WHERE account = $1 AND owner = $2 AND token = $3`, [
      account,
      this.owner,
      String(token),
    ]);
  }

  /** Every lease row (the accounts' owners as the database sees them). */
  async leases(): Promise<LeaseRow[]> {
    const res = await this.#pool.query<{ account: string; owner: string | null; token: string; live: boolean }>(
      `SELECT account, owner, token, (owner IS NOT NULL AND expires_at > clock_timestamp()) AS live FROM account_leases ORDER BY account`,
    );
    return res.rows.map((r) => ({ account: r.account, owner: r.owner, token: BigInt(r.token), live: r.live }));
  }

  /** Deletes the account's lease row (the account is removed for good). */
  async forget(account: string): Promise<void> {
    this.#held.delete(account);
    await this.#pool.query(`DELETE FROM account_leases WHERE account = $1`, [account]);
  }

  /** Leaves the cluster: every lease released, the heartbeat removed. */
  async leave(): Promise<void> {
    const accounts = [...this.#held.keys()];
    this.#held.clear();
    await this.#pool.query(`UPDATE account_leases SET owner = NULL, expires_at = clock_timestamp() WHERE owner = $1 AND account = ANY($2::text[])`, [this.owner, accounts]);
    await this.#pool.query(`DELETE FROM daemons WHERE id = $1`, [this.owner]);
  }

  #lose(account: string): void {
    if (!this.#held.delete(account)) return;
    this.#options.onLost?.(account);
  }
}
