/**
 * Accounts at scale against the simulator (issue 6): memory (heap, RSS) per
 * idle online account at 1, 100 and 1,000 accounts (the compiled build, as
 * users run it), and the time to bring
 * 1,000 saved accounts online after a restart. The simulator runs in a child
 * process (`wad sim`), so this process holds only the daemon. With
 * `--baileys N`, the same memory figure for N unmodified Baileys 7 sockets
 * (in their own child process: scripts/bench/accounts-baileys.ts) as the reference.
 *
 *   npx tsx scripts/bench/accounts.ts [--accounts 1000] [--baileys 20]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import type { Daemon } from '../../src/daemon/index.js';
import { productionDaemon } from './production-daemon.js';
import { admin, benchConfig, inPool, linkAccount, startSimProcess, type SimInfo } from './sim-process.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const TOTAL = arg('--accounts', 1000);
const BAILEYS = arg('--baileys', 0);
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
const { child: simChild, info: sim } = await startSimProcess();
const dataDir = await mkdtemp(join(tmpdir(), 'wad-bench-accounts-'));
const config = benchConfig(sim, dataDir, [['accounts.maxAccounts', Math.max(1000, TOTAL)]]);
const logger = pino({ level: 'silent' });
const rows: string[] = [];
try {
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
} finally {
  simChild.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
}
