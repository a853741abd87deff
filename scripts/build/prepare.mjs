// npm's prepare step (npm ci, npm install in a clone, npm pack): builds dist/, which `wad` runs.
// The compiler is a devDependency, so a run-only install (npm ci --omit=dev) has none: there a
// dist/ already built is kept, and without one the install stops saying how to get a built
// package, rather than failing on a missing `tsc`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('../../', import.meta.url);
let compiler = true;
try {
  createRequire(import.meta.url).resolve('typescript');
} catch {
  compiler = false;
}
if (compiler) {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
} else if (existsSync(new URL('dist/cli/main.js', root))) {
  console.error('wad: no TypeScript (a run-only install): using the dist/ already built');
} else {
  console.error(
    'wad: dist/ is not built and TypeScript is not installed (npm ci --omit=dev).\n' +
      'Build it once with a full `npm ci`, or make a package in a full clone with `npm pack` and\n' +
      'install that (`npm install -g ./wad-<version>.tgz`): it carries dist/ and needs no devDependency.',
  );
  process.exit(1);
}
