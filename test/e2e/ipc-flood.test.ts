/**
 * Hostile crowds on the control socket while real accounts run on the
 * simulator: 30,000 idle unauthenticated TCP connections, then 5,000 idle
 * WebSocket clients on the Unix socket. The daemon stays up, the owner's
 * client keeps working (list, send, receive), every account stays online
 * without a reconnect, and what the daemon holds stays within its caps.
 * The crowds run in child processes (their descriptors are theirs); the
 * daemon and the simulator share this process, so RSS is theirs together.
 * Figures go to stdout for docs/benchmarks.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient } from '../../src/client/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { Crowd } from './support/crowd.js';
import { sim as startSim, tempDir } from './support/daemon.js';
import { admin, daemonWithSocket, linkOverSocket, until } from '../ipc/e2e-support.js';

const TOKEN = 'flood-test-token';
const PHONES = ['15550040001', '15550040002', '15550040003'];
const ACCOUNTS = ['f0', 'f1', 'f2'];

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let owner: WadClient;

/** Samples what the daemon holds and its RSS while a crowd is on. */
function sampler(): { stop(): { maxSockets: number; maxConnections: number; rssBeforeMiB: number; maxRssMiB: number } } {
  const rssBefore = process.memoryUsage().rss;
  let maxSockets = 0;
  let maxConnections = 0;
  let maxRss = 0;
  const timer = setInterval(() => {
    const a = d.ipc!.admission;
    maxSockets = Math.max(maxSockets, a.sockets);
    maxConnections = Math.max(maxConnections, a.connections);
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return { maxSockets, maxConnections, rssBeforeMiB: Math.round(rssBefore / 2 ** 20), maxRssMiB: Math.round(maxRss / 2 ** 20) };
    },
  };
}

/** The owner's everyday work: list, every account online, a send from each account reaching its phone. */
async function ownerWorks(c: WadClient): Promise<void> {
  const list = await c.listAccounts();
  expect(list.filter((a) => ACCOUNTS.includes(a.id)).map((a) => a.state)).toEqual(['online', 'online', 'online']);
  for (let i = 0; i < ACCOUNTS.length; i++) {
    const to = PHONES[(i + 1) % PHONES.length]!;
    const id = await c.sendText(ACCOUNTS[i]!, to, `through the crowd ${i}`);
    await until(`message ${id} at ${to}`, async () => (await admin<Array<{ id: string }>>(s, 'GET', `/phones/${to}/messages`)).some((m) => m.id === id));
  }
}

async function reconnects(): Promise<number[]> {
  return Promise.all(ACCOUNTS.map(async (a) => (await owner.accountStatus(a)).counters?.['reconnects'] ?? 0));
}

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-flood-');
  for (const p of PHONES) await admin(s, 'POST', '/phones', { phone: p, name: p });
  d = await daemonWithSocket(s, dir.path, [
    ['listen', '127.0.0.1:0'],
    ['tokens', [TOKEN]],
  ]);
  // Reconnects: an idle owner client is the first to give way to a crowd of newer idle ones.
  owner = await WadClient.connect({ socket: d.socketPath });
  for (let i = 0; i < ACCOUNTS.length; i++) await linkOverSocket(owner, s, ACCOUNTS[i]!, PHONES[i]!);
}, 60_000);

afterAll(async () => {
  await owner?.close();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('a crowd on the control socket', () => {
  it('30,000 idle unauthenticated TCP connections: daemon up, owner served, accounts online, TCP clients with a token get in after', async () => {
    const before = await reconnects();
    const started = Date.now();
    const watch = sampler();
    // Three crowds of 10,000 from disjoint local port ranges below and around the ephemeral range.
    const crowds = [0, 1, 2].map((k) => new Crowd({ mode: 'tcp', port: d.ipc!.tcp!.port, count: 10_000, firstLocalPort: 3_000 + k * 10_500, lastLocalPort: 3_000 + k * 10_500 + 10_499 }));
    const firsts = await Promise.all(crowds.map((c) => c.next()));
    const tookMs = Date.now() - started;
    const opened = firsts.reduce((n, r) => n + r.opened, 0);
    expect(opened).toBeGreaterThanOrEqual(30_000);

    // While the crowd still holds its end of every connection: a fresh owner client works.
    const fresh = await WadClient.connect({ socket: d.socketPath, reconnect: false });
    await ownerWorks(fresh);
    await fresh.close();
    await ownerWorks(owner);
    const held = watch.stop();
    const a = d.ipc!.admission;
    // What the daemon held never went past its caps (1024 in all, 128 handshakes, 64 per peer).
    expect(held.maxSockets).toBeLessThanOrEqual(1024 + 64);
    // The crowd's handshakes were cut: by the cap as newer ones came, the rest at their deadline.
    await until('crowd handshakes cut', () => d.ipc!.admission.handshakes === 0, 15_000);
    const tcp = await WadClient.connect({ url: `ws://127.0.0.1:${d.ipc!.tcp!.port}`, token: TOKEN, reconnect: false });
    expect((await tcp.listAccounts()).length).toBeGreaterThanOrEqual(3);
    await tcp.close();
    expect(await reconnects()).toEqual(before);
    const after = await Promise.all(crowds.map((c) => c.ask()));
    await Promise.all(crowds.map((c) => c.stop()));
    console.log(
      JSON.stringify({
        flood: 'tcp',
        connectionsOpened: opened,
        closedByDaemon: after.reduce((n, r) => n + r.closedByPeer, 0),
        crowdSeconds: tookMs / 1000,
        daemonMaxSockets: held.maxSockets,
        evicted: a.evicted,
        refused: a.refused,
        timedOut: a.timedOut,
        rssBeforeMiB: held.rssBeforeMiB,
        maxRssMiB: held.maxRssMiB,
      }),
    );
  }, 120_000);

  it('5,000 idle WebSocket clients on the Unix socket: the owner still gets in, accounts online', async () => {
    const before = await reconnects();
    const started = Date.now();
    const watch = sampler();
    const crowd = new Crowd({ mode: 'unix-ws', socket: d.socketPath, count: 5_000 });
    const first = await crowd.next();
    const tookMs = Date.now() - started;
    expect(first.opened).toBe(5_000);
    const fresh = await WadClient.connect({ socket: d.socketPath, reconnect: false });
    await ownerWorks(fresh);
    await fresh.close();
    // The long-lived owner client, idle when the crowd came, was pushed out first; it reconnects.
    await ownerWorks(owner);
    const held = watch.stop();
    expect(held.maxConnections).toBeLessThanOrEqual(1024);
    expect(await reconnects()).toEqual(before);
    const after = await crowd.ask();
    // Every client beyond the cap pushed out an idle one (the owner's reconnects add a few).
    expect(after.closedByPeer).toBeGreaterThanOrEqual(5_000 - 1024);
    await crowd.stop();
    console.log(
      JSON.stringify({
        flood: 'unix-ws',
        clientsOpened: first.opened,
        refusedAtOpen: first.failed,
        pushedOut: after.closedByPeer,
        crowdSeconds: tookMs / 1000,
        daemonMaxConnections: held.maxConnections,
        daemonMaxSockets: held.maxSockets,
        rssBeforeMiB: held.rssBeforeMiB,
        maxRssMiB: held.maxRssMiB,
      }),
    );
  }, 120_000);
});
