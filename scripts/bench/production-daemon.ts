/**
 * The daemon as users run it: the compiled build in dist/ (what `wad` runs),
 * built first when any source file is newer. Benchmarks of memory must not
 * load the TypeScript source through tsx: its esbuild transform keeps
 * function names by redefining `name` on every function, which turns each
 * closure's properties into a dictionary (~256 B apiece, ~90 closures per
 * account: a fifth of an idle account's heap that production never has).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as DaemonModule from '../../src/daemon/index.js';

const root = join(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(root, 'dist', 'daemon', 'index.js')).mtimeMs;
  } catch {
    return 0;
  }
}

export async function productionDaemon(): Promise<typeof DaemonModule> {
  if (builtAt() < newestMtime(join(root, 'src'))) {
    process.stderr.write('building dist/ (npm run build)…\n');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return (await import(pathToFileURL(join(root, 'dist', 'daemon', 'index.js')).href)) as typeof DaemonModule;
}
