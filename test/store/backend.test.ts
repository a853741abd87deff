/**
 * The KVBackend contract, checked on every backend (memory, LevelDB,
 * PostgreSQL) against a plain model: batches apply in order (later ops win),
 * scans honour every bound, limit and direction in byte order, a failed batch
 * applies nothing.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelBackend } from '../../src/store/backend/level.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import type { BatchOp, KVBackend, KeyRange } from '../../src/store/backend/types.js';
import { StoreError } from '../../src/store/errors.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

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
let postgres: TestPostgres;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wad-backend-'));
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

let run = 0;
const backends: Array<[string, () => Promise<KVBackend>]> = [
  ['MemoryBackend', async () => new MemoryBackend()],
  ['LevelBackend', async () => LevelBackend.open(join(dir, `db${run++}`), { createIfMissing: true })],
  // A schema per store: each run starts empty on the file's one server.
  ['PostgresBackend', async () => PostgresBackend.open({ url: postgres.url, schema: `s${run++}`, maxConnections: 2 })],
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

describe('PostgresBackend', () => {
  it('scans longer than a page read one snapshot, in order both ways, with limits across pages', async () => {
    const backend = await PostgresBackend.open({ url: postgres.url, schema: 'long_scan' });
    const n = 1300;
    const k = (i: number) => Uint8Array.from([i >> 8, i & 0xff]);
    await backend.batch(Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: k(i), value: Uint8Array.from([i & 0xff]) })));
    const seen: number[] = [];
    for await (const [key] of backend.iterate({})) {
      // A batch landing mid-scan must not show up in it: the scan reads its start's snapshot.
      if (seen.length === 10) await backend.batch([{ type: 'del', key: k(n - 1) }, { type: 'put', key: k(n + 5), value: new Uint8Array(1) }]);
      seen.push((key[0]! << 8) | key[1]!);
    }
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
    const reversed: number[] = [];
    for await (const [key] of backend.iterate({ reverse: true, lt: k(1200), limit: 700 })) reversed.push((key[0]! << 8) | key[1]!);
    expect(reversed).toEqual(Array.from({ length: 700 }, (_, i) => 1199 - i));
    await backend.close();
  });

  it('two daemons starting on one database apply each migration once', async () => {
    const url = await postgres.createDatabase('migrations');
    const [a, b] = await Promise.all([PostgresBackend.open({ url }), PostgresBackend.open({ url })]);
    const versions = await a.pool.query<{ version: number }>('SELECT version FROM wad_migrations ORDER BY version');
    expect(versions.rows.map((r) => r.version)).toEqual([1, 2]);
    await a.batch([{ type: 'put', key: new Uint8Array([1]), value: new Uint8Array([2]) }]);
    expect(await b.get(new Uint8Array([1]))).toEqual(new Uint8Array([2]));
    await a.pool.query('INSERT INTO wad_migrations (version, name) VALUES (999, $1)', ['from a newer wad']);
    await expect(PostgresBackend.open({ url })).rejects.toMatchObject({ code: 'OPEN_FAILED', message: expect.stringMatching(/newer than this wad knows/) });
    await Promise.all([a.close(), b.close()]);
  });

  it('an unreachable server is OPEN_FAILED, its password kept out of the message', async () => {
    const err = await PostgresBackend.open({ url: `postgres://wad:hunter2@127.0.0.1:1/x` }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OPEN_FAILED' });
    expect((err as Error).message).not.toContain('hunter2');
  });
});
