// The Web build kept current, end to end through the simulator:
// - a linked account whose build the server retires (a minimum above it) is refused with 405
//   at its next login; the daemon fetches the published build from the simulator's sw.js and
//   is online again within 10 s, with the same credentials (no QR, no re-link);
// - the fetched build is kept in the store: a restarted daemon announces it at once;
// - where no newer build is published the account stops as "client outdated" instead of looping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, daemonFor, linkByQr, recorder, sim as startSim, tempDir, until } from './support/daemon.js';

const W = '15550015101';
const V = '15550015102';
let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let other: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon | undefined;

type VersionView = { latest: string; minimum: string | null; fetches: number };

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-webv-');
  other = await tempDir('wad-e2e-webv-old-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: V, name: 'Old' });
}, 60_000);

afterAll(async () => {
  await d?.stop();
  await s?.close();
  await dir?.remove();
  await other?.remove();
});

describe('a retired Web build', () => {
  it('is refused with 405; the daemon fetches the published one and is online again within 10 s, without a re-link', async () => {
    d = await daemonFor(s, dir.path);
    await linkByQr(s, d, 'wad', W);
    const device = (await admin<Array<{ jid: string }>>(s, 'GET', `/phones/${W}/devices`))[0]!.jid;
    const rec = recorder(d);
    const before = await admin<VersionView>(s, 'GET', '/version');
    await admin(s, 'POST', '/version', { latest: '2.3000.1100000200', minimum: '2.3000.1100000200' });

    const started = Date.now();
    await admin(s, 'POST', '/faults', { kind: 'drop', phone: W });
    await until('offline after the drop', () => rec.states('wad').length > 0);
    await until('online with the new build', () => d!.accountStatus('wad').state === 'online' && rec.states('wad').at(-1) === 'online', 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);

    // The refusal was seen, the published build fetched once, and the same device logged in (no QR in between).
    expect(rec.events.some((e) => e.type === 'connection:update' && String(e.data.reason ?? '').includes('client outdated'))).toBe(true);
    expect(rec.states('wad')).not.toContain('qr');
    expect((await admin<VersionView>(s, 'GET', '/version')).fetches).toBe(before.fetches + 1);
    expect(await admin<Array<{ jid: string }>>(s, 'GET', `/phones/${W}/devices`)).toEqual([expect.objectContaining({ jid: device })]);
    expect(d.webVersion?.current).toEqual([2, 3000, 1100000200]);
    rec.stop();
  }, 60_000);

  it('a restarted daemon announces the build it fetched before, and logs in without a 405', async () => {
    await d!.stop();
    const fetches = (await admin<VersionView>(s, 'GET', '/version')).fetches;
    d = await daemonFor(s, dir.path);
    const rec = recorder(d);
    expect(d.webVersion?.current).toEqual([2, 3000, 1100000200]);
    await until('online', () => d!.accountStatus('wad').state === 'online');
    expect(rec.events.some((e) => e.type === 'connection:update' && String(e.data.reason ?? '').includes('client outdated'))).toBe(false);
    expect((await admin<VersionView>(s, 'GET', '/version')).fetches).toBe(fetches);
    rec.stop();
  }, 60_000);

  it('with no newer build published, the account stops as "client outdated" (no login loop)', async () => {
    // A second daemon, whose build page publishes nothing (the version endpoint is JSON without a client_revision).
    await admin(s, 'POST', '/version', { minimum: null });
    const old = await daemonFor(s, other.path, [['server.webVersionUrl', `${s.adminUrl}/version`]]);
    try {
      await linkByQr(s, old, 'old', V);
      await admin(s, 'POST', '/version', { minimum: '2.3000.1100000200' });
      await admin(s, 'POST', '/faults', { kind: 'drop', phone: V });
      const stopped = await until('stopped', () => (old.accountStatus('old').state === 'stopped' ? old.accountStatus('old') : undefined));
      expect(String(stopped.reason)).toContain('client outdated');
      // Ours, on the current build, is untouched.
      expect(d!.accountStatus('wad').state).toBe('online');
    } finally {
      await old.stop();
    }
  }, 60_000);
});
