// The committed generated module must be exactly what `npm run codegen` makes
// from proto/*.proto today: a .proto edit without a codegen run, or a hand
// edit of generated/, fails here. (pbts runs jsdoc over ~4 MB of JS: this file
// takes several CPU seconds, hence the long timeout.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const committed = join(repoRoot, 'src', 'protocol', 'proto', 'generated');
const fresh = mkdtempSync(join(tmpdir(), 'wad-codegen-'));

afterAll(() => rmSync(fresh, { recursive: true, force: true }));

/** The first differing line, so a failure says where without printing megabytes. */
function firstDifference(a: string, b: string): string | null {
  if (a === b) return null;
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `line ${i + 1}: committed ${JSON.stringify(left[i])} vs fresh ${JSON.stringify(right[i])}`;
  }
  return 'same lines, different bytes';
}

describe('generated protobuf module', () => {
  it('is what scripts/codegen/proto.mjs generates now (run `npm run codegen` and commit)', { timeout: 180_000 }, () => {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'codegen', 'proto.mjs'), fresh], { cwd: repoRoot, stdio: 'pipe' });
    for (const file of ['wa.js', 'wa.d.ts']) {
      const diff = firstDifference(readFileSync(join(committed, file), 'utf8'), readFileSync(join(fresh, file), 'utf8'));
      expect(diff, `${file} is stale`).toBeNull();
    }
  });

  it('stays a reasonable size', () => {
    const size = readFileSync(join(committed, 'wa.js')).length;
    expect(size).toBeLessThan(4 * 1024 * 1024);
  });
});
