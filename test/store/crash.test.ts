/**
 * SIGKILL a process that commits store transactions at random moments (start-up,
 * pairing, mid-batch), ~20 times: the store must always open, keep every
 * transaction the writer saw committed, and hold no transaction in part.
 * scripts/crash/store-sigkill.ts runs the same cycles many more times.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crashCycle, writerCommand } from '../../scripts/crash/store-cycles.js';

const CYCLES = 20;
let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('store under SIGKILL', () => {
  it(`${CYCLES} kills at random moments: never a lost commit, never a partial one`, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wad-crash-test-'));
    const seed0 = Date.now() >>> 0 || 1;
    let seed = seed0;
    const random = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const cmd = await writerCommand();
    let last = 0;
    for (let i = 0; i < CYCLES; i++) {
      const r = await crashCycle(cmd, dataDir, random, 120, i % 4 === 3 ? 'startup' : 'writing').catch((err: Error) => {
        throw new Error(`cycle ${i} (seed ${seed0}): ${err.message}`);
      });
      expect(r.found).toBeGreaterThanOrEqual(last);
      last = r.found;
    }
    await cmd.dispose();
    // Three kills in four landed while transactions were being written.
    expect(last).toBeGreaterThan(CYCLES);
  }, 120_000);
});
