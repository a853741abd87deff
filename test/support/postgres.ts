/**
 * A private PostgreSQL server for one test file (or one benchmark): Debian's
 * postgresql binaries, a cluster in a temp dir, listening on 127.0.0.1 at a
 * free port, removed at stop(). `.ci/run` installs the binaries where they are
 * missing.
 *
 * PostgreSQL refuses to run as root, and tests run as root in CI: there the
 * server runs as the `postgres` user (which Debian's package creates) through
 * runuser, in a directory given to that user.
 *
 * initdb costs about 3 s on this machine, most of a file's budget: it runs once
 * per machine into a template directory, which every later start copies
 * (a fraction of a second). The server runs without fsync: its data is
 * thrown away with the test, and what the tests kill is wad, not PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const USER = 'wad';

export interface TestPostgres {
  /** postgres://wad@127.0.0.1:<port>/postgres (trust authentication: loopback only). */
  readonly url: string;
  readonly port: number;
  /** A URL for a fresh database of its own (for a store a test wants to itself). */
  createDatabase(name: string): Promise<string>;
  /** Runs one statement on the default database (a test's look at the rows). */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stops the server at once and deletes its files. Idempotent. */
  stop(): Promise<void>;
}

/** The directory holding initdb, pg_ctl and postgres: $WAD_PG_BIN, else Debian's newest, else PATH. */
export function postgresBinDir(): string | undefined {
  if (process.env.WAD_PG_BIN) return process.env.WAD_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  return undefined;
}

const asRoot = userInfo().uid === 0;

/** Runs a PostgreSQL program, as the postgres user when we are root. */
async function pgRun(bin: string, program: string, args: readonly string[]): Promise<void> {
  const cmd = join(bin, program);
  if (asRoot) await run('runuser', ['-u', 'postgres', '--', cmd, ...args], { timeout: 60_000 });
  else await run(cmd, [...args], { timeout: 60_000 });
}

async function giveToServer(path: string): Promise<void> {
  if (!asRoot) return;
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(path, Number(stdout.trim()), Number(gid.trim()));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** An initdb'd cluster to copy, made once per machine, user and server version. */
async function template(bin: string): Promise<string> {
  const dir = join(tmpdir(), `wad-pg-template-${bin.replace(/[^A-Za-z0-9]+/g, '_')}-${userInfo().uid}`);
  if (existsSync(join(dir, 'data', 'PG_VERSION'))) return dir;
  // Built beside its final name and renamed into place: files starting together never see half a template.
  const building = await mkdtemp(`${dir}.building-`);
  await giveToServer(building);
  await pgRun(bin, 'initdb', ['-D', join(building, 'data'), '-A', 'trust', '-U', USER, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  try {
    await rename(building, dir);
  } catch {
    await rm(building, { recursive: true, force: true }); // another file won the race: its template is as good
  }
  return dir;
}

/**
 * Starts a server (about 0.5 s once the template exists).
 * @throws Error when no PostgreSQL binaries are installed (`apt-get install postgresql`)
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: `apt-get install -y postgresql` (or set WAD_PG_BIN to its bin directory)');
  const tmpl = await template(bin);
  const dir = await mkdtemp(join(tmpdir(), 'wad-pg-'));
  await giveToServer(dir);
  const data = join(dir, 'data');
  await run('cp', ['-a', join(tmpl, 'data'), data]);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const opts = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off -c max_connections=200`;
    try {
      await pgRun(bin, 'pg_ctl', ['-D', data, '-w', '-t', '30', '-o', opts, '-l', join(dir, 'server.log'), 'start']);
      break;
    } catch (err) {
      // Another process may have taken the port between our probe and the server's bind.
      if (attempt >= 3) {
        const log = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
        await rm(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`);
      }
    }
  }
  const postmaster = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  // A test worker that dies without stop() must not leave a server behind.
  const killOnExit = (): void => {
    try {
      process.kill(postmaster, 'SIGQUIT');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      await pgRun(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(killOnExit);
      for (let i = 0; i < 50 && (await stat(join(data, 'postmaster.pid')).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 50));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Each account's owner while its lease is live, as the database sees it (a cluster test's view). */
export async function liveLeaseOwners(postgres: Pick<TestPostgres, 'query'>): Promise<Map<string, string>> {
  const rows = await postgres.query<{ account: string; owner: string }>('SELECT account, owner FROM account_leases WHERE owner IS NOT NULL AND expires_at > clock_timestamp()');
  return new Map(rows.map((r) => [r.account, r.owner]));
}
