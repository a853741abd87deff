// The pool as it runs from dist/: compiled JavaScript, a .js worker and no
// tsx loader in the worker threads. Building the package takes too long for
// a test, so this transpiles just the pool's import graph (TypeScript's
// transpileModule, no type check) into a scratch directory and runs it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const src = join(root, 'src');
// Under node_modules so that bare imports (piscina, @noble/curves) resolve.
const out = join(root, 'node_modules', '.cache', `wad-compiled-pool-${process.pid}`);

function compileGraph(entries: string[]): void {
  const seen = new Set<string>();
  const todo = [...entries];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const target = join(out, relative(src, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    const js = file.endsWith('.ts')
      ? ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
      : text;
    writeFileSync(target, js);
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]/g)) {
      const spec = resolve(dirname(file), m[1]!);
      const asTs = spec.replace(/\.js$/, '.ts');
      try {
        readFileSync(asTs);
        todo.push(asTs);
      } catch {
        todo.push(spec);
      }
    }
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('crypto pool compiled to JavaScript', () => {
  it('starts .js workers without tsx, runs jobs there and revives typed errors', async () => {
    // The worker is loaded by path, not imported: it is an entry of its own (dist/ has every file).
    compileGraph([join(src, 'runtime', 'crypto-pool', 'index.ts'), join(src, 'runtime', 'crypto-pool', 'worker.ts')]);
    const mod = (await import(pathToFileURL(join(out, 'runtime', 'crypto-pool', 'index.js')).href)) as typeof import('../../../src/runtime/crypto-pool/index.js');
    const pool = new mod.CryptoPool({ threads: 1 });
    try {
      const d = await pool.run('group.distribution', { record: null });
      const r = await pool.run('group.process', { record: null, distribution: d.distribution });
      const e = await pool.run('group.encrypt', { record: d.record, plaintext: new Uint8Array([1, 2]) });
      expect([...(await pool.run('group.decrypt', { record: r.record, ciphertext: e.ciphertext })).plaintext]).toEqual([1, 2]);
      await expect(pool.run('group.decrypt', { record: null, ciphertext: e.ciphertext })).rejects.toMatchObject({ name: 'GroupCipherError', code: 'NO_SENDER_KEY' });
    } finally {
      await pool.close();
    }
  });
});
