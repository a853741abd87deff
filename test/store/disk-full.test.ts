// A real full disk (a 2 MiB tmpfs, when this process may mount one): LevelDB's
// ENOSPC becomes StoreError NO_SPACE, writes succeed again on the same handle
// once space is freed, and a daemon that cannot start for lack of space says
// so. Skipped where mounting is not permitted (not root).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createDaemon } from '../../src/daemon/index.js';
import { Store } from '../../src/store/index.js';
import { silent } from '../account/support/harness.js';

const mnt = mkdtempSync(join(tmpdir(), 'wad-full-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'ignore' });
  mounted = true;
} catch {
  // Not permitted here: the tests below are skipped.
}

afterAll(() => {
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

/** Fills the file system until a write fails; returns the filler to delete. */
async function fill(): Promise<string> {
  const path = join(mnt, 'filler');
  await writeFile(path, Buffer.alloc(4 << 20)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOSPC') throw err;
  });
  return path;
}

describe.skipIf(!mounted)('on a full disk', () => {
  const dataDir = join(mnt, 'data');
  beforeAll(async () => {
    const store = await Store.open(dataDir);
    await store.putAccount({ id: 'acc', createdAt: 1, config: {} });
    await store.close();
  });

  it('a write fails NO_SPACE, and the same store writes again once space is freed', async () => {
    const store = await Store.open(dataDir);
    const filler = await fill();
    const account = await store.account('acc');
    const big = { type: 'x', t: 1, data: { pad: 'y'.repeat(64 << 10) } };
    let failure: unknown;
    for (let i = 0; i < 64 && !failure; i++) await account.transaction((tx) => tx.events.append([big])).catch((err: unknown) => (failure = err));
    expect(failure).toMatchObject({ code: 'NO_SPACE', message: expect.stringMatching(/disk is full/) });
    await rm(filler);
    await account.transaction((tx) => tx.events.append([{ type: 'y', t: 2, data: {} }]));
    expect((await account.events.read(account.events.lastSeq, 1))[0]!.type).toBe('y');
    await store.close();
  });

  it('a daemon that cannot start for lack of space says so (NO_SPACE, naming the data dir)', async () => {
    const filler = await fill();
    try {
      const config = loadConfig({
        env: {},
        overrides: [
          { key: 'dataDir', value: dataDir, source: 'test' },
          { key: 'server.wsUrl', value: 'ws://127.0.0.1:9/ws/chat', source: 'test' },
        ],
      });
      await expect(createDaemon(config, { logger: silent, ipc: false, pool: { inline: 'all' } })).rejects.toMatchObject({
        code: 'NO_SPACE',
        message: expect.stringMatching(/full/),
      });
    } finally {
      await rm(filler);
    }
  });
});
