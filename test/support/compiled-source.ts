/**
 * This checkout's src/ compiled to JavaScript once per test run, file by file
 * (the layout dist/ has), for the tests that run `wad` or a daemon as a child
 * process. Through tsx every such process transpiles on its own loader thread,
 * and so does every worker thread its daemon starts: seconds of CPU each, most
 * of what a CLI test costs on 2 cores. The compiler is the one tsx uses
 * (esbuild, one file at a time, no bundling), so the children run the same
 * JavaScript they would through tsx; the tree is built from the working copy
 * at each run, never a stale dist/.
 */
import { cp, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CompiledSource {
  /** The compiled src/cli/main.ts. */
  readonly main: string;
  remove(): Promise<void>;
}

/**
 * Compiles src/ into a temp dir: dist/ beside links to the repository's
 * node_modules and config (the compiled config loader finds its defaults at
 * ../../config, as from dist/), and a package.json that makes .js ESM.
 */
export async function compileSource(): Promise<CompiledSource> {
  const esbuild = await import('esbuild');
  const dir = await mkdtemp(join(tmpdir(), 'wad-src-'));
  try {
    const src = join(root, 'src');
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'));
    await esbuild.build({
      entryPoints: files.map((f) => join(src, f)),
      outdir: join(dir, 'dist'),
      outbase: src,
      bundle: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      tsconfig: join(root, 'tsconfig.json'),
      logLevel: 'error',
    });
    // Generated and hand-written .js the compiler does not copy (as the build's copy step).
    await cp(join(src, 'protocol', 'proto', 'generated'), join(dir, 'dist', 'protocol', 'proto', 'generated'), { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await symlink(join(root, 'config'), join(dir, 'config'), 'dir');
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { main: join(dir, 'dist', 'cli', 'main.js'), remove: () => rm(dir, { recursive: true, force: true }) };
}
