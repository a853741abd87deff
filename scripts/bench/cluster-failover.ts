/**
 * A cluster at the scale of a small business: three daemons (child
 * processes) on one PostgreSQL, 300 accounts linked once through the
 * simulator, messages both ways, then SIGKILL of one daemon at the default
 * leases. Measures how long its accounts take to come online at the others
 * (the failover time) and checks that nothing was lost or doubled: every
 * message the phones sent is in the accounts' durable logs exactly once by
 * id, every send a daemon acked reached the peer once, and a consumer
 * subscribed through a surviving daemon saw every account's events once.
 *
 *   npx tsx scripts/bench/cluster-failover.ts [--accounts 300] [--lease-ms 15000] [--renew-ms 3000]
 *
 * PostgreSQL is Debian's (the test support starts a private server);
 * the simulator runs in a child process of its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { WadClient } from '../../src/client/index.js';
import { AccountStore } from '../../src/store/account-store.js';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import { liveLeaseOwners, startPostgres } from '../../test/support/postgres.js';
import { type Driver, driverCommand, spawnDriver } from '../crash/daemon-process.js';
import { productionDaemon } from './production-daemon.js';
import { admin, benchConfig, inPool, linkAccount, startSimProcess, type SimInfo } from './sim-process.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ACCOUNTS = arg('--accounts', 300);
const LEASE_MS = arg('--lease-ms', 15_000);
const RENEW_MS = arg('--renew-ms', 3000);
const NAMES = ['d1', 'd2', 'd3'] as const;
const VICTIM = 'd1';
const PEER = '14660000000';
const phoneOf = (i: number) => `1466${String(i + 1).padStart(7, '0')}`;
const idOf = (i: number) => `c${i}`;
const accountIds = Array.from({ length: ACCOUNTS }, (_, i) => idOf(i));

const log = (msg: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function until<T>(what: string, check: () => Promise<T | false> | T | false, timeoutMs: number, everyMs = 250, progress?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let told = Date.now();
  for (;;) {
    const v = await check();
    if (v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}${progress ? `: ${await progress()}` : ''}`);
    if (progress && Date.now() - told > 10_000) {
      told = Date.now();
      log(`${what}: ${await progress()}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

const postgres = await startPostgres();
const { child: simChild, info: sim } = await startSimProcess();
const cmd = await driverCommand();
const dirs = await Promise.all([...NAMES, 'linker'].map(() => mkdtemp(join(tmpdir(), 'wad-bench-cluster-'))));
const drivers = new Map<string, Driver>();
const clusterOf = (daemonId: string) => ({ enabled: true, daemonId, leaseMs: LEASE_MS, renewMs: RENEW_MS });
const storeConfig = { backend: 'postgres', url: postgres.url };

async function spawnDaemon(name: string, dir: string, server: SimInfo): Promise<Driver> {
  const d = await spawnDriver(
    cmd,
    dir,
    {
      server: { wsUrl: server.wsUrl, rootPublicKey: server.rootPublicKey, mediaCaPath: server.mediaCaPath, webVersionUrl: null },
      log: { level: 'silent' },
      store: storeConfig,
      cluster: clusterOf(name),
      accounts: { maxAccounts: ACCOUNTS + 10, sendRate: { perSecond: 1000, burst: 1000 } },
    },
    { WAD_DRIVER_LOG: 'warn', WAD_DRIVER_IPC: '1' },
    60_000,
  );
  drivers.set(name, d);
  return d;
}

const owners = () => liveLeaseOwners(postgres);
const stateAt = (daemon: string, account: string) => drivers.get(daemon)!.state(account);

/** Every account held by one of `names` and online there, and no daemon above its share (done rebalancing). */
async function settled(names: readonly string[]): Promise<Map<string, string> | false> {
  const held = await owners();
  const share = Math.ceil(ACCOUNTS / names.length);
  for (const name of names) if ([...held.values()].filter((o) => o === name).length > share) return false;
  for (const account of accountIds) {
    const owner = held.get(account);
    if (!owner || !names.includes(owner) || stateAt(owner, account) !== 'online') return false;
  }
  return held;
}

/** Per daemon: leases held, of those online there, and the warnings it logged last (for progress and failures). */
async function snapshot(withStderr = false): Promise<string> {
  const held = await owners();
  return [...drivers]
    .map(([n, d]) => {
      const mine = [...held].filter(([, o]) => o === n).map(([a]) => a);
      const online = mine.filter((a) => stateAt(n, a) === 'online').length;
      const dead = d.child.exitCode !== null || d.child.signalCode !== null;
      return `${n}${dead ? ' (dead)' : ''}: ${mine.length} held, ${online} online${withStderr ? ` | ${d.stderr.slice(-600).replace(/\n/g, ' ')}` : ''}`;
    })
    .join('; ');
}

/** Message ids the peer's phone sent to each account, and what each was (for a failure's message). */
const sentTo = new Map<string, string[]>(accountIds.map((a) => [a, []]));
const what = new Map<string, string>();
/** Ids of the sends each daemon acked. */
const acked: string[] = [];
let sendsAsked = 0;

async function peerSends(round: string): Promise<number> {
  const t0 = performance.now();
  await inPool([...accountIds.keys()], 16, async (i) => {
    const { id } = (await admin(sim, 'POST', `/phones/${PEER}/messages`, { to: `${phoneOf(i)}@s.whatsapp.net`, text: `${round} to ${idOf(i)}` })) as { id: string };
    sentTo.get(idOf(i))!.push(id);
    what.set(id, `${round} to ${idOf(i)}`);
  });
  return performance.now() - t0;
}

/** Each account sends the peer one message from the daemon that runs it; resolves once all are acked. */
async function accountSends(round: string, where: Map<string, string>): Promise<void> {
  const text = (a: string) => `from ${a} ${round}`;
  for (const [account, owner] of where) drivers.get(owner)!.send({ cmd: 'send', id: account, to: `${PEER}@s.whatsapp.net`, text: text(account) });
  sendsAsked += where.size;
  const lines = () => [...drivers.values()].flatMap((d) => d.lines.filter((l) => (l.event === 'sent' || l.event === 'send-failed') && l.text?.endsWith(` ${round}`)));
  await until(`${round}: ${where.size} sends answered`, () => lines().length >= where.size, 120_000);
  const failed = lines().filter((l) => l.event === 'send-failed');
  if (failed.length) {
    const held = await owners();
    const story = failed.slice(0, 3).map((f) => {
      const a = f.account!;
      const at = [...drivers].map(([n, d]) => `${n}: ${d.lines.filter((l) => l.account === a).slice(-4).map((l) => `${l.event}/${l.state ?? ''}/${l.reason ?? l.error ?? ''}`).join(' ')}`);
      return `${a} (lease: ${held.get(a)}): ${at.join(' | ')}`;
    });
    const stderr = [...drivers].map(([n, d]) => `${n} stderr: ${d.stderr.slice(-800)}`);
    throw new Error(`${failed.length} sends failed: ${failed.slice(0, 3).map((l) => l.error).join('; ')}\n${story.join('\n')}\n${stderr.join('\n')}`);
  }
  acked.push(...lines().map((l) => l.messageId!));
}

/** A durable log read straight from the database: the message:new ids. */
async function loggedIds(backend: PostgresBackend, account: string): Promise<string[]> {
  const store = await AccountStore.open(backend, account);
  const events = await store.events.read(1, 100_000);
  return events.filter((e) => e.type === 'message:new').map((e) => String((e.data as { d?: { id?: unknown } }).d?.id));
}

try {
  // 1. Phones, then every account linked once by a daemon alone in the cluster, which then leaves.
  log(`${ACCOUNTS} accounts: creating phones and linking them`);
  await admin(sim, 'POST', '/phones', { phone: PEER, name: 'Peer' });
  await inPool([...accountIds.keys()], 16, async (i) => void (await admin(sim, 'POST', '/phones', { phone: phoneOf(i), name: `W${i}` })));
  const { createDaemon } = await productionDaemon();
  const linker = await createDaemon(
    benchConfig(sim, dirs[3]!, [
      ['store.backend', 'postgres'],
      ['store.url', postgres.url],
      ['cluster', clusterOf('linker')],
      ['accounts.maxAccounts', ACCOUNTS + 10],
    ]),
    { logger: pino({ level: 'silent' }), ipc: false },
  );
  const linkStart = performance.now();
  await inPool([...accountIds.keys()], 8, (i) => linkAccount(linker, sim, idOf(i), phoneOf(i)));
  log(`linked in ${((performance.now() - linkStart) / 1000).toFixed(1)} s`);
  await linker.stop();

  // 2. Three daemons share them out.
  const startAt = performance.now();
  await Promise.all(NAMES.map((n, i) => spawnDaemon(n, dirs[i]!, sim)));
  const before = await until('every account online, spread over three daemons', () => settled(NAMES), 300_000, 500, () => snapshot());
  const spreadMs = performance.now() - startAt;
  const perDaemon = NAMES.map((n) => [...before.values()].filter((o) => o === n).length);
  log(`all online in ${(spreadMs / 1000).toFixed(1)} s: ${perDaemon.join(' / ')}`);

  // 3. A consumer through a daemon that survives, subscribed to every account.
  const survivorSocket = drivers.get('d2')!.socket!;
  const consumer = await WadClient.connect({ socket: survivorSocket });
  /** Times each event (account:seq) and each phone message id was delivered. */
  const seen = new Map<string, number>();
  const seenMessages = new Map<string, number>();
  // Not durable: a durable subscriber's acks let the daemons trim the logs this script reads back at the end.
  const subscription = consumer.subscribe({ from: 'now' });
  const consuming = (async () => {
    for await (const ev of subscription) {
      const key = `${ev.account}:${ev.seq}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (ev.type === 'message:new' && !ev.data.fromMe) seenMessages.set(ev.data.id, (seenMessages.get(ev.data.id) ?? 0) + 1);
    }
  })();

  // What the consumer misses before the daemon has set its subscription up is not "now" yet.
  await subscription.synced;
  // 4. Messages both ways, then the kill, messages during and after.
  const inboundMs = await peerSends('before');
  await accountSends('before', before);
  const victimAccounts = [...before].filter(([, o]) => o === VICTIM).map(([a]) => a);
  const killedAt = performance.now();
  await drivers.get(VICTIM)!.kill();
  log(`SIGKILL ${VICTIM} (${victimAccounts.length} accounts)`);
  await peerSends('during');
  const survivors = NAMES.filter((n) => n !== VICTIM);
  const onlineAgainAt = new Map<string, number>();
  const after = await until(
    'the killed daemon\'s accounts online at the others',
    async () => {
      const held = await owners();
      for (const a of victimAccounts) {
        const o = held.get(a);
        if (!onlineAgainAt.has(a) && o && survivors.includes(o as 'd2') && stateAt(o, a) === 'online') onlineAgainAt.set(a, performance.now() - killedAt);
      }
      return onlineAgainAt.size === victimAccounts.length ? settled(survivors) : false;
    },
    120_000,
    100,
    () => snapshot(),
  );
  const failoverMs = Math.max(...onlineAgainAt.values());
  log(`failover: all ${victimAccounts.length} online elsewhere in ${(failoverMs / 1000).toFixed(1)} s`);
  await peerSends('after');
  await accountSends('after', after);

  // 5. Checks: logs in the database, the peer's inbox, the consumer.
  const backend = await PostgresBackend.open({ url: postgres.url, maxConnections: 4 });
  let lost = 0;
  let doubled = 0;
  try {
    await until(
      'every phone message in its account\'s log',
      async () => {
        lost = 0;
        doubled = 0;
        for (const account of accountIds) {
          const ids = await loggedIds(backend, account);
          for (const id of sentTo.get(account)!) {
            const n = ids.filter((x) => x === id).length;
            if (n === 0) lost++;
            if (n > 1) doubled++;
          }
        }
        return lost === 0 || false;
      },
      60_000,
      1000,
    ).catch(async () => {
      const sample = (await (await AccountStore.open(backend, accountIds[0]!)).events.read(1, 1000)).map((e) => `${e.seq}:${e.type}:${JSON.stringify(e.data).slice(0, 120)}`);
      log(`${accountIds[0]}'s log: ${sample.join(' ')}; expected ${JSON.stringify(sentTo.get(accountIds[0]!))}`);
    });
  } finally {
    await backend.close();
  }
  const inbox = (await admin(sim, 'GET', `/phones/${PEER}/messages`)) as Array<{ id: string }>;
  const inboxIds = inbox.map((m) => m.id);
  const sendsLost = acked.filter((id) => !inboxIds.includes(id)).length;
  const sendsDoubled = acked.filter((id) => inboxIds.filter((x) => x === id).length > 1).length;
  const expectedMessages = [...sentTo.values()].flat();
  await until('the consumer saw every phone message', () => expectedMessages.every((id) => seenMessages.has(id)) || false, 60_000, 500).catch(() => undefined);
  const missed = expectedMessages.filter((id) => !seenMessages.has(id));
  const consumerLost = missed.length;
  if (missed.length) log(`the consumer missed: ${missed.slice(0, 20).map((id) => `${id} (${what.get(id)}, run by ${before.get(what.get(id)!.split(' ').at(-1)!)} then ${after.get(what.get(id)!.split(' ').at(-1)!)})`).join(', ')}`);
  const consumerDoubledMessages = [...seenMessages.values()].filter((n) => n > 1).length;
  const consumerDoubledEvents = [...seen.values()].filter((n) => n > 1).length;
  await consumer.close();
  await consuming;

  const times = [...onlineAgainAt.values()];
  const ms = (x: number) => (x / 1000).toFixed(1);
  console.log(`### Cluster failover: three daemons, ${ACCOUNTS} accounts, one PostgreSQL

\`npx tsx scripts/bench/cluster-failover.ts --accounts ${ACCOUNTS} --lease-ms ${LEASE_MS} --renew-ms ${RENEW_MS}\` (${new Date().toISOString().slice(0, 10)})

| measure | value |
|---|---:|
| accounts online across three daemons after their start | ${ms(spreadMs)} s (${perDaemon.join(' / ')}) |
| ${ACCOUNTS} phone messages into the accounts (admin API, 16 at a time) | ${ms(inboundMs)} s |
| accounts of the killed daemon | ${victimAccounts.length} |
| failover, SIGKILL → every one online at a survivor | ${ms(failoverMs)} s (p50 ${ms(pct(times, 50))} s) |
| phone messages sent (3 rounds) / lost / doubled in the logs | ${expectedMessages.length} / ${lost} / ${doubled} |
| sends acked by the daemons / lost / doubled at the peer | ${acked.length} of ${sendsAsked} / ${sendsLost} / ${sendsDoubled} |
| consumer on a survivor: phone messages missed / seen twice; events seen twice | ${consumerLost} / ${consumerDoubledMessages}; ${consumerDoubledEvents} |
`);
  if (lost || doubled || sendsLost || sendsDoubled || consumerLost || consumerDoubledMessages || consumerDoubledEvents || failoverMs > 30_000) process.exitCode = 1;
} finally {
  for (const d of drivers.values()) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  await Promise.all([...drivers.values()].map((d) => d.exited));
  await cmd.dispose();
  simChild.kill('SIGTERM');
  await postgres.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}
