// The daemon's heap growth setting, applied after the process started (as
// `wad daemon` does once its config is read), must change how far V8 lets
// the old space grow over what is live. Two child processes run the same
// allocation pattern, one with V8's own choice and one at 50 %.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { applyHeapGrowth } from '../../src/daemon/heap-growth.js';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./fixtures/heap-churn.mjs', import.meta.url));
const MODULE = fileURLToPath(new URL('../../src/daemon/heap-growth.ts', import.meta.url));

async function peakOldSpace(growth: number): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, String(growth), MODULE], { timeout: 120_000 });
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { peak: number }).peak;
}

describe('heap growth', () => {
  it('keeps the old space much closer to the live heap than V8’s own factor', async () => {
    const [own, fixed] = await Promise.all([peakOldSpace(0), peakOldSpace(50)]);
    expect(fixed).toBeLessThan(own * 0.7);
  }, 150_000);

  it('refuses what is not a whole percentage', () => {
    expect(() => applyHeapGrowth(-1)).toThrow(RangeError);
    expect(() => applyHeapGrowth(1.5)).toThrow(RangeError);
  });
});
