/**
 * The PostgreSQL store's schema, as numbered migrations applied at start.
 * `wad_migrations` records each applied version; a daemon applies the ones
 * missing, each in its own transaction, holding an advisory lock so that
 * daemons starting together on one database apply each migration once.
 * Append only: a released migration is never edited, a change is a new one.
 */
import type pg from 'pg';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'key-value records',
    // bytea compares as unsigned bytes, shorter first on a common prefix: LevelDB's order, which scans rely on.
    sql: `CREATE TABLE kv (k bytea PRIMARY KEY, v bytea NOT NULL)`,
  },
  {
    version: 2,
    name: 'daemons and account leases',
    sql: `
      CREATE TABLE daemons (
        id text PRIMARY KEY,
        endpoint text,
        started_at timestamptz NOT NULL DEFAULT now(),
        seen_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE account_leases (
        account text PRIMARY KEY,
        owner text,
        token bigint NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX account_leases_owner ON account_leases (owner);`,
  },
];

/** An arbitrary constant: the advisory lock that serialises migrations across daemons. */
const MIGRATION_LOCK = 0x77616400;

/**
 * Applies every migration the database lacks; returns the versions applied.
 * @throws Error when the database was migrated past what this build knows (a newer wad wrote it)
 */
export async function migrate(client: pg.ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS wad_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const rows = (await client.query<{ version: number }>('SELECT version FROM wad_migrations')).rows;
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    const known = migrations[migrations.length - 1]?.version ?? 0;
    if (newest > known) throw new Error(`the database's schema is at version ${newest}, newer than this wad knows (${known}): upgrade wad`);
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO wad_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
  }
  return applied;
}

/** The newest version this build knows: a database past it was migrated by a newer wad. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
