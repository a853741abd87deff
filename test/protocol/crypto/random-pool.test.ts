// Pooled random bytes: every draw is fresh (no byte handed out twice across
// pool refills), draws own their memory, and large draws bypass the pool.
import { describe, expect, it } from 'vitest';
import { poolRandomBytes } from '../../../src/protocol/crypto/random-pool.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('poolRandomBytes', () => {
  it('never repeats a 32-byte draw across many refills, and returns exactly n bytes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const n = 1 + (i % 40);
      const b = poolRandomBytes(n);
      expect(b.length).toBe(n);
      if (n === 32) {
        expect(seen.has(hex(b))).toBe(false);
        seen.add(hex(b));
      }
    }
    expect(seen.size).toBe(50);
  });

  it('hands out copies: changing one draw changes no later draw', () => {
    const a = poolRandomBytes(16);
    a.fill(0);
    const b = poolRandomBytes(16);
    expect(b.buffer).not.toBe(a.buffer);
    expect(b.some((x) => x !== 0)).toBe(true);
  });

  it('bytes look uniform (each of the 256 values within a wide band over 256 KiB)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 8192; i++) for (const x of poolRandomBytes(32)) counts[x]!++;
    // Expected 1024 per value; a CSPRNG lands within ±25% with overwhelming probability.
    expect(Math.min(...counts)).toBeGreaterThan(768);
    expect(Math.max(...counts)).toBeLessThan(1280);
  });

  it('serves draws larger than the pool share directly', () => {
    const big = poolRandomBytes(5000);
    expect(big.length).toBe(5000);
    expect(new Set(big).size).toBeGreaterThan(200);
  });
});
