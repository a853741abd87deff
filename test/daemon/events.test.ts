// The event hub (persist, then publish; per-account seq; staged events
// published only after their commit) and retention (acked by every durable
// subscriber, or past maxEvents / maxAgeMs).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EventHub, toWadEvent } from '../../src/daemon/event-sink.js';
import type { WadEvent } from '../../src/contract/api.js';
import { keepFrom, trimAccount } from '../../src/daemon/retention.js';
import { MemoryBackend, Store } from '../../src/store/index.js';

const silent = pino({ level: 'silent' });

async function setup(now = () => 1000) {
  const store = new Store(new MemoryBackend());
  const hub = new EventHub(silent, now);
  const seen: WadEvent[] = [];
  hub.onEvent((e) => seen.push(e));
  return { store, hub, seen };
}

describe('EventHub', () => {
  it('logs each event, then publishes it with its seq; seqs grow per account', async () => {
    const { store, hub, seen } = await setup();
    const a = hub.sinkFor(await store.account('a'));
    const b = hub.sinkFor(await store.account('b'));
    const s1 = await a.emit({ type: 'connection:update', data: { state: 'connecting' } });
    const s2 = await a.emit({ type: 'message:new', data: { id: 'M1', text: 'hi' }, conversationId: '1555@s.whatsapp.net' });
    const s3 = await b.emit({ type: 'connection:update', data: { state: 'online' } });
    expect([s1, s2, s3]).toEqual([1, 2, 1]);
    expect(seen).toEqual([
      { account: 'a', seq: 1, type: 'connection:update', t: 1000, data: { state: 'connecting' } },
      { account: 'a', seq: 2, type: 'message:new', t: 1000, conversationId: '1555@s.whatsapp.net', data: { id: 'M1', text: 'hi' } },
      { account: 'b', seq: 1, type: 'connection:update', t: 1000, data: { state: 'online' } },
    ]);
    const stored = await (await store.account('a')).events.read(0, 10);
    expect(stored.map((e) => toWadEvent('a', e))).toEqual(seen.slice(0, 2));
  });

  it('publishes in commit order when emits overlap', async () => {
    const { store, hub, seen } = await setup();
    const a = hub.sinkFor(await store.account('a'));
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.emit({ type: 'typing:update', data: { i } })));
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(seen.map((e) => e.data.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('staged events ride in the caller’s transaction and publish only after it committed', async () => {
    const { store, hub, seen } = await setup();
    const acc = await store.account('a');
    const sink = hub.sinkFor(acc);
    let publish: () => void = () => {};
    await acc.transaction((tx) => {
      publish = sink.stage(tx, [{ type: 'message:new', data: { id: 'X' } }]);
    });
    expect(seen).toEqual([]);
    publish();
    expect(seen.map((e) => [e.seq, e.data.id])).toEqual([[1, 'X']]);
    // A failed transaction publishes nothing and logs nothing.
    await expect(
      acc.transaction((tx) => {
        sink.stage(tx, [{ type: 'message:new', data: { id: 'Y' } }]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await acc.events.read(0, 10)).map((e) => e.seq)).toEqual([1]);
  });

  it('drain() waits for emits in flight', async () => {
    const { store, hub } = await setup();
    const a = hub.sinkFor(await store.account('a'));
    const pending = Array.from({ length: 5 }, (_, i) => a.emit({ type: 'typing:update', data: { i } }));
    await hub.drain();
    expect((await (await store.account('a')).events.read(0, 10)).length).toBe(5);
    await Promise.all(pending);
  });

  it('a listener that throws does not stop the others', async () => {
    const { store, hub, seen } = await setup();
    hub.onEvent(() => {
      throw new Error('bad listener');
    });
    await hub.sinkFor(await store.account('a')).emit({ type: 'error', data: {} });
    expect(seen).toHaveLength(1);
  });
});

describe('retention', () => {
  async function filled(n: number, t: (i: number) => number) {
    const store = new Store(new MemoryBackend());
    const acc = await store.account('a');
    for (let i = 1; i <= n; i++) await acc.transaction((tx) => tx.events.append([{ type: 'x', t: t(i), data: { i } }]));
    return acc;
  }
  const forever = { maxAgeMs: 10 ** 12, maxEvents: 10 ** 6 };

  it('keeps everything without subscribers while retention allows', async () => {
    const acc = await filled(10, () => 5000);
    expect(await trimAccount(acc, forever, 6000)).toBe(0);
  });

  it('deletes what every durable subscriber acked', async () => {
    const acc = await filled(10, () => 5000);
    await acc.transaction((tx) => {
      tx.events.ack('s1', 7);
      tx.events.ack('s2', 4);
    });
    expect(await keepFrom(acc, forever, 6000)).toBe(5);
    expect(await trimAccount(acc, forever, 6000)).toBe(4);
    expect(await acc.events.firstSeq()).toBe(5);
  });

  it('deletes past maxEvents and older than maxAgeMs, acked or not', async () => {
    const acc = await filled(10, (i) => i * 1000);
    await acc.transaction((tx) => tx.events.ack('slow', 0));
    expect(await keepFrom(acc, { maxAgeMs: 10 ** 12, maxEvents: 3 }, 20_000)).toBe(8);
    expect(await keepFrom(acc, { maxAgeMs: 4500, maxEvents: 100 }, 10_000)).toBe(6);
    expect(await trimAccount(acc, { maxAgeMs: 4500, maxEvents: 3 }, 10_000)).toBe(7);
    expect((await acc.events.read(0, 100)).map((e) => e.seq)).toEqual([8, 9, 10]);
  });
});
