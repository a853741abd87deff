// A real `wad daemon` process pointed at an in-process simulator, and its
// memory as the kernel counts it: what the benchmarks that measure the
// daemon's own RSS (history sync, media) share.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimHandle } from '../../src/sim/index.js';

export interface DaemonChild {
  readonly child: ChildProcess;
  readonly socket: string;
  readonly pid: number;
}

/**
 * VmRSS, VmHWM (peak) and RSS's parts of a process, in bytes: anonymous
 * memory (heaps, buffers) and file pages mapped in (LevelDB reads its table
 * files through mmap: page cache the kernel can take back).
 */
export function memOf(pid: number): { rss: number; hwm: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/**
 * Starts `node <nodeArgs> <main> daemon` with a config for `sim` in `dataDir`
 * (warn logs, generous rate limits) and resolves at its ready line.
 * `echo` copies the daemon's stdout to this process's stderr (V8 traces).
 */
export async function startSimDaemon(sim: SimHandle, dataDir: string, opts: { main: string; nodeArgs?: readonly string[]; echo?: boolean }): Promise<DaemonChild> {
  mkdirSync(dataDir, { recursive: true });
  const config = join(dataDir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir,
      server: { wsUrl: sim.wsUrl, rootPublicKey: sim.rootPublicKey, mediaCaPath: sim.mediaCaPath },
      log: { level: 'warn' },
      ipc: { rateLimit: { perSecond: 1000, burst: 1000 }, accountRateLimit: { perSecond: 4000, burst: 4000 } },
    }),
  );
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.main, 'daemon', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = await new Promise<{ socket: string; pid: number }>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      if (opts.echo) process.stderr.write(c);
      out += c;
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) resolve(JSON.parse(line) as { socket: string; pid: number });
    });
    child.on('exit', (code) => reject(new Error(`wad daemon exited ${code}`)));
  });
  return { child, ...ready };
}
