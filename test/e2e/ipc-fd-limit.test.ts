/**
 * A `wad daemon` with a small descriptor limit (prlimit 1024) and connection
 * caps set out of the way, so that only the descriptor budget stands between
 * a crowd and EMFILE: 3,000 idle TCP connections and 1,000 idle Unix ones.
 * The daemon keeps its reserve free, stays up, serves its owner, and its
 * account keeps receiving (store writes, decrypts on the worker pool) and
 * sending. Without the budget the crowd took all 1,024, the first decrypt
 * could not start a worker thread (EMFILE) and the daemon died of it.
 */
import type { TypedWadEvent } from '../../src/contract/events.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { WadClient } from '../../src/client/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { SimHandle } from '../../src/sim/index.js';
import { Crowd } from './support/crowd.js';
import { sim as startSim, tempDir } from './support/daemon.js';
import { admin, jidOf, linkOverSocket, until, writeConfig } from '../ipc/e2e-support.js';
import { wadArgs } from '../support/wad-process.js';

const LIMIT = 1024;
const RESERVE = 256;
// The daemon counts its other descriptors (LevelDB tables, worker pipes, files the loader reads)
// every few seconds; what it opens between two counts is not the crowd's, and on a loaded machine
// that has been up to 5. The crowd itself is held to the budget exactly.
const COUNT_LAG = 12;
const TOKEN = 'fd-limit-token';
const A = '15550050001';
const B = '15550050002';
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let child: ChildProcess | undefined;
let ready: { socket: string; pid: number; listen: string };

function startDaemon(config: string): Promise<typeof ready> {
  // Node raises its soft limit to the hard one: set both.
  const c = spawn('prlimit', [`--nofile=${LIMIT}:${LIMIT}`, process.execPath, ...wadArgs('daemon', '--config', config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  child = c;
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as typeof ready);
    });
    c.once('exit', (code) => reject(new Error(`daemon exited (${code}) before ready: ${out}`)));
  });
}

/** Descriptors the daemon has open; 0 once it is gone (the test then fails on its exit code). */
function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  if (!hasPrlimit) return;
  s = await startSim();
  dir = await tempDir('wad-e2e-fdlimit-');
  for (const p of [A, B]) await admin(s, 'POST', '/phones', { phone: p, name: p });
  const path = writeConfig(s, dir.path);
  const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
  config['ipc'] = {
    ...config['ipc'],
    maxConnections: 100_000,
    maxConnectionsPerPeer: 100_000,
    maxHandshakes: 100_000,
    handshakeTimeoutMs: 600_000,
    fdReserve: RESERVE,
  };
  writeFileSync(path, JSON.stringify({ ...config, listen: '127.0.0.1:0', tokens: [TOKEN] }));
  ready = await startDaemon(path);
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await s?.close();
  await dir?.remove();
});

it.skipIf(!hasPrlimit)('3,000 TCP and 1,000 Unix idle connections against 1,024 descriptors: the reserve stays free, the daemon and its account go on', async () => {
  const owner = await WadClient.connect({ socket: ready.socket });
  await linkOverSocket(owner, s, 'acct', A);
  // The phone's first message to a new companion (its app state keys) is the daemon's first decrypt,
  // which starts the crypto worker; the daemon counts those descriptors at its next reading (every
  // 5 s when not busy), and the crowds below must meet a count that includes them.
  const device = (await owner.accountStatus('acct')).jid!;
  await until('the link’s own messages taken in', () => s.hub.queues.queuedCount(device) + s.hub.queues.unackedCount(device) === 0);
  await new Promise((r) => setTimeout(r, 6_000));
  const inbox: TypedWadEvent[] = [];
  const stream = owner.subscribe({ accounts: ['acct'], types: ['message:new'] });
  void (async () => {
    for await (const ev of stream) inbox.push(ev);
  })();
  await stream.synced;

  let maxFds = 0;
  const watch = setInterval(() => (maxFds = Math.max(maxFds, openFds(ready.pid))), 20);
  const port = Number(ready.listen.split(':')[1]);
  const strangers = new Crowd({ mode: 'tcp', port, count: 3_000 });
  const tcpReport = await strangers.next();
  // Strangers never touch the reserve.
  const withStrangers = maxFds;
  expect(withStrangers).toBeLessThanOrEqual(LIMIT - RESERVE + COUNT_LAG);
  expect(child!.exitCode).toBeNull();
  // A TCP client with a token takes the place of the oldest stranger.
  const tcp = await WadClient.connect({ url: `ws://${ready.listen}`, token: TOKEN, reconnect: false });
  expect((await tcp.listAccounts()).map((a) => a.id)).toEqual(['acct']);
  await tcp.close();

  // The owner's own crowd pushes the strangers out and takes half the reserve besides.
  const mine = new Crowd({ mode: 'unix-raw', socket: ready.socket, count: 1_000 });
  const unixReport = await mine.next();
  const withOwnerCrowd = maxFds;
  const crowds = [strangers, mine];
  expect(child!.exitCode).toBeNull();

  // The account still receives (the store writes, a worker decrypts) and sends.
  const { id } = await admin<{ id: string }>(s, 'POST', `/phones/${B}/messages`, { to: jidOf(A), text: 'in the crowd' });
  await until('message through the crowd', () => inbox.some((e) => e.data['id'] === id), 20_000);
  const sent = await owner.sendText('acct', B, 'answer from the crowd');
  await until('answer at the phone', async () => (await admin<Array<{ id: string }>>(s, 'GET', `/phones/${B}/messages`)).some((m) => m.id === sent));
  // A new owner client gets in, in place of the oldest unfinished handshake of the crowd.
  const fresh = await WadClient.connect({ socket: ready.socket, reconnect: false });
  expect((await fresh.accountStatus('acct')).state).toBe('online');
  await fresh.close();

  clearInterval(watch);
  // The owner's crowd took half the reserve at most; the other half was there for the rest of the
  // daemon (the worker pool's first thread, started by the first decrypt, took some of it).
  expect(withOwnerCrowd).toBeLessThanOrEqual(LIMIT - RESERVE / 2 + COUNT_LAG);
  expect(maxFds).toBeLessThan(LIMIT);
  expect(child!.exitCode).toBeNull();
  expect((await owner.accountStatus('acct')).counters?.['reconnects'] ?? 0).toBe(0);
  const after = await Promise.all(crowds.map((c) => c.ask()));
  await Promise.all(crowds.map((c) => c.stop()));
  await stream.close();
  await owner.close();
  console.log(JSON.stringify({ flood: 'fd-limit', limit: LIMIT, reserve: RESERVE, tcpOpened: tcpReport.opened, unixOpened: unixReport.opened, closedByDaemon: after[0]!.closedByPeer + after[1]!.closedByPeer, fdsWithStrangers: withStrangers, fdsWithOwnerCrowd: withOwnerCrowd, daemonMaxFds: maxFds }));
}, 120_000);
