/**
 * Accounts at scale against the simulator (issue 6): memory (heap, RSS) per
 * idle online account at 1, 100 and 1,000 accounts, and the time to bring
 * 1,000 saved accounts online after a restart. The simulator runs in a child
 * process (`wad sim`), so this process holds only the daemon. With
 * `--baileys N`, the same memory figure for N unmodified Baileys 7 sockets
 * (in their own child process: scripts/bench/accounts-baileys.ts) as the reference.
 *
 *   npx tsx scripts/bench/accounts.ts [--accounts 1000] [--baileys 20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { createDaemon, type Daemon } from '../../src/daemon/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const TOTAL = arg('--accounts', 1000);
const BAILEYS = arg('--baileys', 0);
const root = join(import.meta.dirname, '..', '..');

interface SimInfo {
  wsUrl: string;
  adminUrl: string;
  rootPublicKey: string;
  mediaCaPath: string;
}

export function startSimProcess(): Promise<{ child: ChildProcess; info: SimInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'sim'], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ child, info: JSON.parse(buf.slice(0, nl)) as SimInfo });
    });
    child.once('exit', (code) => reject(new Error(`wad sim exited (${code})`)));
  });
}

async function admin(sim: SimInfo, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(sim.adminUrl + path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as unknown;
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
  }));
}

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

async function link(d: Daemon, sim: SimInfo, i: number): Promise<void> {
  const id = `a${i}`;
  const qr = new Promise<string>((resolve) => {
    const off = d.onEvent((e) => {
      if (e.account === id && e.data.state === 'qr' && typeof e.data.qr === 'string') {
        off();
        resolve(e.data.qr);
      }
    });
  });
  await d.addAccount(id, {});
  await admin(sim, 'POST', `/phones/${phone(i)}/link`, { qr: await qr });
  await d.accounts.waitFor(id, (s) => s.state === 'online', 60_000);
}

const kib = (bytes: number) => bytes / 1024;
const fmt = (n: number) => n.toFixed(1);

const { child: simChild, info: sim } = await startSimProcess();
const dataDir = await mkdtemp(join(tmpdir(), 'wad-bench-accounts-'));
const config = loadConfig({
  env: {},
  overrides: [
    ['dataDir', dataDir],
    ['server.wsUrl', sim.wsUrl],
    ['server.rootPublicKey', sim.rootPublicKey],
    ['server.mediaCaPath', sim.mediaCaPath],
    ['log.level', 'silent'],
    ['accounts.maxAccounts', Math.max(1000, TOTAL)],
  ].map(([key, value]) => ({ key: key as string, value, source: 'bench' })),
});
const logger = pino({ level: 'silent' });
const rows: string[] = [];
try {
  await pool(Array.from({ length: TOTAL }, (_, i) => i), 16, async (i) => void (await admin(sim, 'POST', '/phones', { phone: phone(i), name: `u${i}` })));
  let d = await createDaemon(config, { logger, ipc: false });
  const base = await measure();
  let linked = 0;
  const linkStart = Date.now();
  for (const n of [1, 100, TOTAL].filter((n, i, a) => n <= TOTAL && a.indexOf(n) === i)) {
    await pool(Array.from({ length: n - linked }, (_, k) => linked + k), 8, (i) => link(d, sim, i));
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
