// A backlog far beyond any in-flight bound: 5,000 messages sent by a
// simulated phone while the account is stopped. Started, the account pulls
// them in batches (offline_preview → offline_batch … → offline count) and
// delivers each exactly once, as `message:new` with offline: true, within a
// minute, without a single reconnect. The simulator serves each of them
// exactly once on the wire too: nothing was dropped and sent again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, daemonFor, linkByQr, recorder, sim as startSim, tempDir, until } from './support/daemon.js';

const ACCOUNT_PHONE = '15550013001';
const SENDER = '15550013002';
const BACKLOG = 5_000;
/** Texts per admin request (keeps each body well under the simulator's 1 MiB). */
const CHUNK = 1_000;

interface SimStats {
  logins: number;
  offlineDelivered: number;
  offlineBatches: number;
  offlineQueued: number;
}

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let rec: ReturnType<typeof recorder>;

beforeAll(async () => {
  s = await startSim({ limits: { maxOfflinePerDevice: 2 * BACKLOG, maxUnackedPerDevice: 2 * BACKLOG } });
  dir = await tempDir('wad-e2e-backlog-');
  await admin(s, 'POST', '/phones', { phone: ACCOUNT_PHONE });
  await admin(s, 'POST', '/phones', { phone: SENDER });
  d = await daemonFor(s, dir.path);
  rec = recorder(d);
  await linkByQr(s, d, 'a', ACCOUNT_PHONE);
}, 60_000);

afterAll(async () => {
  rec?.stop();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('an offline backlog of 5,000 messages', () => {
  it('is delivered exactly once, offline: true, within 60 s of the start, with no reconnect', async () => {
    const jid = d.accountStatus('a').jid!;
    // What the phone sends a new companion (its app state keys) is taken in before the account stops.
    await until('the link’s own messages acked', () => s.hub.queues.queuedCount(jid) + s.hub.queues.unackedCount(jid) === 0);
    await d.stopAccount('a');
    await until('the account off the simulator', () => !s.hub.session(jid));

    const ids: string[] = [];
    for (let from = 0; from < BACKLOG; from += CHUNK) {
      const texts = Array.from({ length: Math.min(CHUNK, BACKLOG - from) }, (_, i) => `backlog ${from + i}`);
      ids.push(...(await admin<{ ids: string[] }>(s, 'POST', `/phones/${SENDER}/messages`, { to: ACCOUNT_PHONE, texts })).ids);
    }
    const before = await admin<SimStats>(s, 'GET', '/stats');
    // The backlog, and perhaps a late stanza from the account's own phone (a history chunk, say).
    expect(before.offlineQueued).toBeGreaterThanOrEqual(BACKLOG);
    expect(before.offlineQueued).toBeLessThan(BACKLOG + 10);

    const wanted = new Set(ids);
    const seen = new Map<string, WadEvent[]>();
    const off = d.onEvent((e) => {
      if (e.account !== 'a' || e.type !== 'message:new' || !wanted.has(String(e.data.id))) return;
      const list = seen.get(String(e.data.id)) ?? [];
      list.push(e);
      seen.set(String(e.data.id), list);
    });
    const mark = rec.states('a').length;
    const started = Date.now();
    try {
      await d.startAccount('a');
      await until(`${BACKLOG} message:new events`, () => seen.size === BACKLOG, 60_000);
    } finally {
      off();
    }
    const elapsedMs = Date.now() - started;
    console.log(`offline backlog: ${BACKLOG} messages delivered in ${elapsedMs} ms (${Math.round(BACKLOG / (elapsedMs / 1000))}/s)`);

    // Exactly once, each as an ordinary message:new marked offline.
    for (const [id, events] of seen) {
      expect(events, id).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({ type: 'text', fromMe: false, offline: true });
    }
    // In the order the phone sent them (offline delivery runs in one line).
    expect([...seen.keys()]).toEqual(ids);
    // No reconnect of any kind: one login, one way to online.
    expect(rec.states('a').slice(mark)).toEqual(['connecting', 'online']);
    expect(d.accountStatus('a').counters?.reconnects).toBeUndefined();
    await until('everything acked at the simulator', async () => (await admin<SimStats>(s, 'GET', '/stats')).offlineQueued === 0);
    const after = await admin<SimStats>(s, 'GET', '/stats');
    expect(after.logins - before.logins).toBe(1);
    // Served once on the wire (one login: nothing was put back and sent again), in batches of 200
    // as asked. What the account's own phone sends it at login (an answer to a key request, say)
    // may join the end of the queue while the backlog is served, so a few more may be counted.
    const served = after.offlineDelivered - before.offlineDelivered;
    expect(served).toBeGreaterThanOrEqual(BACKLOG);
    expect(served).toBeLessThan(BACKLOG + 10);
    expect(after.offlineBatches - before.offlineBatches).toBe(Math.ceil(served / 200));
    // The durable log holds each message once too.
    const logged = new Map<string, number>();
    for (let seq = 0; ; ) {
      const page = await d.readEvents('a', seq, 1000);
      if (page.length === 0) break;
      for (const e of page) if (e.type === 'message:new' && wanted.has(String(e.data.id))) logged.set(String(e.data.id), (logged.get(String(e.data.id)) ?? 0) + 1);
      seq = page.at(-1)!.seq + 1;
    }
    expect(logged.size).toBe(BACKLOG);
    expect([...logged.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);
});
