/**
 * The KVBackend contract, checked on both backends against a plain model:
 * batches apply in order (later ops win), scans honour every bound, limit and
 * direction in byte order, a failed batch applies nothing.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelBackend } from '../../src/store/backend/level.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import type { BatchOp, KVBackend, KeyRange } from '../../src/store/backend/types.js';
import { StoreError } from '../../src/store/errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
// Short keys over a tiny alphabet (with 0x00 and 0xff): many collisions and prefix relations.
const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3 }).map((k) => k.map((b) => [0, 1, 0x2f, 0x30, 0xff][b % 5]!));
const opArb: fc.Arbitrary<BatchOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: keyArb, value: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ type: fc.constant('del' as const), key: keyArb }),
);
const rangeArb: fc.Arbitrary<KeyRange> = fc.record(
  { gte: keyArb, gt: keyArb, lte: keyArb, lt: keyArb, limit: fc.nat({ max: 6 }), reverse: fc.boolean() },
  { requiredKeys: [] },
);

function modelScan(model: Map<string, Uint8Array>, r: KeyRange): Array<[string, string]> {
  let keys = [...model.keys()].sort();
  const b = (k?: Uint8Array) => (k ? hex(k) : undefined);
  const [gte, gt, lte, lt] = [b(r.gte), b(r.gt), b(r.lte), b(r.lt)];
  keys = keys.filter((k) => (gte === undefined || k >= gte) && (gt === undefined || k > gt) && (lte === undefined || k <= lte) && (lt === undefined || k < lt));
  if (r.reverse) keys.reverse();
  if (r.limit !== undefined) keys = keys.slice(0, r.limit);
  return keys.map((k) => [k, hex(model.get(k)!)]);
}

async function scan(backend: KVBackend, r: KeyRange): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const [k, v] of backend.iterate(r)) out.push([hex(k), hex(v)]);
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wad-backend-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let run = 0;
const backends: Array<[string, () => Promise<KVBackend>]> = [
  ['MemoryBackend', async () => new MemoryBackend()],
  ['LevelBackend', async () => LevelBackend.open(join(dir, `db${run++}`), { createIfMissing: true })],
];

describe.each(backends)('%s', (_name, open) => {
  it('agrees with the model on batches, gets and scans', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { maxLength: 8 }), { maxLength: 12 }), fc.array(rangeArb, { maxLength: 8 }), async (batches, ranges) => {
        const backend = await open();
        const model = new Map<string, Uint8Array>();
        try {
          for (const ops of batches) {
            await backend.batch(ops);
            for (const op of ops) op.type === 'put' ? model.set(hex(op.key), op.value) : model.delete(hex(op.key));
          }
          for (const r of ranges) expect(await scan(backend, r)).toEqual(modelScan(model, r));
          const probe = [...model.keys()].slice(0, 3).map((k) => Uint8Array.from(Buffer.from(k, 'hex')));
          probe.push(new Uint8Array([9, 9, 9]));
          const many = await backend.getMany(probe);
          expect(many.map((v) => v && hex(v))).toEqual(probe.map((k) => model.get(hex(k)) && hex(model.get(hex(k))!)));
          for (const k of probe) expect((await backend.get(k)) && hex((await backend.get(k))!)).toEqual(model.get(hex(k)) && hex(model.get(hex(k))!));
        } finally {
          await backend.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('returns copies: mutating a read value changes nothing stored', async () => {
    const backend = await open();
    const k = new Uint8Array([1]);
    await backend.batch([{ type: 'put', key: k, value: new Uint8Array([5]) }]);
    const v = (await backend.get(k))!;
    v[0] = 99;
    expect([...(await backend.get(k))!]).toEqual([5]);
    await backend.close();
  });

  it('throws CLOSED after close', async () => {
    const backend = await open();
    await backend.close();
    await backend.close();
    await expect(backend.get(new Uint8Array([1]))).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(backend.batch([])).rejects.toBeInstanceOf(StoreError);
  });
});

describe('MemoryBackend fault injection', () => {
  it('a batch that fails part-way applies nothing', async () => {
    const backend = new MemoryBackend();
    await backend.batch([{ type: 'put', key: new Uint8Array([1]), value: new Uint8Array([1]) }]);
    backend.failNextBatch(2);
    await expect(
      backend.batch([
        { type: 'put', key: new Uint8Array([2]), value: new Uint8Array([2]) },
        { type: 'del', key: new Uint8Array([1]) },
        { type: 'put', key: new Uint8Array([3]), value: new Uint8Array([3]) },
      ]),
    ).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(await scan(backend, {})).toEqual([['01', '01']]);
    expect(backend.batchCount).toBe(1);
  });
});

describe('LevelBackend', () => {
  it('a second daemon cannot open the same store', async () => {
    const location = join(dir, 'locked');
    const first = await LevelBackend.open(location, { createIfMissing: true });
    await expect(LevelBackend.open(location)).rejects.toMatchObject({ code: 'OPEN_FAILED' });
    await first.close();
  });
});
