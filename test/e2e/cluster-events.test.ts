// Three daemons (child processes) share one PostgreSQL store as a cluster,
// with accounts spread over them. A consumer connected to one daemon, on the
// plain events:subscribe over every account, sees the events of the accounts
// the others run, each once, in seq order per account. SIGKILL of another
// daemon: once its accounts run elsewhere, the consumer (still connected where
// it was) has every message once, none lost. A durable subscription connected
// to the killed daemon reconnects to a survivor under its name and goes on
// from its cursor: nothing it acked comes again, nothing is lost. A webhook,
// delivered for each account by the daemon that runs it, reaches a receiver
// on 127.0.0.1 once per event across the failover.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Driver, driverCommand, spawnDriver } from '../../scripts/crash/daemon-process.js';
import type { SimHandle } from '../../src/sim/index.js';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import { SharedEventLog } from '../../src/store/shared-event-log.js';
import { Raw, type InFrame } from '../ipc/raw.js';
import { liveLeaseOwners, startPostgres, type TestPostgres } from '../support/postgres.js';
import { clusterDaemonConfig, clusterOf } from './support/cluster-daemon.js';
import { linkClusterAccounts } from './support/cluster-link.js';
import { admin, sim as startSim, tempDir, until } from './support/daemon.js';

const ACCOUNTS = 6;
const PEER = '15550024900';
const phoneOf = (i: number) => `155500241${String(i).padStart(2, '0')}`;
const idOf = (i: number) => `ev${i}`;

let s: SimHandle;
let postgres: TestPostgres;
let dirs: Array<Awaited<ReturnType<typeof tempDir>>> = [];
let cmd: Awaited<ReturnType<typeof driverCommand>>;
const drivers = new Map<string, Driver>();
const devices = new Map<string, string>();
/** Message ids the peer's phone sent, per account. */
const sentTo = new Map<string, string[]>();
const raws: Raw[] = [];

/** What the webhook receiver got: each POST's delivery id and frame. */
const posts: Array<{ delivery: string; frame: InFrame }> = [];
let receiver: Server;
let receiverUrl = '';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      posts.push({ delivery: String(req.headers['x-wad-delivery']), frame: JSON.parse(body) as InFrame });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  [s, postgres, cmd] = await Promise.all([startSim(), startPostgres(), driverCommand()]);
  dirs = await Promise.all([0, 1, 2, 3].map(() => tempDir('wad-e2e-cluster-ev-')));
  await admin(s, 'POST', '/phones', { phone: PEER, name: 'Peer' });
  // Linked once, by a daemon alone in the cluster; it leaves, handing every lease back.
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({ id: idOf(i), phone: phoneOf(i), name: `E${i}` }));
  for (const [id, device] of await linkClusterAccounts(s, postgres, dirs[3]!.path, clusterOf('linker'), accounts)) {
    devices.set(id, device);
    sentTo.set(id, []);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(raws.map((r) => r.close().catch(() => {})));
  for (const d of drivers.values()) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  await Promise.all([...drivers.values()].map((d) => d.exited));
  await cmd?.dispose();
  await s?.close();
  await postgres?.stop();
  await new Promise((r) => receiver?.close(r));
  await Promise.all(dirs.map((d) => d.remove()));
});

async function spawnDaemon(name: string, dir: string): Promise<Driver> {
  const d = await spawnDriver(cmd, dir, Object.assign(clusterDaemonConfig(s, postgres, name), {
    webhookDelivery: { retryLimit: 100, initialMs: 100, maxMs: 1000, timeoutMs: 5000 },
  }), { WAD_DRIVER_LOG: 'warn', WAD_DRIVER_IPC: '1' });
  drivers.set(name, d);
  return d;
}

const socketOf = (name: string): string => drivers.get(name)!.socket!;
const owners = () => liveLeaseOwners(postgres);
const stateAt = (daemon: string, account: string) => drivers.get(daemon)!.state(account);

/** Every account online, at the daemon its lease names, and no daemon holding more than its share. */
async function settled(names: readonly string[]): Promise<Map<string, string> | false> {
  const held = await owners();
  if (held.size < ACCOUNTS) return false;
  const share = Math.ceil(ACCOUNTS / names.length);
  for (const name of names) if ([...held.values()].filter((o) => o === name).length > share) return false;
  for (const [account, owner] of held) {
    if (!names.includes(owner) || s.hub.session(devices.get(account)!) === undefined) return false;
    if (stateAt(owner, account) !== 'online') return false;
  }
  return held;
}

async function peerSends(round: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const { id } = await admin<{ id: string }>(s, 'POST', `/phones/${PEER}/messages`, { to: `${phoneOf(i)}@s.whatsapp.net`, text: `${round} to ${idOf(i)}` });
    sentTo.get(idOf(i))!.push(id);
    ids.push(id);
  }
  return ids;
}

async function consumer(daemon: string, subscribe: Record<string, unknown>): Promise<{ raw: Raw; subscription: string }> {
  const raw = await Raw.open(socketOf(daemon));
  raws.push(raw);
  const ack = await raw.request('events:subscribe', subscribe);
  expect(ack.data.success, JSON.stringify(ack.data)).toBe(true);
  const subscription = String(ack.data.subscription);
  await raw.next((f) => f.type === 'events:synced' && f.subscription === subscription, 30_000);
  return { raw, subscription };
}

/** The subscription's event frames received so far (left in the connection's list). */
function eventsOf(raw: Raw, subscription: string): InFrame[] {
  return raw.frames.filter((f) => f.subscription === subscription && f.type !== 'events:synced');
}

const messageIds = (frames: readonly InFrame[]): string[] => frames.filter((f) => f.type === 'message:new').map((f) => String(f.data.id));

/** Each id in `want` exactly once in `got`, and nothing of `got` twice. */
function expectOnce(what: string, got: readonly string[], want: readonly string[]): void {
  const missing = want.filter((id) => !got.includes(id));
  const doubled = got.filter((id, i) => got.indexOf(id) !== i);
  expect({ what, missing, doubled }).toEqual({ what, missing: [], doubled: [] });
}

/** Per account, seqs strictly increasing (each event once, in order). */
function expectInOrder(frames: readonly InFrame[]): void {
  const last = new Map<string, number>();
  for (const f of frames) {
    const seq = Number(f.data.seq);
    expect(seq, `${f.tenantId}: seq ${seq} after ${last.get(f.tenantId!)}`).toBeGreaterThan(last.get(f.tenantId!) ?? 0);
    last.set(f.tenantId!, seq);
  }
}

describe('events across a cluster of three daemons on one PostgreSQL', () => {
  it('a consumer on one daemon sees every account once; SIGKILL of another loses and doubles nothing; a durable subscription and a webhook go on from their cursors', async () => {
    const names = ['d1', 'd2', 'd3'];
    await Promise.all(names.map((n, i) => spawnDaemon(n, dirs[i]!.path)));
    const before = await until('accounts spread over three daemons, all online', () => settled(names), 60_000);
    expect(new Set(before.values()).size).toBe(3);
    const watcher = 'd1';
    const victim = 'd2';
    const survivor = 'd3';

    // Every account, through d1: the plain subscribe, no account list.
    const live = await consumer(watcher, {});
    // A durable subscriber on the daemon that will die.
    const durable = await consumer(victim, { name: 'crm', types: ['message:new'] });
    const hook = await live.raw.request('webhook:add', { url: receiverUrl, events: ['message:new'] });
    expect(hook.data.success, JSON.stringify(hook.data)).toBe(true);
    const hookId = String(hook.data.id);

    const first = await peerSends('before');
    await until('the live consumer has the first round', () => messageIds(eventsOf(live.raw, live.subscription)).length >= first.length, 20_000);
    await until('the durable consumer has the first round', () => messageIds(eventsOf(durable.raw, durable.subscription)).length >= first.length, 20_000);
    await until('the webhook has the first round', () => posts.length >= first.length, 20_000);
    const seenFirst = eventsOf(live.raw, live.subscription);
    expectOnce('live, first round', messageIds(seenFirst), first);
    // Accounts run by the two other daemons reached the consumer on d1.
    const runElsewhere = [...before].filter(([, o]) => o !== watcher).map(([a]) => a);
    expect(new Set(runElsewhere.map((a) => before.get(a))).size).toBe(2);
    for (const a of runElsewhere) expect(messageIds(seenFirst.filter((f) => f.tenantId === a)).length, a).toBe(1);

    // The durable consumer acks everything it has, and each ack is answered before the kill.
    const acked = new Map<string, number>();
    for (const f of eventsOf(durable.raw, durable.subscription)) {
      const ack = await durable.raw.request('events:ack', { name: 'crm', account: f.tenantId, seq: f.data.seq });
      expect(ack.data.success, JSON.stringify(ack.data)).toBe(true);
      acked.set(f.tenantId!, Math.max(acked.get(f.tenantId!) ?? 0, Number(f.data.seq)));
    }
    // The webhook is idle (its cursor at each account's last event) so that no POST is in flight at the kill.
    const backend = await PostgresBackend.open({ url: postgres.url, maxConnections: 2 });
    const log = new SharedEventLog(backend);
    try {
      await until('the webhook acked every account to its end', async () => {
        for (let i = 0; i < ACCOUNTS; i++) if ((await log.cursor(idOf(i), `webhook:${hookId}`)) !== (await log.lastSeq(idOf(i)))) return false;
        return true;
      }, 20_000);
      for (const [account, seq] of acked) expect(await log.cursor(account, 'crm')).toBeGreaterThanOrEqual(seq);
    } finally {
      await backend.close();
    }

    const moved = [...before].filter(([, o]) => o === victim).map(([a]) => a);
    expect(moved.length).toBeGreaterThan(0);
    await drivers.get(victim)!.kill();
    await durable.raw.whenClosed();
    const during = await peerSends('during');
    const after = await until("the dead daemon's accounts online at the others", () => settled([watcher, survivor]), 30_000);
    for (const a of moved) expect([watcher, survivor]).toContain(after.get(a));
    const late = await peerSends('after');
    const all = [...first, ...during, ...late];

    // The live consumer never moved: it has every message once, the moved accounts' too.
    await until('the live consumer has every message', () => all.every((id) => messageIds(eventsOf(live.raw, live.subscription)).includes(id)), 30_000);
    const seen = eventsOf(live.raw, live.subscription);
    expectOnce('live, all rounds', messageIds(seen), all);
    expectOnce('live, by event id', seen.map((f) => f.id), []);
    expectInOrder(seen);

    // The durable subscription, under its name at a survivor: on from its cursor, nothing acked again.
    const resumed = await consumer(survivor, { name: 'crm', types: ['message:new'] });
    await until('the durable consumer has the later rounds', () => [...during, ...late].every((id) => messageIds(eventsOf(resumed.raw, resumed.subscription)).includes(id)), 30_000);
    const again = eventsOf(resumed.raw, resumed.subscription);
    expectOnce('durable after the move', messageIds(again), [...during, ...late]);
    for (const f of again) expect(Number(f.data.seq), `${f.tenantId} acked up to ${acked.get(f.tenantId!)}`).toBeGreaterThan(acked.get(f.tenantId!) ?? 0);
    expect(messageIds(again).filter((id) => first.includes(id))).toEqual([]);
    expectInOrder(again);

    // The webhook: each event once across the failover, by delivery id and by message id.
    await until('the webhook has every message', () => all.every((id) => posts.some((p) => p.frame.data.id === id)), 30_000);
    expectOnce('webhook, by message id', posts.map((p) => String(p.frame.data.id)), all);
    expectOnce('webhook, by delivery', posts.map((p) => p.delivery), []);
  }, 180_000);
});
