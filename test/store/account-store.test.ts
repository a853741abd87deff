import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/store/account-store.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { StoreError } from '../../src/store/errors.js';
import { unsafeSignalAddress } from '../../src/store/families/address.js';
import { Store } from '../../src/store/store.js';
import type { BatchOp, KVBackend, KeyRange } from '../../src/store/backend/types.js';
import { GatedBackend, bytes, dump, makeCreds, modelBackends } from './helpers.js';

const alice = unsafeSignalAddress('15550001111', 's.whatsapp.net', 0);
const bob = unsafeSignalAddress('42', 'lid', 3);

async function seeded(backend = new MemoryBackend()) {
  const store = new Store(backend);
  const account = await store.account('acc1');
  await account.transaction((tx) => {
    tx.creds.set(makeCreds());
    tx.sessions.put(alice, bytes(10, 1));
    tx.preKeys.put([{ keyId: 7, keyPair: { public: bytes(32, 7), private: bytes(32, 8) } }]);
    tx.events.append([{ type: 'a', t: 1, data: null }]);
    tx.events.ack('sub', 1);
  });
  return { backend, store, account };
}

describe('transactions are atomic', () => {
  it('a batch that fails part-way leaves disk, cache and memory untouched', async () => {
    const { backend, account } = await seeded();
    expect(await account.sessions.get(alice)).toEqual(bytes(10, 1)); // now cached
    const before = await dump(backend);
    const batches = backend.batchCount;
    backend.failNextBatch(3);
    await expect(
      account.transaction((tx) => {
        tx.sessions.put(alice, bytes(10, 2));
        tx.sessions.put(bob, bytes(10, 3));
        tx.preKeys.markUsed(7, 1000);
        tx.creds.update({ nextPreKeyId: 99 });
        tx.events.append([{ type: 'b', t: 2, data: 'x' }]);
        tx.events.ack('sub', 2);
        tx.sent.put('m1', { to: 'x@s.whatsapp.net', message: bytes(3, 1), t: 1 });
      }),
    ).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(await dump(backend)).toEqual(before);
    expect(backend.batchCount).toBe(batches);
    expect(await account.sessions.get(alice)).toEqual(bytes(10, 1));
    expect(await account.sessions.get(bob)).toBeUndefined();
    expect((await account.preKeys.get(7))?.usedAt).toBeUndefined();
    expect(account.creds?.nextPreKeyId).toBe(1);
    expect(account.events.lastSeq).toBe(1);
    expect(account.events.cursor('sub')).toBe(1);
    // The seq that failed is not burnt: the next event gets 2.
    expect(await account.transaction((tx) => tx.events.append([{ type: 'c', t: 3, data: null }]))).toEqual([2]);
  });

  it('a callback that throws writes nothing and its error comes back', async () => {
    const { backend, account } = await seeded();
    const before = await dump(backend);
    const boom = new Error('boom');
    await expect(
      account.transaction((tx) => {
        tx.sessions.put(bob, bytes(1, 1));
        tx.events.append([{ type: 'x', t: 0, data: null }]);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await dump(backend)).toEqual(before);
    expect(account.events.lastSeq).toBe(1);
  });

  it('refuses an async callback, and a kept tx cannot write after the fact', async () => {
    const { backend, account } = await seeded();
    const before = await dump(backend);
    await expect(account.transaction(async (tx) => tx.sessions.put(bob, bytes(1, 1)))).rejects.toMatchObject({ code: 'BAD_TRANSACTION' });
    let kept: Parameters<Parameters<AccountStore['transaction']>[0]>[0] | undefined;
    await account.transaction((tx) => {
      kept = tx;
    });
    expect(() => kept!.sessions.put(bob, bytes(1, 1))).toThrow(/already finished/);
    expect(await dump(backend)).toEqual(before);
  });

  it('copies written bytes: mutating them after the commit changes nothing', async () => {
    const { account } = await seeded();
    const record = bytes(4, 5);
    await account.sessions.get(bob);
    await account.transaction((tx) => tx.sessions.put(bob, record));
    record.fill(0);
    const read = (await account.sessions.get(bob))!;
    expect(read).toEqual(bytes(4, 5));
    read.fill(9);
    expect(await account.sessions.get(bob)).toEqual(bytes(4, 5));
  });
});

/**
 * A failed commit on each model backend: MemoryBackend's injected failure, or
 * on PostgreSQL a real one: an extra key over the index's row limit makes the
 * server refuse the batch's INSERT, and the whole transaction rolls back.
 */
class FailingBatches implements KVBackend {
  #fail = false;
  constructor(readonly inner: KVBackend) {}
  failNextBatch(): void {
    if (this.inner instanceof MemoryBackend) this.inner.failNextBatch(0);
    else this.#fail = true;
  }
  get(k: Uint8Array) {
    return this.inner.get(k);
  }
  getMany(ks: readonly Uint8Array[]) {
    return this.inner.getMany(ks);
  }
  batch(ops: readonly BatchOp[]) {
    if (!this.#fail) return this.inner.batch(ops);
    this.#fail = false;
    return this.inner.batch([...ops, { type: 'put', key: randomBytes(16_384), value: Uint8Array.of(1) }]);
  }
  iterate(r: KeyRange) {
    return this.inner.iterate(r);
  }
  close() {
    return this.inner.close();
  }
}

const backends = modelBackends();

describe.each(backends)('the cache stays coherent with the backend (%s)', (name, fresh) => {
  it('after random commits, failed commits and reads (model check)', async () => {
    const addrs = [alice, bob, unsafeSignalAddress('7', 'lid', 0)];
    const step = fc.record({ who: fc.nat({ max: 2 }), value: fc.option(fc.nat({ max: 255 }), { nil: null }), fail: fc.boolean(), read: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const backend = new FailingBatches(await fresh());
        const account = await AccountStore.open(backend, 'acc', { cache: { maxEntries: 2, maxBytes: 4096 } });
        const model = new Map<number, number>();
        for (const s of steps) {
          if (s.read) await account.sessions.get(addrs[s.who]!);
          if (s.fail) backend.failNextBatch();
          const commit = account.transaction((tx) =>
            s.value === null ? tx.sessions.delete(addrs[s.who]!) : tx.sessions.put(addrs[s.who]!, bytes(3, s.value)),
          );
          if (s.fail) await expect(commit).rejects.toBeInstanceOf(StoreError);
          else {
            await commit;
            s.value === null ? model.delete(s.who) : model.set(s.who, s.value);
          }
          const fresh = await AccountStore.open(backend, 'acc');
          for (let i = 0; i < addrs.length; i++) {
            const expected = model.has(i) ? bytes(3, model.get(i)!) : undefined;
            expect(await account.sessions.get(addrs[i]!)).toEqual(expected);
            expect(await fresh.sessions.get(addrs[i]!)).toEqual(expected);
          }
          expect(account.cacheUsage.entries).toBeLessThanOrEqual(2);
        }
        await backend.close();
      }),
      { numRuns: name === 'postgres' ? 30 : 60 },
    );
  });
});

describe('the cache stays coherent with the backend', () => {
  it('a read that was in flight during a commit does not cache the old value', async () => {
    const gated = new GatedBackend(new MemoryBackend());
    const account = await AccountStore.open(gated, 'acc');
    await account.transaction((tx) => tx.sessions.put(alice, bytes(2, 1)));
    gated.hold();
    const inFlight = account.sessions.get(alice); // cache miss, blocked in the backend
    await account.transaction((tx) => tx.sessions.put(alice, bytes(2, 2)));
    gated.release();
    expect(await inFlight).toEqual(bytes(2, 2)); // the backend answered after the commit
    gated.hold();
    const inFlightMany = account.sessions.getMany([bob]);
    await account.transaction((tx) => tx.sessions.put(bob, bytes(2, 3)));
    gated.release();
    await inFlightMany;
    expect(await account.sessions.get(bob)).toEqual(bytes(2, 3));
  });

  it('stale-read race: a value read before a commit but answered after it never sticks', async () => {
    const backend = new GatedBackend(new MemoryBackend(), true);
    const account = await AccountStore.open(backend, 'acc');
    await account.transaction((tx) => tx.sessions.put(alice, bytes(2, 1)));
    backend.hold();
    const stale = account.sessions.get(alice);
    const staleMany = account.sessions.getMany([alice]);
    await new Promise((r) => setImmediate(r)); // both have read the old value; their answers are held
    await account.transaction((tx) => tx.sessions.put(alice, bytes(2, 2)));
    backend.release();
    expect(await staleMany).toEqual([bytes(2, 1)]);
    expect(await stale).toEqual(bytes(2, 1));
    expect(await account.sessions.get(alice)).toEqual(bytes(2, 2));
  });
});

describe('accounts are isolated', () => {
  it('writes and wipes of one account never reach another (acc1 vs acc10)', async () => {
    const backend = new MemoryBackend();
    const store = new Store(backend);
    const [a1, a10] = await Promise.all([store.account('acc1'), store.account('acc10')]);
    await a1.transaction((tx) => {
      tx.creds.set(makeCreds(1));
      tx.sessions.put(alice, bytes(1, 1));
      tx.events.append([{ type: 'x', t: 0, data: 1 }]);
    });
    await a10.transaction((tx) => {
      tx.creds.set(makeCreds(2));
      tx.sessions.put(alice, bytes(1, 2));
    });
    expect(await a1.sessions.get(alice)).toEqual(bytes(1, 1));
    expect(await a10.sessions.get(alice)).toEqual(bytes(1, 2));
    expect(a10.events.lastSeq).toBe(0);
    await store.removeAccount('acc1');
    const reopened = await AccountStore.open(backend, 'acc10');
    expect(reopened.creds?.registrationId).toBe(1002);
    expect(await reopened.sessions.get(alice)).toEqual(bytes(1, 2));
    expect((await dump(backend)).every(([k]) => k.startsWith('a/acc10/'))).toBe(true);
  });

  it('refuses account ids that could escape their namespace', async () => {
    const store = new Store(new MemoryBackend());
    for (const bad of ['', 'a/b', '../x', 'x'.repeat(65), 'é']) {
      await expect(store.account(bad)).rejects.toThrowError(StoreError);
    }
  });
});
