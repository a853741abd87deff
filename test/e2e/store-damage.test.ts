// One account's damaged records are that account's alone: with one record of
// each family that is read at start broken (credentials, registry entry,
// event seq, subscriber cursor), the daemon starts, the healthy account runs
// (receives and sends), and each damaged one is `failed` with a reason naming
// what broke. A store that lost its CURRENT file is refused with nothing
// created in its place; `repair` brings every account back. And the data dir
// ends owner-only, whatever it was before.
import { chmod, lstat, mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { checkStore, repairStore } from '../../src/store/index.js';
import { LevelBackend } from '../../src/store/backend/level.js';
import { admin, daemonFor, linkByQr, nextEvent, sim as startSim, tempDir, until } from './support/daemon.js';

const CONTACT = '15550041000';
const phoneOf = (i: number) => `1555004${1001 + i}`;
// One account per family that is loaded at start, plus a healthy one and one to remove.
const IDS = ['healthy', 'creds', 'registry', 'evseq', 'cursor', 'doomed'] as const;
const DAMAGE: Record<string, string> = {
  creds: 'a/creds/creds',
  registry: 'accounts/registry',
  evseq: 'a/evseq/evseq',
  cursor: 'a/cursor/evc/app',
  doomed: 'a/doomed/creds',
};

let s: SimHandle;
beforeAll(async () => {
  s = await startSim();
  await admin(s, 'POST', '/phones', { phone: CONTACT, name: 'Contact' });
  for (const i of [...IDS.keys(), 9]) await admin(s, 'POST', '/phones', { phone: phoneOf(i), name: `p${i}` });
});
afterAll(async () => {
  await s?.close();
});

const daemon = (dir: string): Promise<Daemon> => daemonFor(s, dir, []);

async function contactSays(to: string, text: string): Promise<string> {
  return (await admin<{ id: string }>(s, 'POST', `/phones/${CONTACT}/messages`, { to: `${to}@s.whatsapp.net`, text })).id;
}

async function rawWrite(dir: string, entries: Array<[string, Uint8Array]>): Promise<void> {
  const db = await LevelBackend.open(join(dir, 'store'));
  await db.batch(entries.map(([k, value]) => ({ type: 'put' as const, key: new TextEncoder().encode(k), value })));
  await db.close();
}

/** Every entry under `root` with its mode (symbolic links skipped). */
async function modes(root: string): Promise<Array<[string, string, number]>> {
  const out: Array<[string, string, number]> = [];
  const walk = async (path: string): Promise<void> => {
    const st = await lstat(path);
    if (st.isSymbolicLink()) return;
    out.push([path.slice(root.length) || '/', st.isDirectory() ? 'dir' : st.isSocket() ? 'socket' : 'file', st.mode & 0o777]);
    if (st.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
  };
  await walk(root);
  return out;
}

describe('damaged records of some accounts', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let jidBefore: string | undefined;

  beforeAll(async () => {
    dir = await tempDir('wad-e2e-damage-');
    const d = await daemon(dir.path);
    for (const [i, id] of IDS.entries()) await linkByQr(s, d, id, phoneOf(i));
    await d.ackEvents('app', 'cursor', 1);
    jidBefore = d.accountStatus('healthy').jid;
    await d.stop();
    const garbage = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x07);
    await rawWrite(dir.path, Object.values(DAMAGE).map((k) => [k, garbage] as [string, Uint8Array]));
  }, 90_000);
  afterAll(async () => {
    await dir?.remove();
  });

  it('starts the others, which run; each damaged account is failed, named, with a reason', async () => {
    const d = await daemon(dir.path);
    try {
      await d.accounts.waitFor('healthy', (st) => st.state === 'online', 15_000);
      const byId = Object.fromEntries(d.listAccounts().map((a) => [a.id, a]));
      expect(Object.keys(byId).sort()).toEqual([...IDS].sort());
      expect(byId.creds).toMatchObject({ state: 'failed', reason: expect.stringMatching(/creds/) });
      expect(byId.registry).toMatchObject({ state: 'failed', reason: expect.stringMatching(/registry entry/) });
      expect(byId.evseq).toMatchObject({ state: 'failed', reason: expect.stringMatching(/event seq/) });
      expect(byId.cursor).toMatchObject({ state: 'failed', reason: expect.stringMatching(/event cursor/) });
      expect(d.accountStatus('creds')).toMatchObject({ state: 'failed', reason: byId.creds!.reason });
      await expect(d.startAccount('evseq')).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { state: 'failed' } });
      await expect(d.logoutAccount('cursor')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      // Its log cannot be read: it looks empty, so subscriptions over every account still sync.
      expect(await d.readEvents('creds', 0, 10)).toEqual([]);

      // The healthy account receives and sends.
      const got = nextEvent(d, 'healthy', (e) => e.type === 'message:new' && e.data.content === 'still here?');
      await contactSays(phoneOf(0), 'still here?');
      await got;
      const { messageId } = await d.sendMessage('healthy', `${CONTACT}@s.whatsapp.net`, { type: 'text', content: 'yes' });
      await until('the contact got it', async () => (await admin<Array<{ id: string }>>(s, 'GET', `/phones/${CONTACT}/messages`)).some((m) => m.id === messageId));

      // A failed account can be removed: its records go, unread.
      await d.removeAccount('doomed');
      expect(d.listAccounts().map((a) => a.id)).not.toContain('doomed');
    } finally {
      await d.stop();
    }
    const report = await checkStore(dir.path);
    const status = Object.fromEntries(report.accounts.map((a) => [a.id, a.status]));
    expect(status).toEqual({ healthy: 'ok', creds: 'failed', registry: 'failed', evseq: 'failed', cursor: 'failed' });
    expect(report.accounts.find((a) => a.id === 'creds')!.damaged).toEqual([expect.objectContaining({ key: 'a/creds/creds', what: 'credentials' })]);
  });

  it('a store that lost CURRENT is refused with nothing recreated; repair brings every account back', async () => {
    const storeDir = join(dir.path, 'store');
    await unlink(join(storeDir, 'CURRENT'));
    const files = (await readdir(storeDir)).sort();
    await expect(daemon(dir.path)).rejects.toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringMatching(/CURRENT/) });
    expect((await readdir(storeDir)).sort()).toEqual(files);

    const { actions, after } = await repairStore(dir.path);
    expect(actions.map((a) => a.action)).toContain('leveldb-repair');
    expect(after.accounts.map((a) => [a.id, a.status])).toEqual(['creds', 'cursor', 'evseq', 'healthy', 'registry'].map((id) => [id, 'ok']));

    const d = await daemon(dir.path);
    try {
      for (const id of ['healthy', 'registry', 'evseq', 'cursor']) await d.accounts.waitFor(id, (st) => st.state === 'online', 15_000);
      // Same keys: the healthy account is the same device.
      expect(d.accountStatus('healthy').jid).toBe(jidBefore);
      // The credentials could not be saved: that account must be linked again, and says so.
      expect(d.accountStatus('creds')).toMatchObject({ state: 'stopped', reason: 'not linked' });
    } finally {
      await d.stop();
    }
  });
});

describe('data dir permissions', () => {
  it('a data dir pre-created 0755 (with a 0644 file in it) ends 0700, every file 0600, also after linking and messaging', async () => {
    const dir = await tempDir('wad-e2e-modes-');
    try {
      await chmod(dir.path, 0o755);
      await mkdir(join(dir.path, 'notes'), { mode: 0o755 });
      await writeFile(join(dir.path, 'notes', 'old.txt'), 'x', { mode: 0o644 });
      await chmod(join(dir.path, 'notes', 'old.txt'), 0o644);
      const d = await daemonFor(s, dir.path, [], { ipc: true });
      try {
        const atStart = new Set(await readdir(join(dir.path, 'store')));
        await linkByQr(s, d, 'modes', phoneOf(9));
        const got = nextEvent(d, 'modes', (e) => e.type === 'message:new');
        await contactSays(phoneOf(9), 'hello');
        await got;
        // More than LevelDB's 4 MiB write buffer: it flushes to a new table and starts a new log after the start-up walk; they must be born 0600.
        const store = await d.store.account('modes');
        const pad = 'x'.repeat(2000);
        for (let i = 0; i < 60; i++) await store.transaction((tx) => tx.events.append(Array.from({ length: 50 }, (_, j) => ({ type: 'account:status', t: i * 50 + j, data: { d: { pad } } }))));
        await until('LevelDB made new files', async () => (await readdir(join(dir.path, 'store'))).some((f) => /\.ldb$/.test(f) && !atStart.has(f)));
        const entries = await modes(dir.path);
        expect(entries.some(([, kind]) => kind === 'socket')).toBe(true);
        expect(entries.filter(([p]) => p.startsWith('/store/')).length).toBeGreaterThan(3);
        const wrong = entries.filter(([, kind, mode]) => mode !== (kind === 'dir' ? 0o700 : 0o600));
        expect(wrong).toEqual([]);
      } finally {
        await d.stop();
      }
    } finally {
      await dir.remove();
    }
  });
});
