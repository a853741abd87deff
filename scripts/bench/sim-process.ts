/**
 * Bench support: `wad sim` in a child process (so the measuring process
 * holds only the daemon), its admin API, a daemon config pointing at it,
 * and linking accounts through its phones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { configForSimulator, type Config } from '../../src/config/index.js';
import type { Daemon } from '../../src/daemon/index.js';

const root = join(import.meta.dirname, '..', '..');

export interface SimInfo {
  wsUrl: string;
  adminUrl: string;
  rootPublicKey: string;
  mediaCaPath: string;
}

/** `wad sim`, or with `users` a simulator whose user and connection limits fit that many (sim-scale.ts). */
export function startSimProcess(users?: number): Promise<{ child: ChildProcess; info: SimInfo }> {
  const argv = users === undefined ? [join(root, 'src/cli/main.ts'), 'sim'] : [join(root, 'scripts/bench/sim-scale.ts'), String(users)];
  const child = spawn(process.execPath, ['--import', 'tsx', ...argv], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
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

export async function admin(sim: SimInfo, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(sim.adminUrl + path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/** Runs `fn` over `items`, `n` at a time. */
export async function inPool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
    }),
  );
}

export function benchConfig(sim: SimInfo, dataDir: string, over: Array<[string, unknown]> = []): Config {
  // Throughput is measured unpaced, as Baileys sends (a real deployment keeps accounts.sendRate low).
  return configForSimulator(sim, dataDir, 'bench', [['accounts.sendRate', { perSecond: 10_000, burst: 10_000 }], ...over]);
}

/** Adds account `id` and links it by QR with the phone `phone`; resolves once online. */
export async function linkAccount(d: Daemon, sim: SimInfo, id: string, phone: string): Promise<void> {
  const qr = new Promise<string>((resolve) => {
    const off = d.onEvent((e) => {
      if (e.account === id && e.data.state === 'qr' && typeof e.data.qr === 'string') {
        off();
        resolve(e.data.qr);
      }
    });
  });
  await d.addAccount(id, {});
  await admin(sim, 'POST', `/phones/${phone}/link`, { qr: await qr });
  await d.accounts.waitFor(id, (s) => s.state === 'online', 60_000);
}
