/**
 * `wad store check` and `wad store repair` on a PostgreSQL store: the same
 * scan and the same per-account repair as on LevelDB (the records are the
 * same keys in one table), without what only a LevelDB directory has (its
 * own repair, the data dir's marker).
 *
 * check reads one snapshot (a scan longer than a page runs in one REPEATABLE
 * READ transaction), so it may run while daemons use the store; it applies
 * the migrations the database lacks, as a daemon would at start, and creates
 * nothing where no store is. repair writes, so it refuses while any daemon
 * uses the store: a live heartbeat or lease (a cluster), or a store
 * connection of a daemon (its connections are named in pg_stat_activity).
 */
import pg from 'pg';
import { PostgresBackend, redact, storeApplicationName } from '../backend/postgres.js';
import { StoreError } from '../errors.js';
import { STORE_ID_KEY } from '../opening.js';
import { scanStore } from './scan.js';
import { report, repairAccount, type CheckReport, type RepairAction, type RepairReport } from './repair.js';

export interface PostgresStoreLocation {
  /** postgres://… */
  readonly url: string;
  readonly schema?: string | undefined;
  /** A daemon whose heartbeat is younger than this is alive (the cluster's lease time). Default 15 s. */
  readonly leaseMs?: number;
}

/** How check's and repair's own connections are named (never counted as a daemon's). */
const OWN_NAME = 'wad-store-check';

/**
 * Reports what is damaged, per account.
 * @throws StoreError STORE_MISSING (no wad store there), OPEN_FAILED (unreachable, refused)
 */
export async function checkPostgresStore(at: PostgresStoreLocation): Promise<CheckReport> {
  const backend = await openExisting(at);
  try {
    return report(await scanStore(backend), { marker: undefined, storeId: await storeId(backend) }, true);
  } finally {
    await backend.close();
  }
}

/**
 * Repairs what can be repaired, per account in one transaction each, and reports every step.
 * @throws StoreError STORE_MISSING, OPEN_FAILED (also: a daemon still uses the store)
 */
export async function repairPostgresStore(at: PostgresStoreLocation, now = Date.now()): Promise<RepairReport> {
  const backend = await openExisting(at);
  try {
    const users = await storeUsers(backend.pool, at.schema, at.leaseMs ?? 15_000);
    if (users.length > 0) throw new StoreError('OPEN_FAILED', `the store in ${where(at)} is in use (${users.join('; ')}): stop every daemon on it first`);
    const scan = await scanStore(backend);
    if (scan.readError !== undefined) throw new StoreError('STORE_DAMAGED', `the store in ${where(at)} cannot be read: ${scan.readError}`);
    const actions: RepairAction[] = [];
    const stamp = new Date(now).toISOString();
    for (const a of scan.accounts) await repairAccount(backend, a, stamp, now, actions);
    const after = report(await scanStore(backend), { marker: undefined, storeId: await storeId(backend) }, true);
    return { actions, after };
  } finally {
    await backend.close();
  }
}

/** The store's place as people read it: the URL without its password, and the schema. */
export function where(at: PostgresStoreLocation): string {
  return `${redact(at.url)}${at.schema ? ` (schema ${at.schema})` : ''}`;
}

async function openExisting(at: PostgresStoreLocation): Promise<PostgresBackend> {
  const client = new pg.Client({ connectionString: at.url, application_name: OWN_NAME, ...(at.schema ? { options: `-c search_path=${at.schema}` } : {}) });
  let present: boolean;
  try {
    await client.connect();
    present = (await client.query<{ present: boolean }>(`SELECT to_regclass('kv') IS NOT NULL AS present`)).rows[0]?.present === true;
  } catch (err) {
    throw new StoreError('OPEN_FAILED', `cannot reach the PostgreSQL store at ${where(at)}: ${(err as Error).message}`, { cause: err });
  } finally {
    await client.end().catch(() => {});
  }
  if (!present) throw new StoreError('STORE_MISSING', `no wad store in ${where(at)} (no table kv there)`);
  return PostgresBackend.open({ url: at.url, maxConnections: 2, applicationName: OWN_NAME, announce: false, ...(at.schema ? { schema: at.schema } : {}) });
}

async function storeId(backend: PostgresBackend): Promise<string | undefined> {
  const v = await backend.get(STORE_ID_KEY);
  return v && new TextDecoder().decode(v);
}

/** Who uses the store now: daemons by heartbeat or lease, and daemons' store connections. */
async function storeUsers(pool: pg.Pool, schema: string | undefined, leaseMs: number): Promise<string[]> {
  const out: string[] = [];
  const live = await pool.query<{ id: string }>(
    `SELECT DISTINCT owner AS id FROM account_leases WHERE owner IS NOT NULL AND expires_at > clock_timestamp()
     UNION SELECT id FROM daemons WHERE seen_at > clock_timestamp() - make_interval(secs => $1::double precision / 1000)`,
    [leaseMs],
  );
  if (live.rows.length > 0) out.push(`daemon ${live.rows.map((r) => r.id).join(', ')} holds leases or beats a heartbeat`);
  const sessions = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
    [storeApplicationName(schema)],
  );
  const n = Number(sessions.rows[0]?.n ?? 0);
  if (n > 0) out.push(`${n} daemon connection(s) open`);
  return out;
}
