/**
 * `wad store check|repair` on a PostgreSQL store (the config's store.url and
 * store.schema), in process against a private server: check names the
 * damaged account and runs beside a daemon's connections; repair refuses
 * while a daemon uses the store (its connections, a live lease), then
 * quarantines what does not decode and check is clean after it; a database
 * without a store is said so and left as it was.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStore } from '../../src/cli/store.js';
import { Store } from '../../src/store/index.js';
import { makeCreds } from '../store/helpers.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const SCHEMA = 'checked';
let dir: string;
let postgres: TestPostgres;
let config: string;

async function wad(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await runStore(args.slice(1)), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const openStore = () => Store.open(dir, { postgres: { url: postgres.url, schema: SCHEMA, maxConnections: 2 } });

beforeAll(async () => {
  [dir, postgres] = await Promise.all([mkdtemp(join(tmpdir(), 'wad-cli-store-pg-')), startPostgres()]);
  config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ dataDir: dir, store: { backend: 'postgres', url: postgres.url, schema: SCHEMA } }));
  const store = await openStore();
  for (const [i, id] of ['good', 'broken'].entries()) {
    await store.putAccount({ id, createdAt: 1, config: {} });
    await (await store.account(id)).transaction((tx) => tx.creds.set(makeCreds(i + 1)));
  }
  await store.close();
  await postgres.query(`UPDATE ${SCHEMA}.kv SET v = '\\x010203'::bytea WHERE k = convert_to('a/broken/creds', 'UTF8')`);
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('wad store on PostgreSQL', () => {
  it('check names the damaged account, also beside a running daemon; --json says the same', async () => {
    const running = await openStore();
    try {
      const r = await wad(['store', 'check', '--config', config]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^store postgres:\/\/.*\(schema checked\)/);
      expect(r.stdout).toMatch(/account broken: FAILED/);
      expect(r.stdout).toMatch(/credentials a\/broken\/creds: creds: /);
      expect(r.stdout).toMatch(/account good: ok/);
    } finally {
      await running.close();
    }
    const j = await wad(['store', 'check', '--config', config, '--json']);
    const report = JSON.parse(j.stdout) as { ok: boolean; marker: string; accounts: Array<{ id: string; status: string }> };
    expect(report.ok).toBe(false);
    expect(report.marker).toBe('none');
    expect(report.accounts.map((a) => [a.id, a.status])).toEqual([
      ['broken', 'failed'],
      ['good', 'ok'],
    ]);
  });

  it('repair refuses while a daemon uses the store: its connections, or a live lease', async () => {
    const running = await openStore();
    try {
      const r = await wad(['store', 'repair', '--config', config]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/in use \(.*daemon connection.*\): stop every daemon/);
    } finally {
      await running.close();
    }
    await postgres.query(`INSERT INTO ${SCHEMA}.account_leases (account, owner, token, expires_at) VALUES ('good', 'd7', 1, clock_timestamp() + interval '1 minute')`);
    try {
      const r = await wad(['store', 'repair', '--config', config]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/daemon d7 holds leases/);
    } finally {
      await postgres.query(`DELETE FROM ${SCHEMA}.account_leases`);
    }
    // Nothing was repaired by the refused runs.
    expect((await wad(['store', 'check', '--config', config])).code).toBe(1);
  });

  it('repair reports each step and exits 0; check is clean after, and the account loads', async () => {
    const r = await wad(['store', 'repair', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/account broken: quarantined a\/broken\/creds: .*linked again/);
    expect(r.stdout).toMatch(/every account loads now/);
    const after = await wad(['store', 'check', '--config', config]);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toMatch(/1 record\(s\) kept in quarantine/);
    const store = await openStore();
    try {
      expect((await store.account('broken')).creds).toBeUndefined();
      expect((await store.account('good')).creds).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it('a database without a store is said so and left without one', async () => {
    const empty = join(dir, 'empty.json');
    await writeFile(empty, JSON.stringify({ dataDir: dir, store: { backend: 'postgres', url: postgres.url, schema: 'nothing_here' } }));
    const r = await wad(['store', 'check', '--config', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no wad store in .*nothing_here/);
    expect(await postgres.query(`SELECT to_regclass('nothing_here.kv') AS t`)).toEqual([{ t: null }]);
  });
});
