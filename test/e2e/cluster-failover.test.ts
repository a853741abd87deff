// Three daemons (child processes) share one PostgreSQL store as a cluster.
// Accounts linked once through the simulator spread over them; messages flow
// both ways; SIGKILL of one daemon moves its accounts to the others within
// 30 s without re-linking, and every message the phones sent is in the
// accounts' durable logs exactly once by id. A daemon frozen with SIGSTOP
// past its lease loses its accounts to the others and, resumed, gives them
// up: its late writes are refused by the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Driver, driverCommand, spawnDriver } from '../../scripts/crash/daemon-process.js';
import type { SimHandle } from '../../src/sim/index.js';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import { AccountStore } from '../../src/store/account-store.js';
import { liveLeaseOwners, startPostgres, type TestPostgres } from '../support/postgres.js';
import { clusterDaemonConfig, clusterOf } from './support/cluster-daemon.js';
import { linkClusterAccounts } from './support/cluster-link.js';
import { admin, sim as startSim, tempDir, until } from './support/daemon.js';

const ACCOUNTS = 6;
const PEER = '15550023900';
const phoneOf = (i: number) => `155500231${String(i).padStart(2, '0')}`;
const idOf = (i: number) => `acc${i}`;

let s: SimHandle;
let postgres: TestPostgres;
let dirs: Array<Awaited<ReturnType<typeof tempDir>>> = [];
let cmd: Awaited<ReturnType<typeof driverCommand>>;
const drivers = new Map<string, Driver>();
/** Each account's companion device jid (what the simulator's sessions are keyed by). */
const devices = new Map<string, string>();
/** Message ids the peer's phone sent to each account. */
const sentTo = new Map<string, string[]>();

beforeAll(async () => {
  [s, postgres, cmd] = await Promise.all([startSim(), startPostgres(), driverCommand()]);
  dirs = await Promise.all([0, 1, 2, 3].map(() => tempDir('wad-e2e-cluster-')));
  await admin(s, 'POST', '/phones', { phone: PEER, name: 'Peer' });
  // Linked once, by a daemon alone in the cluster; it leaves, handing every lease back.
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({ id: idOf(i), phone: phoneOf(i), name: `W${i}` }));
  for (const [id, device] of await linkClusterAccounts(s, postgres, dirs[3]!.path, clusterOf('linker'), accounts)) {
    devices.set(id, device);
    sentTo.set(id, []);
  }
}, 120_000);

afterAll(async () => {
  for (const d of drivers.values()) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  await Promise.all([...drivers.values()].map((d) => d.exited));
  await cmd?.dispose();
  await s?.close();
  await postgres?.stop();
  await Promise.all(dirs.map((d) => d.remove()));
});

async function spawnDaemon(name: string, dir: string): Promise<Driver> {
  const d = await spawnDriver(cmd, dir, clusterDaemonConfig(s, postgres, name), { WAD_DRIVER_LOG: 'warn' });
  drivers.set(name, d);
  return d;
}

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

/** What the cluster looks like, for a failure's message. */
async function why(): Promise<string> {
  const held = await owners();
  const lines = [...drivers].map(([n, d]) => {
    const states = [...devices.keys()].map((a) => `${a}:${stateAt(n, a)}`);
    return `${n}: ${states.join(' ')} ${d.stderr.slice(-300)}`;
  });
  const sessions = [...devices].map(([a, jid]) => `${a}:${s.hub.session(jid) !== undefined}`);
  return `owners ${JSON.stringify([...held])}; sessions ${sessions.join(' ')}; ${lines.join(' | ')}`;
}

async function peerSends(round: string): Promise<void> {
  for (let i = 0; i < ACCOUNTS; i++) {
    const { id } = await admin<{ id: string }>(s, 'POST', `/phones/${PEER}/messages`, { to: `${phoneOf(i)}@s.whatsapp.net`, text: `${round} to ${idOf(i)}` });
    sentTo.get(idOf(i))!.push(id);
  }
}

/** The message:new ids in the account's durable log, read straight from the database. */
async function loggedIds(backend: PostgresBackend, account: string): Promise<string[]> {
  const store = await AccountStore.open(backend, account);
  const events = await store.events.read(1, 100_000);
  // Stored events keep the event's data under `d`.
  return events.filter((e) => e.type === 'message:new').map((e) => String((e.data as { d?: { id?: unknown } }).d?.id));
}

describe('three daemons on one PostgreSQL', () => {
  it('SIGKILL of one: its accounts online elsewhere within 30 s, no message lost or doubled, both ways', async () => {
    const names = ['d1', 'd2', 'd3'];
    await Promise.all(names.map((n, i) => spawnDaemon(n, dirs[i]!.path)));
    const before = await until('accounts spread over three daemons, all online', () => settled(names), 60_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${await why()}`);
    });
    expect(new Set(before.values()).size).toBe(3);

    await peerSends('before');
    // Our side too: each account sends the peer a message from the daemon that runs it.
    const outgoing: string[] = [];
    for (const [account, owner] of before) drivers.get(owner)!.send({ cmd: 'send', id: account, to: `${PEER}@s.whatsapp.net`, text: `from ${account} before` });
    await until('sends acked', () => drivers.size > 0 && [...drivers.values()].flatMap((d) => d.lines.filter((l) => l.event === 'sent')).length >= ACCOUNTS, 15_000);
    for (const d of drivers.values()) outgoing.push(...d.lines.filter((l) => l.event === 'sent').map((l) => l.messageId!));

    const victim = 'd1';
    const moved = [...before].filter(([, o]) => o === victim).map(([a]) => a);
    const killedAt = Date.now();
    await drivers.get(victim)!.kill();
    await peerSends('during');
    const survivors = ['d2', 'd3'];
    const after = await until('the dead daemon\'s accounts online at the others', () => settled(survivors), 30_000);
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(30_000);
    for (const a of moved) expect(survivors).toContain(after.get(a));
    // No re-link: the same companion devices, nothing new paired at the phones.
    for (let i = 0; i < ACCOUNTS; i++) expect((await admin<Array<{ jid: string }>>(s, 'GET', `/phones/${phoneOf(i)}/devices`)).map((d) => d.jid)).toEqual([devices.get(idOf(i))]);

    await peerSends('after');
    for (const a of moved) drivers.get(after.get(a)!)!.send({ cmd: 'send', id: a, to: `${PEER}@s.whatsapp.net`, text: `from ${a} after` });
    await until('sends after the failover acked', () => [...drivers.values()].flatMap((d) => d.lines.filter((l) => l.event === 'sent' && l.text?.endsWith('after'))).length >= moved.length, 15_000);
    for (const d of drivers.values()) outgoing.push(...d.lines.filter((l) => l.event === 'sent' && l.text?.endsWith('after')).map((l) => l.messageId!));

    const backend = await PostgresBackend.open({ url: postgres.url, maxConnections: 2 });
    try {
      for (let i = 0; i < ACCOUNTS; i++) {
        const account = idOf(i);
        const expected = [...sentTo.get(account)!].sort();
        const got = await until(`${account}: every message in the log`, async () => {
          const ids = await loggedIds(backend, account);
          return expected.every((id) => ids.includes(id)) && ids;
        }, 20_000).catch(async (err: Error) => {
          const ids = await loggedIds(backend, account);
          const log = (await (await AccountStore.open(backend, account)).events.read(1, 1000)).map((e) => `${e.seq}:${e.type}:${JSON.stringify(e.data).slice(0, 80)}`);
          throw new Error(`${err.message}: log ${log.join(' ')}; missing ${JSON.stringify(expected.filter((id) => !ids.includes(id)))} of ${JSON.stringify(sentTo.get(account))}; ${await why()}`);
        });
        const mine = got.filter((id) => expected.includes(id)).sort();
        expect(mine, `${account}: each message exactly once`).toEqual(expected);
      }
    } finally {
      await backend.close();
    }
    const received = await until('the peer received every acked send', async () => {
      const ids = (await admin<Array<{ id: string }>>(s, 'GET', `/phones/${PEER}/messages`)).map((m) => m.id);
      return outgoing.every((id) => ids.includes(id)) && ids;
    }, 15_000);
    for (const id of outgoing) expect(received.filter((r) => r === id)).toHaveLength(1);
  }, 120_000);

  it('a daemon frozen past its lease loses its accounts; resumed, it gives them up, and nothing is lost or doubled', async () => {
    const frozen = 'd2';
    const other = 'd3';
    const held = await owners();
    const mine = [...held].filter(([, o]) => o === frozen).map(([a]) => a);
    expect(mine.length).toBeGreaterThan(0);
    const tokensBefore = new Map((await postgres.query<{ account: string; token: string }>('SELECT account, token FROM account_leases')).map((r) => [r.account, BigInt(r.token)]));
    const d = drivers.get(frozen)!;
    d.child.kill('SIGSTOP');
    try {
      await until("the frozen daemon's accounts online at the other", () => settled([other]), 30_000);
      await peerSends('while frozen');
    } finally {
      d.child.kill('SIGCONT');
    }
    // Taken over under new tokens: whatever the frozen daemon still tries with its old ones is refused by the database.
    const tokensAfter = new Map((await postgres.query<{ account: string; token: string }>('SELECT account, token FROM account_leases')).map((r) => [r.account, BigInt(r.token)]));
    for (const a of mine) expect(tokensAfter.get(a)!).toBeGreaterThan(tokensBefore.get(a)!);
    await until('the resumed daemon gave its accounts up', () => mine.every((a) => new RegExp(`"account":"${a}"[^\\n]*lease lost`).test(d.stderr)), 15_000);
    // Back in the cluster it gets a share again, by new acquisitions.
    await until('rebalanced over both daemons, all online', () => settled([frozen, other]), 30_000);
    await peerSends('after the freeze');
    const backend = await PostgresBackend.open({ url: postgres.url, maxConnections: 2 });
    try {
      for (let i = 0; i < ACCOUNTS; i++) {
        const account = idOf(i);
        const expected = [...sentTo.get(account)!].sort();
        const got = await until(`${account}: every message in the log`, async () => {
          const ids = await loggedIds(backend, account);
          return expected.every((id) => ids.includes(id)) && ids;
        }, 20_000);
        expect(got.filter((id) => expected.includes(id)).sort(), `${account}: each message exactly once`).toEqual(expected);
      }
    } finally {
      await backend.close();
    }
  }, 120_000);
});
