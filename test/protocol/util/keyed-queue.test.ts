// Per-key serial execution: order within a key, concurrency across keys,
// bounds and closing. Tasks are released by hand (deferreds), never by time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedQueueError, KeyedSerialQueue } from '../../../src/protocol/util/keyed-queue.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KeyedQueueError);
    return (e as KeyedQueueError).code;
  }
  throw new Error('expected a KeyedQueueError');
}

describe('KeyedSerialQueue', () => {
  it('runs tasks of one key one at a time in submission order, whatever order they would finish in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(4), fc.nat(3)), { minLength: 1, maxLength: 60 }), async (tasks) => {
        const q = new KeyedSerialQueue({ maxPerKey: 100, maxTotal: 1000 });
        const running = new Map<number, number>();
        const log = new Map<number, number[]>();
        let maxConcurrentPerKey = 0;
        const all = tasks.map(([key, yields], i) =>
          q.run(String(key), async () => {
            running.set(key, (running.get(key) ?? 0) + 1);
            maxConcurrentPerKey = Math.max(maxConcurrentPerKey, running.get(key)!);
            for (let y = 0; y < yields; y++) await flush();
            log.set(key, [...(log.get(key) ?? []), i]);
            running.set(key, running.get(key)! - 1);
            return i;
          }),
        );
        expect(await Promise.all(all)).toEqual(tasks.map((_, i) => i));
        expect(maxConcurrentPerKey).toBe(1);
        for (const [key, order] of log) expect(order).toEqual(tasks.flatMap(([k], i) => (k === key ? [i] : [])));
        expect(q.size).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('runs different keys concurrently', async () => {
    const q = new KeyedSerialQueue({ maxPerKey: 10, maxTotal: 10 });
    const gate = deferred();
    const a = q.run('a', () => gate.promise.then(() => 'a'));
    // If 'b' waited for 'a', this would never settle and the gate would never open.
    const b = q.run('b', async () => {
      gate.resolve();
      return 'b';
    });
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
  });

  it('keeps going after a task throws (synchronously or not)', async () => {
    const q = new KeyedSerialQueue({ maxPerKey: 10, maxTotal: 10 });
    const first = q.run('k', () => {
      throw new Error('sync');
    });
    const second = q.run('k', () => Promise.reject(new Error('async')));
    const third = q.run('k', () => 3);
    await expect(first).rejects.toThrow('sync');
    await expect(second).rejects.toThrow('async');
    expect(await third).toBe(3);
  });

  it('refuses tasks beyond the per-key and total bounds with QUEUE_FULL, and accepts again once they drain', async () => {
    const q = new KeyedSerialQueue({ maxPerKey: 2, maxTotal: 3 });
    const gate = deferred();
    const held = [q.run('a', () => gate.promise), q.run('a', () => 1)];
    expect(await codeOf(q.run('a', () => 2))).toBe('QUEUE_FULL');
    held.push(q.run('b', () => gate.promise));
    expect(await codeOf(q.run('c', () => 3))).toBe('QUEUE_FULL');
    expect(q.size).toBe(3);
    gate.resolve();
    await Promise.all(held);
    expect(q.size).toBe(0);
    expect(await q.run('a', () => 4)).toBe(4);
  });

  it('close() rejects waiting tasks with CLOSED, lets the running ones finish, and refuses new ones', async () => {
    const q = new KeyedSerialQueue({ maxPerKey: 10, maxTotal: 10 });
    const gate = deferred<string>();
    const running = q.run('a', () => gate.promise);
    const waiting = q.run('a', () => 'never');
    let closed = false;
    const closing = q.close().then(() => (closed = true));
    expect(await codeOf(waiting)).toBe('CLOSED');
    expect(await codeOf(q.run('b', () => 'new'))).toBe('CLOSED');
    await flush();
    expect(closed).toBe(false);
    gate.resolve('done');
    expect(await running).toBe('done');
    await closing;
    expect(q.size).toBe(0);
  });

  it('uses the errors a user names and its own for the others', async () => {
    class Shut extends Error {}
    const q = new KeyedSerialQueue({ maxPerKey: 1, maxTotal: 10 }, { closed: () => new Shut('shut') });
    const gate = deferred();
    const held = q.run('a', () => gate.promise);
    expect(await codeOf(q.run('a', () => 1))).toBe('QUEUE_FULL');
    const waiting = q.run('b', () => gate.promise);
    gate.resolve();
    await Promise.all([held, waiting]);
    await q.close();
    await expect(q.run('a', () => 2)).rejects.toBeInstanceOf(Shut);
  });
});
