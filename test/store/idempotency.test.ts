// Idempotency keys of sends (src/store/families/idempotency.ts): bounded by
// count and by age, both evicted in the batch of the write that passes the
// bound, so no crash can leave the store over either. A model of what a
// caller sees (the newest `max` keys, younger than the ttl) is checked after
// every step of random histories, together with what is on disk.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { AccountStore } from '../../src/store/account-store.js';
import type { KVBackend } from '../../src/store/backend/types.js';
import { decodeRecord } from '../../src/store/codec/value.js';
import { modelBackends } from './helpers.js';

const encoder = new TextEncoder();
const TTL = 1000;

async function scanPrefix(backend: KVBackend, prefix: string): Promise<Uint8Array[]> {
  const p = encoder.encode(prefix);
  const end = p.slice();
  end[end.length - 1]!++;
  const out: Uint8Array[] = [];
  for await (const [, v] of backend.iterate({ gte: p, lt: end })) out.push(v);
  return out;
}

type Step = { kind: 'put'; key: number } | { kind: 'ack'; key: number } | { kind: 'wait'; ms: number } | { kind: 'reopen' };

const steps = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }).map((key) => ({ kind: 'put' as const, key })) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 20 }).map((key) => ({ kind: 'ack' as const, key })) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 600 }).map((ms) => ({ kind: 'wait' as const, ms })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  ),
  { minLength: 1, maxLength: 60 },
);

const backends = modelBackends();

describe.each(backends)('idempotency keys in the store (%s)', (name, fresh) => {
  it('answer exactly the newest `max` keys younger than the ttl, and the disk never holds more or older ones after a write', async () => {
    await fc.assert(
      fc.asyncProperty(steps, fc.integer({ min: 1, max: 6 }), async (history, max) => {
        const backend = await fresh();
        let now = 1_000_000;
        const open = () => AccountStore.open(backend, 'acc', { idempotencyKeysMax: max, idempotencyTtlMs: TTL, now: () => now });
        let store = await open();
        /** Every put, oldest first: what the caller may expect back. */
        const puts: Array<{ key: number; id: string; t: number }> = [];
        const acked = new Set<string>();
        const live = (key: number) => {
          const newest = puts.slice(-max);
          const last = newest.filter((p) => p.key === key).at(-1);
          // A key put again later (after it expired) answers only its newest put.
          return last && puts.filter((p) => p.key === key).at(-1) === last && now - last.t < TTL ? last : undefined;
        };
        for (const [i, step] of history.entries()) {
          if (step.kind === 'wait') now += step.ms;
          else if (step.kind === 'reopen') store = await open();
          else if (step.kind === 'put') {
            // The sender puts a key only when it has no live record (a first use, or one past its ttl).
            if (await store.idempotency.get(`k${step.key}`, now)) continue;
            const id = `M${i}`;
            await store.transaction((tx) => tx.idempotency.put(`k${step.key}`, { id, chat: 'c@s.whatsapp.net', t: now, acked: false }));
            puts.push({ key: step.key, id, t: now });
            // After a write, nothing past the bounds is left on disk.
            const records = (await scanPrefix(backend, 'a/acc/ik/')).map((v) => decodeRecord(v).value as { t: number });
            expect(records.length).toBeLessThanOrEqual(max);
            expect(records.every((r) => now - r.t < TTL)).toBe(true);
            expect((await scanPrefix(backend, 'a/acc/ikn/')).length).toBeLessThanOrEqual(max);
          } else {
            const rec = await store.idempotency.get(`k${step.key}`, now);
            if (!rec) continue;
            const { place, ...record } = rec;
            await store.transaction((tx) => tx.idempotency.update(`k${step.key}`, { ...record, acked: true }, place));
            acked.add(rec.id);
          }
          for (let k = 0; k <= 20; k++) {
            const expected = live(k);
            const got = await store.idempotency.get(`k${k}`, now);
            expect(got && { id: got.id, t: got.t, acked: got.acked }, `k${k} after step ${i}`).toEqual(expected && { id: expected.id, t: expected.t, acked: acked.has(expected.id) });
          }
        }
      }),
      { numRuns: name === 'memory' ? 150 : 20 },
    );
  });
});

describe('idempotency keys in the store', () => {
  it('keys are any string up to the caller, including separators', async () => {
    const store = await AccountStore.open(new MemoryBackend(), 'acc', { now: () => 5 });
    for (const k of ['a/b', 'x\u0000y', 'é'.repeat(64)]) await store.transaction((tx) => tx.idempotency.put(k, { id: `id-${k.length}`, chat: 'c', t: 5, acked: false, expiration: 86_400 }));
    expect(await store.idempotency.get('a/b', 5)).toMatchObject({ id: 'id-3', expiration: 86_400 });
    expect(await store.idempotency.get('a', 5)).toBeUndefined();
    expect(await store.idempotency.get('é'.repeat(64), 5)).toMatchObject({ id: 'id-64' });
  });
});
