// The protocol core must stay pure (STYLE.md habit 1): it runs in worker threads
// and in the simulator, so it may not import I/O, actors, workers or timers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FORBIDDEN = /^(node:)?(ws|level|classic-level|piscina|xstate|pino|fs|fs\/promises|net|http|https|http2|tls|dgram|timers|timers\/promises|child_process|worker_threads|cluster)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    specs.push((m[1] ?? m[2] ?? m[3])!);
  }
  return specs;
}

describe('src/protocol purity', () => {
  const root = join(import.meta.dirname, '..', '..', 'src', 'protocol');
  const files = sourceFiles(root);

  it('has source files to scan', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('imports no I/O, actor, worker or timer module', () => {
    const offenders = files.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((spec) => FORBIDDEN.test(spec) || /\/(account|runtime|ipc|store|cli|sim)\//.test(spec))
        .map((spec) => `${file.slice(root.length + 1)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('uses no timers or clocks directly', () => {
    const offenders = files
      .filter((file) => !file.includes('/generated/'))
      .filter((file) => /\b(setTimeout|setInterval|setImmediate|Date\.now|performance\.now)\s*\(/.test(readFileSync(file, 'utf8')))
      .map((file) => file.slice(root.length + 1));
    expect(offenders).toEqual([]);
  });
});
