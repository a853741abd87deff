/**
 * A run-only install, as README describes it, outside the clone: the package
 * made by `npm pack` (it carries dist/) installed with `--omit=dev` into a
 * fresh directory, where no devDependency (Baileys, libsignal, TypeScript,
 * vitest, tsx) is installed, and `wad demo` runs to its end from there.
 * It fetches the dependencies from the npm registry (or npm's cache), so it
 * runs only with WAD_TEST_RUN_ONLY=1; dist/ must be built (npm run build).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

describe.runIf(process.env['WAD_TEST_RUN_ONLY'] === '1')('a run-only install', () => {
  it('npm pack, npm install --omit=dev elsewhere: no devDependency installed, wad demo succeeds', { timeout: 600_000 }, () => {
    expect(existsSync(join(root, 'dist', 'cli', 'main.js'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'wad-run-only-'));
    try {
      // dist/ as built: packing skips prepare, which would build it again.
      const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
      const app = join(dir, 'app');
      execFileSync('mkdir', [app]);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
      execFileSync('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], { cwd: app, stdio: 'ignore' });
      expect(readdirSync(join(app, 'node_modules'))).toContain('wad');
      // Small ones (@noble/hashes, @types/node) may come as a dependency's own dependency; these are ours alone.
      const devOnly = ['baileys', 'libsignal', 'typescript', 'vitest', 'tsx', 'fast-check', 'puppeteer-core', 'whatsapp-rust-bridge', 'protobufjs-cli'];
      for (const d of devOnly) expect(pkg.devDependencies[d], d).toBeDefined();
      expect(devOnly.filter((d) => existsSync(join(app, 'node_modules', d)))).toEqual([]);
      const demo = spawnSync(join(app, 'node_modules', '.bin', 'wad'), ['demo'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
      expect(demo.status, demo.stderr).toBe(0);
      expect(demo.stdout).toContain('Done: 2 accounts linked');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
