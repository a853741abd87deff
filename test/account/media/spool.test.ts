// Spool: in memory up to its limit, then a 0600 file holding exactly the
// bytes written; ranges read back; dispose() removes the file, also when it
// races the move to the file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../../src/account/media/index.js';
import { leftovers } from './support.js';

async function read(s: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of s) out.push(c as Buffer);
  return Buffer.concat(out);
}

/** pieces() as its readers use it: each piece copied before the next is asked for. */
async function copied(pieces: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const p of pieces) out.push(Buffer.from(p));
  return Buffer.concat(out);
}

describe('Spool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wad-spool-'));

  it('holds what was written, in memory or in a file, and reads any range back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(3_000), { maxLength: 12 }), fc.nat(), fc.nat(), async (sizes, a, b) => {
        const parts = sizes.map((n) => randomBytes(n));
        const all = Buffer.concat(parts);
        const spool = new Spool({ dir, memoryLimit: 4_000 });
        await pipeline(Readable.from(parts, { objectMode: false }), spool);
        expect(spool.size).toBe(all.length);
        expect(spool.path !== undefined).toBe(all.length > 4_000);
        if (spool.path) expect(statSync(spool.path).mode & 0o777).toBe(0o600);
        const [start, end] = [a % (all.length + 1), b % (all.length + 1)].sort((x, y) => x - y) as [number, number];
        expect((await read(spool.read(start, end))).equals(all.subarray(start, end))).toBe(true);
        expect((await read(spool.read())).equals(all)).toBe(true);
        expect((await copied(spool.pieces(start, end))).equals(all.subarray(start, end))).toBe(true);
        await spool.dispose();
        expect(() => spool.read()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
        expect(() => spool.pieces()).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
      }),
      { numRuns: 40 },
    );
    expect(leftovers(dir)).toEqual([]);
  });

  it('hands a file of many reads in pieces that, copied one by one, are the bytes of any range', async () => {
    const all = randomBytes(700 * 1024);
    const spool = new Spool({ dir, memoryLimit: 1024 });
    await pipeline(Readable.from([all.subarray(0, 300_000), all.subarray(300_000)], { objectMode: false }), spool);
    expect(spool.path).toBeDefined();
    for (const [start, end] of [[0, all.length], [1, all.length - 32], [262_143, 524_289], [5, 5], [600_000, all.length]] as const) {
      expect((await copied(spool.pieces(start, end))).equals(all.subarray(start, end))).toBe(true);
    }
    await spool.dispose();
    expect(leftovers(dir)).toEqual([]);
  });

  it('leaves no file when disposed while moving to one', async () => {
    for (let i = 0; i < 20; i++) {
      const spool = new Spool({ dir, memoryLimit: 10 });
      const done = pipeline(Readable.from([randomBytes(5), randomBytes(100), randomBytes(100)], { objectMode: false }), spool).catch(() => undefined);
      await new Promise((r) => setTimeout(r, i % 3));
      await spool.dispose();
      await done;
    }
    expect(leftovers(dir)).toEqual([]);
  });
});
