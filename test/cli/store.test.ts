/**
 * `wad store check|repair` (the command's entry, in process: a spawn costs
 * seconds) on a real store: check names the
 * damaged account and exits 1, refuses while the store is in use, repair
 * reports what it did and exits 0 once every account loads, check is clean
 * after it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStore } from '../../src/cli/store.js';
import { LevelBackend } from '../../src/store/backend/level.js';
import { Store } from '../../src/store/index.js';
import { utf8 } from '../../src/store/keys.js';
import { makeCreds } from '../store/helpers.js';

let dir: string;

/** Runs `wad <args>` (args[0] = 'store') and captures what it prints. Calls must not overlap. */
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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wad-cli-store-'));
  const store = await Store.open(dir);
  for (const [i, id] of ['good', 'broken'].entries()) {
    await store.putAccount({ id, createdAt: 1, config: {} });
    await (await store.account(id)).transaction((tx) => tx.creds.set(makeCreds(i + 1)));
  }
  await store.close();
  const db = await LevelBackend.open(join(dir, 'store'));
  await db.batch([{ type: 'put', key: utf8('a/broken/creds'), value: Uint8Array.of(1, 2, 3) }]);
  await db.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('wad store', () => {
  it('check names the damaged account and what is damaged, exit 1; --json says the same', async () => {
    const r = await wad(['store', 'check', '--data-dir', dir]);
    const j = await wad(['store', 'check', '--data-dir', dir, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/account broken: FAILED/);
    expect(r.stdout).toMatch(/credentials a\/broken\/creds: creds: /);
    expect(r.stdout).toMatch(/account good: ok/);
    const report = JSON.parse(j.stdout) as { ok: boolean; accounts: Array<{ id: string; status: string }> };
    expect(report.ok).toBe(false);
    expect(report.accounts.map((a) => [a.id, a.status])).toEqual([
      ['broken', 'failed'],
      ['good', 'ok'],
    ]);
  });

  it('refuses while the store is in use', async () => {
    const running = await Store.open(dir);
    try {
      const r = await wad(['store', 'check', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/in use: stop the daemon first/);
    } finally {
      await running.close();
    }
  });

  it('repair reports each step and exits 0; check is clean after', async () => {
    const r = await wad(['store', 'repair', '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/account broken: quarantined a\/broken\/creds: .*linked again/);
    expect(r.stdout).toMatch(/every account loads now/);
    const after = await wad(['store', 'check', '--data-dir', dir]);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toMatch(/1 record\(s\) kept in quarantine/);
  });

  it('usage errors exit 2', async () => {
    expect((await wad(['store', 'fix'])).code).toBe(2);
    expect((await wad(['store'])).code).toBe(2);
  });
});
