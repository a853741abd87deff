/**
 * One crash cycle: start the writer, SIGKILL it at a random moment (during
 * start-up, pairing or while committing), then check the invariants. The
 * writer is bundled once with esbuild so a cycle costs ~0.1 s of start-up
 * instead of tsx's ~0.6 s (the test runs many cycles on shared CPUs).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkInvariants } from './store-workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

export interface WriterCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Removes the bundle. */
  dispose(): Promise<void>;
}

/** Bundles store-writer.ts (falls back to tsx when esbuild is not available). */
export async function writerCommand(): Promise<WriterCommand> {
  const entry = join(here, 'store-writer.ts');
  try {
    const esbuild = await import('esbuild');
    const dir = await mkdtemp(join(tmpdir(), 'wad-crash-'));
    // `classic-level` loads a native addon from its own package, `pg` is CommonJS that requires Node's modules: keep both external and resolvable.
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const outfile = join(dir, 'store-writer.mjs');
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, external: ['classic-level', 'pg'], logLevel: 'error' });
    return { command: process.execPath, args: [outfile], dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch {
    return { command: process.execPath, args: ['--import', 'tsx', entry], dispose: async () => {} };
  }
}

export interface CycleResult {
  /** Last n the writer reported committed before it was killed. */
  readonly reported: number;
  readonly paired: boolean;
  /** N found in the store. */
  readonly found: number;
  /** When the kill came: 'startup' (before the writer was ready) or 'writing'. */
  readonly phase: 'startup' | 'writing';
}

/**
 * Runs the writer against `dataDir` and kills it: in the 'startup' phase at a
 * random time since spawn (start-up, pairing), in 'writing' a random
 * 0–`maxDelayMs` after it is ready. Without `phase`, 'startup' one time in four.
 * @throws InvariantError when the store breaks an invariant
 */
export async function crashCycle(
  cmd: WriterCommand,
  dataDir: string,
  random: () => number,
  maxDelayMs = 150,
  phase: CycleResult['phase'] = random() < 0.25 ? 'startup' : 'writing',
): Promise<CycleResult> {
  const child = spawn(cmd.command, [...cmd.args, dataDir, String(Math.floor(random() * 2 ** 31))], { stdio: ['ignore', 'pipe', 'pipe'] });
  let paired = false;
  let reported = 0;
  let stderr = '';
  let buffered = '';
  // 'close', not 'exit': every line the writer printed before the kill has then been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === 'R') {
          paired = true;
          resolve();
        } else if (line.startsWith('C ')) reported = Number(line.slice(2));
      }
    });
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
  if (phase === 'startup') await Promise.race([delay(random() * 400), exited]);
  else {
    await Promise.race([ready, exited]);
    await delay(random() * maxDelayMs);
  }
  child.kill('SIGKILL');
  const code = await exited;
  if (code !== null && code !== 0) throw new Error(`writer failed before the kill (exit ${code}): ${stderr}`);
  const found = await checkInvariants(dataDir, paired, reported);
  return { reported, paired, found, phase };
}
