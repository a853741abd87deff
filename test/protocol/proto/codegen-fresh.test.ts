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

  // vitest transforms modules and papers over CommonJS interop; the daemon runs
  // the file under Node's own ESM loader, where a broken import shows.
  it('loads under plain Node ESM and decodes 64-bit fields to numbers', () => {
    const url = new URL(`file://${join(committed, 'wa.js')}`).href;
    const script = [
      `import { proto } from ${JSON.stringify(url)};`,
      'const bytes = proto.Message.encode({ reactionMessage: { text: "x", senderTimestampMs: 1700000000123 } }).finish();',
      'const back = proto.Message.decode(bytes).reactionMessage.senderTimestampMs;',
      'console.log(Buffer.from(bytes).toString("hex"), typeof back, back);',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot }).toString().trim();
    expect(out).toBe('f2020a12017820fbd095ffbc31 number 1700000000123');
  });

  it('stays a reasonable size', () => {
    const size = readFileSync(join(committed, 'wa.js')).length;
    expect(size).toBeLessThan(4 * 1024 * 1024);
  });
});
