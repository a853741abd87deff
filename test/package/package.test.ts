/**
 * The package as a newcomer installs it: its own name with the `wad` bin,
 * runtime imports only from `dependencies` (a devDependency imported by
 * src/ would be missing after a production install, and a dependency src/
 * never imports is weight for nothing), and the entry point loadable with
 * `require` as well as `import`, through the package's `exports`. The
 * require runs the sources transpiled into a scratch package (building
 * dist/ takes too long for a test), laid out as the package ships them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const src = join(root, 'src');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
  exports: Record<string, Record<string, string>>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
};
// Under node_modules, so the scratch package's bare imports resolve to the installed dependencies.
const scratch = join(root, 'node_modules', '.cache', `wad-package-${process.pid}`);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
const packageOf = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Bare imports that load code at run time (type-only imports vanish in the build). */
function runtimeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\sfrom\s+)?['"]([^'".][^'"]*)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'".][^'"]*)['"]\s*\)/g)) out.push(m[1]!);
  return out.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s)).map(packageOf);
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the package', () => {
  // The library's entry points are imported as `wad` and `wad/protocol` by programs and by the
  // package itself: the name stays, though the registry's `wad` is someone else's package.
  it('is named wad, as its entry points are imported, with the wad bin', () => {
    expect(pkg.name).toBe('wad');
    expect(pkg.bin).toEqual({ wad: 'bin/wad.js' });
    expect(readFileSync(join(root, pkg.bin['wad']!), 'utf8')).toMatch(/^#!\/usr\/bin\/env node/);
  });

  it('imports at run time only its dependencies, and every dependency is imported', () => {
    const used = new Map<string, string>();
    for (const file of sources(src)) for (const p of runtimeImports(readFileSync(file, 'utf8'))) used.set(p, relative(root, file));
    const runtime = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]);
    const missing = [...used].filter(([p]) => !runtime.has(p)).map(([p, file]) => `${p} (${file})`);
    expect(missing).toEqual([]);
    expect(Object.keys(pkg.dependencies).filter((p) => !used.has(p))).toEqual([]);
    for (const p of Object.keys(pkg.dependencies)) expect(pkg.devDependencies[p], p).toBeUndefined();
  });

  it('dist/, as `wad` and the library load it, imports no devDependency (a run-only install has none)', () => {
    const dist = join(root, 'dist');
    const entries = [join(dist, 'index.js'), join(dist, 'cli', 'main.js'), join(dist, 'protocol', 'index.js')];
    for (const e of entries) expect(existsFile(e), `${relative(root, e)} (npm run build)`).toBe(true);
    // The modules a run loads: the entries and every relative import, static or dynamic, and the worker files they start.
    const todo = [...entries, ...sources(dist).filter((f) => /worker/.test(f))];
    const seen = new Set<string>();
    const bare = new Map<string, string>();
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (seen.has(file) || !file.endsWith('.js')) continue;
      seen.add(file);
      const js = readFileSync(file, 'utf8');
      for (const m of js.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
        else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) bare.set(packageOf(spec), relative(root, file));
      }
    }
    expect(seen.size).toBeGreaterThan(100);
    const runtime = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]);
    const outside = [...bare].filter(([p]) => !runtime.has(p)).map(([p, file]) => `${p} (${file}${pkg.devDependencies[p] ? ', a devDependency' : ''})`);
    expect(outside).toEqual([]);
    // The simulator wad demo runs is in that set, and it needs neither Baileys nor libsignal.
    expect([...seen].some((f) => f.includes(`${join('dist', 'sim')}`))).toBe(true);
  });

  it('prepare builds with TypeScript; a run-only install without it keeps a built dist/, or stops saying how to get one', () => {
    expect(pkg.scripts['prepare']).toBe('node scripts/build/prepare.mjs');
    // A copy of the package's scripts with no node_modules above it: no TypeScript to resolve.
    const bare = mkdtempSync(join(tmpdir(), 'wad-run-only-'));
    onTestFinished(() => rmSync(bare, { recursive: true, force: true }));
    mkdirSync(join(bare, 'scripts', 'build'), { recursive: true });
    writeFileSync(join(bare, 'scripts', 'build', 'prepare.mjs'), readFileSync(join(root, 'scripts', 'build', 'prepare.mjs')));
    const run = () => spawnSync(process.execPath, [join(bare, 'scripts', 'build', 'prepare.mjs')], { cwd: bare, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    const none = run();
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('npm pack');
    mkdirSync(join(bare, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(bare, 'dist', 'cli', 'main.js'), '');
    const built = run();
    expect(built.status, built.stderr).toBe(0);
    expect(built.stderr).toContain('using the dist/ already built');
  });

  it("require('wad') loads the same entry as import, through exports", { timeout: 180_000 }, () => {
    expect(pkg.exports['.']).toMatchObject({ import: './dist/index.js', require: './dist/index.js' });
    const home = join(scratch, 'node_modules', pkg.name);
    const dist = join(home, 'dist');
    const todo = [join(src, 'index.ts')];
    const seen = new Set<string>();
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      const target = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      const js = file.endsWith('.ts') ? ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText : text;
      writeFileSync(target, js);
      for (const m of js.matchAll(/(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
        const spec = resolve(dirname(file), (m[1] ?? m[2])!);
        const asTs = spec.replace(/\.js$/, '.ts');
        todo.push(existsFile(asTs) ? asTs : spec);
      }
    }
    writeFileSync(join(home, 'package.json'), JSON.stringify({ name: pkg.name, type: 'module', exports: pkg.exports }));
    const probe = (code: string): string => execFileSync(process.execPath, ['-e', code], { cwd: scratch, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    const required = probe(`const w = require('${pkg.name}'); console.log(typeof w.WadClient, typeof w.createDaemon, typeof w.WadClientError)`);
    expect(required.trim()).toBe('function function function');
    const imported = probe(`import('${pkg.name}').then((w) => console.log(typeof w.WadClient, w.WadClient === require('${pkg.name}').WadClient))`);
    expect(imported.trim()).toBe('function true');
  });
});

function existsFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
