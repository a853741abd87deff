// Must-show (issue 6): faults injected by the simulator. Dropped connections,
// 515, 503 and a delayed server: the account comes back by itself with the
// seeds' backoff. A 401 (unlink) stops it as loggedOut; a 409 (replaced)
// does not reconnect-loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/index.js';
import { DEFAULT_WEB_VERSION, loginPayload } from '../../src/protocol/pairing/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { RawClient } from '../sim/raw-client.js';
import { admin, daemonFor, linkByQr, recorder, sim, tempDir, until } from './support/daemon.js';

const A = '15550002001';
const B = '15550002002';

describe('faults through wad sim', () => {
  let s: SimHandle;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let d: Daemon;
  let rec: ReturnType<typeof recorder>;

  beforeAll(async () => {
    s = await sim();
    dir = await tempDir('wad-e2e-faults-');
    for (const phone of [A, B]) await admin(s, 'POST', '/phones', { phone, name: phone });
    d = await daemonFor(s, dir.path, [
      ['connection.connectTimeoutMs', 1000],
      ['connection.keepAliveIntervalMs', 1000],
      ['connection.keepAliveJitterMs', 100],
      ['connection.keepAliveTimeoutMs', 400],
      // Each fault here is checked against its own backoff step; that failures are forgotten
      // only after 30 s online is test/account/connection-faults.test.ts's.
      ['connection.backoff.resetAfterMs', 0],
    ]);
    rec = recorder(d);
    await linkByQr(s, d, 'a', A);
    await linkByQr(s, d, 'b', B);
  });
  afterAll(async () => {
    rec?.stop();
    await d?.stop();
    await s?.close();
    await dir?.remove();
  });

  const updates = (id: string) => rec.events.filter((e) => e.account === id && e.type === 'connection:update').map((e) => e.data);
  const mark = (id: string) => updates(id).length;
  const since = (id: string, n: number) => updates(id).slice(n);
  /** Online, and its `online` event is in the log (events publish after their commit). */
  const online = async (id: string) => {
    await d.accounts.waitFor(id, (st) => st.state === 'online', 15_000);
    await until(`${id} online event`, () => updates(id).at(-1)?.state === 'online');
  };

  it('a dropped connection comes back after the first Fibonacci step (1 unit ± 10 %)', async () => {
    const n = mark('a');
    await admin(s, 'POST', '/faults', { kind: 'drop', phone: A });
    await until('reconnect', () => since('a', n).some((u) => u.state === 'online'));
    const seen = since('a', n);
    expect(seen.map((u) => u.state)).toEqual(['reconnecting', 'connecting', 'online']);
    expect(seen[0]).toMatchObject({ attempt: 1, reason: 'connection lost' });
    expect(seen[0]!.delayMs).toBeGreaterThanOrEqual(90);
    expect(seen[0]!.delayMs).toBeLessThanOrEqual(110);
    expect(d.accountStatus('b').state).toBe('online');
    // Field lesson 15: the cause is counted, per account.
    expect(d.accountStatus('a').counters).toMatchObject({ starts: 1, reconnects: 1, 'reconnects:connection lost': 1 });
    expect(d.accountStatus('b').counters?.reconnects).toBeUndefined();
  });

  it('515 reconnects at once; 503 backs off and comes back', async () => {
    let n = mark('a');
    await admin(s, 'POST', '/faults', { kind: 'stream-error', phone: A, code: 515 });
    await until('515 reconnect', () => since('a', n).some((u) => u.state === 'online'));
    expect(since('a', n).map((u) => u.state)).toEqual(['connecting', 'online']);
    expect(since('a', n)[0]!.reason).toBe('stream-error 515');

    n = mark('a');
    await admin(s, 'POST', '/faults', { kind: 'stream-error', phone: A, code: 503 });
    await until('503 reconnect', () => since('a', n).some((u) => u.state === 'online'));
    expect(since('a', n).map((u) => u.state)).toEqual(['reconnecting', 'connecting', 'online']);
    expect(since('a', n)[0]).toMatchObject({ reason: 'stream-error 503', attempt: 1 });
  });

  it('a stream error without a code, or with a code nobody knows, reconnects with backoff instead of stopping the account', async () => {
    await online('a');
    for (const code of [null, 599]) {
      const n = mark('a');
      await admin(s, 'POST', '/faults', { kind: 'stream-error', phone: A, code });
      await until(`back online after stream error ${code}`, () => since('a', n).some((u) => u.state === 'online'));
      expect(since('a', n).map((u) => u.state)).toEqual(['reconnecting', 'connecting', 'online']);
      expect(since('a', n)[0]).toMatchObject({ reason: code === null ? 'stream-error' : 'stream-error 599', attempt: 1 });
    }
    expect(d.accountStatus('a')).toMatchObject({ state: 'online' });
  });

  it('a delayed server: the dead socket is noticed, logins time out with a growing backoff, and it recovers once the delay ends', async () => {
    const n = mark('a');
    await admin(s, 'POST', '/faults', { kind: 'delay', phone: A, ms: 2500 });
    await until('three failed attempts', () => since('a', n).filter((u) => u.state === 'reconnecting').length >= 3, 20_000);
    const retries = since('a', n).filter((u) => u.state === 'reconnecting');
    expect(retries.slice(0, 3).map((u) => u.attempt)).toEqual([1, 2, 3]);
    expect(retries.slice(0, 3).map((u) => u.reason)).toEqual(['login timeout', 'login timeout', 'login timeout']);
    expect(since('a', n)[0]!.reason).toMatch(/dead socket/);
    // Fibonacci 1, 1, 2 units of 100 ms, ±10 %
    for (const [i, base] of [100, 100, 200].entries()) {
      expect(Number(retries[i]!.delayMs)).toBeGreaterThanOrEqual(base * 0.9);
      expect(Number(retries[i]!.delayMs)).toBeLessThanOrEqual(base * 1.1);
    }
    await admin(s, 'DELETE', '/faults');
    await online('a');
    expect(d.accountStatus('b').state).toBe('online');
  });

  it('409: a second login of the same device replaces ours, which stops without a loop', async () => {
    await online('a');
    const n = mark('a');
    const creds = (await d.store.account('a')).creds!;
    const intruder = await RawClient.connect(s.wsUrl, s.rootPublicKey, creds.noiseKey, loginPayload(creds.me!.id, { version: DEFAULT_WEB_VERSION }));
    try {
      await until('stopped', () => since('a', n).some((u) => u.state === 'stopped'));
      await new Promise((r) => setTimeout(r, 1500));
      expect(since('a', n).map((u) => u.state)).toEqual(['stopped']);
      expect(since('a', n)[0]!.reason).toMatch(/conflict replaced/);
    } finally {
      intruder.close();
    }
    expect(d.accountStatus('a')).toMatchObject({ state: 'stopped' });
    await d.startAccount('a');
    await online('a');
  });

  it('401: unlinked from the phone, the account is loggedOut, wiped, and does not come back', async () => {
    await online('b');
    const n = mark('b');
    const jid = d.accountStatus('b').jid!;
    await admin(s, 'DELETE', `/phones/${B}/devices/${encodeURIComponent(jid)}`);
    await until('loggedOut', () => since('b', n).some((u) => u.state === 'loggedOut'));
    expect((await d.store.account('b')).creds).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1000));
    expect(since('b', n).map((u) => u.state)).toEqual(['loggedOut']);
    expect(d.accountStatus('b')).toMatchObject({ state: 'loggedOut' });
    expect(d.accountStatus('a').state, JSON.stringify(updates('a').slice(-4))).toBe('online');
  });
});
