/**
 * The simulator must not share code with the daemon it tests: src/sim/**
 * imports only src/protocol/** (the pure core), other src/sim files, node
 * built-ins and npm packages — never src/account, src/runtime, src/store,
 * src/ipc or src/cli. Otherwise agreement between the two proves nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const SIM = join(ROOT, 'src/sim');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/sim imports', () => {
  it('reach only src/protocol, src/sim and packages', () => {
    const bad: string[] = [];
    for (const file of files(SIM)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, resolve(dirname(file), spec));
        if (!target.startsWith('src/sim/') && !target.startsWith('src/protocol/')) bad.push(`${relative(ROOT, file)} → ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
