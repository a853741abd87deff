/**
 * What the SIGKILL cycle scripts share: the daemon driver as a child process
 * (scripts/crash/daemon-driver.ts, bundled once with esbuild when it is
 * installed), its JSON stdout lines to wait on, a seeded PRNG, and the
 * simulator's admin API.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimHandle } from '../../src/sim/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
const root = repoRoot;

export interface Line {
  event: string;
  account?: string;
  state?: string;
  /** Update lines: why the state changed. */
  reason?: string;
  jid?: string;
  qr?: string;
  pairCode?: string;
  error?: string;
  type?: string;
  /** The control socket (ready line, when the driver serves one). */
  socket?: string;
  /** Send lines: what was sent and the id it got. */
  text?: string;
  messageId?: string;
  /** History lines: the chunk's sync type, progress and counts. */
  progress?: number;
  messages?: number;
}

export class Driver {
  readonly lines: Line[] = [];
  readonly #waiters = new Set<() => void>();
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buf = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(text) as Line);
        } catch {
          /* not ours */
        }
      }
      for (const w of [...this.#waiters]) w();
    });
    child.stderr.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString('utf8')).slice(-65536)));
    child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const w of [...this.#waiters]) w();
    });
  }

  send(cmd: object): void {
    this.child.stdin.write(JSON.stringify(cmd) + '\n');
  }

  async wait(what: string, pred: (l: Line) => boolean, timeoutMs = 20_000): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`daemon exited while waiting for ${what}: ${this.stderr.slice(-1500)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        const w = () => {
          clearTimeout(t);
          this.#waiters.delete(w);
          resolve();
        };
        this.#waiters.add(w);
      });
    }
  }

  /** The account's state as the daemon last printed it, else as its ready line listed it (updates before that line are not printed). */
  state(account: string): string | undefined {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const l = this.lines[i]!;
      if (l.event === 'update' && l.account === account) return l.state;
    }
    const ready = this.lines.find((l) => l.event === 'ready') as { accounts?: Array<{ id: string; state: string }> } | undefined;
    return ready?.accounts?.find((a) => a.id === account)?.state;
  }

  /** The control socket its ready line named (with WAD_DRIVER_IPC=1). */
  get socket(): string | undefined {
    return this.lines.find((l) => l.event === 'ready')?.socket;
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The driver bundled once with esbuild (packages stay external), else run through tsx. */
export async function driverCommand(): Promise<{ args: string[]; dispose(): Promise<void> }> {
  const entry = join(here, 'daemon-driver.ts');
  try {
    const esbuild = await import('esbuild');
    const dir = await mkdtemp(join(tmpdir(), 'wad-driver-'));
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const outfile = join(dir, 'daemon-driver.mjs');
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, packages: 'external', logLevel: 'error' });
    return { args: [outfile], dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch {
    return { args: ['--import', 'tsx', entry], dispose: async () => {} };
  }
}

/**
 * The driver as a child process on a config written to `dir/config.json`
 * (the repository's defaults under it); resolves once it printed its ready line.
 */
export async function spawnDriver(cmd: { args: string[] }, dir: string, config: object, env: NodeJS.ProcessEnv = {}, readyMs = 30_000): Promise<Driver> {
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify({ dataDir: dir, ...config }));
  const child = spawn(process.execPath, [...cmd.args, configPath, join(root, 'config', 'default.json')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: root,
    env: { ...process.env, ...env },
  });
  const d = new Driver(child);
  try {
    await d.wait('the daemon ready', (l) => l.event === 'ready', readyMs);
  } catch (err) {
    await d.kill();
    throw err;
  }
  return d;
}

export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export async function admin<T>(sim: SimHandle, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.adminUrl}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}
