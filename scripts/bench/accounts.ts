/**
 * Accounts at scale against the simulator (issue 6): memory (heap, RSS) per
 * idle online account at 1, 100 and 1,000 accounts (the compiled build, as
 * users run it), and the time to bring
 * 1,000 saved accounts online after a restart. The simulator runs in a child
 * process (`wad sim`), so this process holds only the daemon. With
 * `--baileys N`, the same memory figure for N unmodified Baileys 7 sockets
 * (in their own child process: scripts/bench/accounts-baileys.ts) as the reference.
 *
 * With `--seed` the accounts are not linked one by one by QR (minutes for
 * thousands) but seeded as linked (seed-accounts.ts), against a simulator with
 * room for them all; then the daemon brings them all online twice — a first
 * start, then a restart, each timed, with the event loop's delay (p50, p99,
 * max) sampled while they come up — and the memory row is taken after the
 * first (2,000 accounts per MiB of heap at the 64 KiB goal). `--restarts N`
 * times N restarts; `--profile PATH` writes a CPU profile of the last one
 * (the daemon only: the simulator's CPU is reported beside it).
 *
 *   npx tsx scripts/bench/accounts.ts [--accounts 1000] [--baileys 20]
 *   npx tsx scripts/bench/accounts.ts --accounts 10000 --seed
 *   npx tsx scripts/bench/accounts.ts --accounts 1000 --seed --restarts 3 --profile /tmp/restart.cpuprofile
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import type { Daemon } from '../../src/daemon/index.js';
import { productionDaemon } from './production-daemon.js';
import { seedAccounts } from './seed-accounts.js';
import { admin, benchConfig, inPool, linkAccount, startSimProcess, type SimInfo } from './sim-process.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const TOTAL = arg('--accounts', 1000);
const BAILEYS = arg('--baileys', 0);
const SEED = process.argv.includes('--seed');
/** With --seed: restarts timed after the first start (each its own row). */
const RESTARTS = arg('--restarts', 1);
/** With --seed: a CPU profile of the last restart written to this path (.cpuprofile; open in Chrome DevTools). */
const PROFILE = (() => {
  const i = process.argv.indexOf('--profile');
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
const root = join(import.meta.dirname, '..', '..');

interface Mem {
  heap: number;
  external: number;
  rss: number;
}

async function measure(): Promise<Mem> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external, rss: m.rss };
}

const phone = (i: number) => `1444${String(i).padStart(7, '0')}`;

function link(d: Daemon, sim: SimInfo, i: number): Promise<void> {
  return linkAccount(d, sim, `a${i}`, phone(i));
}

const kib = (bytes: number) => bytes / 1024;
const fmt = (n: number) => n.toFixed(1);

const { createDaemon } = await productionDaemon();
const { child: simChild, info: sim } = await startSimProcess(SEED ? TOTAL : undefined);
const dataDir = await mkdtemp(join(tmpdir(), 'wad-bench-accounts-'));
const config = benchConfig(sim, dataDir, [['accounts.maxAccounts', Math.max(1000, TOTAL)]]);
const logger = pino({ level: 'silent' });
const rows: string[] = [];

interface Startup {
  ms: number;
  /** The daemon process's CPU time (user + system) while they came up, ms. */
  cpuMs: number;
  /** The simulator process's CPU time meanwhile, ms (Linux: /proc; NaN elsewhere). */
  simCpuMs: number;
  /** Event-loop delay while the accounts came up, ms. */
  p50: number;
  p99: number;
  max: number;
  /** Garbage-collection pauses meanwhile: count, total ms, longest ms, and how many were 50 ms or longer. */
  gc: { count: number; totalMs: number; maxMs: number; over50: number };
}

/** A child's CPU time so far (user + system), ms, from /proc (NaN where there is none). */
function childCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Starts the daemon on the saved accounts and waits until every one is online, sampling the event loop's delay meanwhile. */
async function startAll(profilePath?: string): Promise<{ d: Daemon; up: Startup }> {
  const session = profilePath ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const gcStats = { count: 0, totalMs: 0, maxMs: 0, over50: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcStats.count++;
      gcStats.totalMs += e.duration;
      gcStats.maxMs = Math.max(gcStats.maxMs, e.duration);
      if (e.duration >= 50) gcStats.over50++;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sim0 = childCpuMs(simChild.pid);
  const d = await createDaemon(config, { logger, ipc: false });
  await Promise.all(d.listAccounts().map((a) => d.accounts.waitFor(a.id, (s) => s.state === 'online', 300_000)));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const simCpuMs = childCpuMs(simChild.pid) - sim0;
  loop.disable();
  gcObserver.disconnect();
  if (session && profilePath) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profilePath, JSON.stringify(profile));
    session.disconnect();
  }
  return { d, up: { ms, cpuMs: (cpu.user + cpu.system) / 1000, simCpuMs, p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, gc: gcStats } };
}

const upLine = (what: string, u: Startup): string =>
  `| ${what} | ${(u.ms / 1000).toFixed(2)} | ${fmt(u.ms / TOTAL)} | ${(u.cpuMs / TOTAL).toFixed(2)} | ${(u.simCpuMs / TOTAL).toFixed(2)} | ${fmt(u.p50)} | ${fmt(u.p99)} | ${fmt(u.max)} | ${u.gc.count} / ${(u.gc.totalMs / 1000).toFixed(1)} s / ${fmt(u.gc.maxMs)} / ${u.gc.over50} |`;

async function seeded(): Promise<void> {
  let d = await createDaemon(config, { logger, ipc: false });
  const base = await measure();
  await d.stop();
  const s0 = performance.now();
  await seedAccounts(sim, dataDir, Array.from({ length: TOTAL }, (_, i) => ({ id: `a${i}`, phone: phone(i) })));
  console.error(`seeded ${TOTAL} accounts (${((performance.now() - s0) / 1000).toFixed(1)} s)`);
  const first = await startAll();
  d = first.d;
  console.error(`first start: ${TOTAL} online (${(first.up.ms / 1000).toFixed(1)} s)`);
  // The work after a first login (prekey upload, passive off) is done by then.
  await new Promise((r) => setTimeout(r, 5000));
  const m = await measure();
  await d.stop();
  const restarts: Startup[] = [];
  let again!: { d: Daemon; up: Startup };
  for (let k = 0; k < RESTARTS; k++) {
    if (k > 0) await again.d.stop();
    again = await startAll(k === RESTARTS - 1 ? PROFILE : undefined);
    restarts.push(again.up);
    console.error(`restart: ${TOTAL} online (${(again.up.ms / 1000).toFixed(1)} s, daemon CPU ${(again.up.cpuMs / TOTAL).toFixed(2)} ms/account, sim ${(again.up.simCpuMs / TOTAL).toFixed(2)}, loop p99 ${fmt(again.up.p99)} ms, GC ${again.up.gc.count} pauses ${(again.up.gc.totalMs / 1000).toFixed(1)} s max ${fmt(again.up.gc.maxMs)} ms, ${again.up.gc.over50} ≥ 50 ms)`);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const after = await measure();
  await again.d.stop();
  console.log(`### Accounts: ${TOTAL} seeded idle online accounts in one daemon

\`npx tsx scripts/bench/accounts.ts --accounts ${TOTAL} --seed\` — the simulator in a child process, the daemon (the
compiled build) in the measuring process; accounts seeded as linked. Memory: deltas over the
daemon with no account, after forced GC, 5 s after the first start's last account came online.

| accounts online | heap KiB / account | external KiB / account | RSS KiB / account | heap total MiB | RSS total MiB |
|---:|---:|---:|---:|---:|---:|
| ${TOTAL} | ${fmt(kib(m.heap - base.heap) / TOTAL)} | ${fmt(kib(m.external - base.external) / TOTAL)} | ${fmt(kib(m.rss - base.rss) / TOTAL)} | ${fmt(m.heap / 2 ** 20)} | ${fmt(m.rss / 2 ** 20)} |

| bringing ${TOTAL} saved accounts online | s | ms / account | daemon CPU ms / account | simulator CPU ms / account | event-loop delay p50 ms | p99 ms | max ms | GC pauses: count / total / longest ms / ≥ 50 ms |
|---|---:|---:|---:|---:|---:|---:|---:|---|
${upLine('first start (then prekey upload and the rest of a first login)', first.up)}
${restarts.map((u) => upLine('restart', u)).join('\n')}

Heap after the restart: ${fmt(kib(after.heap - base.heap) / TOTAL)} KiB per account, RSS ${fmt(after.rss / 2 ** 20)} MiB.`);
}

try {
  if (SEED) {
    await seeded();
  } else {
  await inPool(Array.from({ length: TOTAL }, (_, i) => i), 16, async (i) => void (await admin(sim, 'POST', '/phones', { phone: phone(i), name: `u${i}` })));
  let d = await createDaemon(config, { logger, ipc: false });
  const base = await measure();
  let linked = 0;
  const linkStart = Date.now();
  for (const n of [1, 100, TOTAL].filter((n, i, a) => n <= TOTAL && a.indexOf(n) === i)) {
    await inPool(Array.from({ length: n - linked }, (_, k) => linked + k), 8, (i) => link(d, sim, i));
    linked = n;
    await new Promise((r) => setTimeout(r, 2000));
    const m = await measure();
    rows.push(`| ${n} | ${fmt(kib(m.heap - base.heap) / n)} | ${fmt(kib(m.external - base.external) / n)} | ${fmt(kib(m.rss - base.rss) / n)} | ${fmt(m.heap / 2 ** 20)} | ${fmt(m.rss / 2 ** 20)} |`);
    console.error(`linked ${n} (${((Date.now() - linkStart) / 1000).toFixed(1)} s)`);
  }
  await d.stop();

  const t0 = performance.now();
  d = await createDaemon(config, { logger, ipc: false });
  await Promise.all(d.listAccounts().map((a) => d.accounts.waitFor(a.id, (s) => s.state === 'online', 120_000)));
  const bootMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 2000));
  const after = await measure();
  await d.stop();

  let baileysRow = '';
  if (BAILEYS > 0) {
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/accounts-baileys.ts'), JSON.stringify(sim), String(BAILEYS)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
      let s = '';
      c.stdout.on('data', (x: Buffer) => (s += x.toString()));
      c.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`baileys bench exited ${code}`))));
    });
    const b = JSON.parse(out.trim().split('\n').at(-1)!) as { n: number; heapPer: number; externalPer: number; rssPer: number; heap: number; rss: number };
    baileysRow = `| Baileys 7 (reference), ${b.n} | ${fmt(kib(b.heapPer))} | ${fmt(kib(b.externalPer))} | ${fmt(kib(b.rssPer))} | ${fmt(b.heap / 2 ** 20)} | ${fmt(b.rss / 2 ** 20)} |`;
  }

  console.log(`### Accounts: memory per idle online account, and start-up of saved accounts

\`npx tsx scripts/bench/accounts.ts --accounts ${TOTAL}${BAILEYS ? ` --baileys ${BAILEYS}` : ''}\` — the simulator in a child process (\`wad sim\`), the daemon
in the measuring process; deltas over the daemon with no account, after forced GC, 2 s after the
last account came online (after-login work done: prekeys uploaded, passive off).

| accounts online | heap KiB / account | external KiB / account | RSS KiB / account | heap total MiB | RSS total MiB |
|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}
${baileysRow}

Bringing ${TOTAL} saved accounts online (daemon start, store opened, every account connected, Noise
handshake, login, \`<success>\`): **${(bootMs / 1000).toFixed(2)} s** (${fmt(bootMs / TOTAL)} ms per account); heap after it:
${fmt(kib(after.heap - base.heap) / TOTAL)} KiB per account, RSS ${fmt(after.rss / 2 ** 20)} MiB.
Target: under 1 MiB of heap per idle account (WAHA's sizing table: 50–80 MB per session).`);
  }
} finally {
  simChild.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
}
