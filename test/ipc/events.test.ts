/**
 * Event delivery through the socket against the fake daemon's durable log:
 * live and durable subscriptions, resume after a consumer disconnect and
 * after a server restart with no gap, `since`, retention gaps reported,
 * filters, and backpressure (the log is the buffer: a paused consumer costs
 * a bounded send buffer, and is cut off when it stays paused too long).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import type { IpcServerOptions } from '../../src/ipc/options.js';
import type { FakeDaemon } from './fake-daemon.js';
import { fakeWorld, rawClients } from './fake-world.js';
import { Raw, type InFrame } from './raw.js';

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;
const raw = rawClients(() => socket);
const open = raw.open;

async function restart(opts: Partial<IpcServerOptions> = {}): Promise<void> {
  await server.close();
  server = await startIpcServer(fake, { socketPath: socket, ...opts });
}

function msg(account: string, n: number): void {
  fake.emit(account, 'message:new', { id: `M${n}`, chat: 'x@s.whatsapp.net', type: 'text', content: `hello ${n}` }, 'x@s.whatsapp.net');
}

const isEvent = (f: InFrame) => f.type !== 'ack' && f.type !== 'events:synced' && f.replyTo === undefined;

/** Collects events until `count` have come. */
async function collect(c: Raw, count: number, pred: (f: InFrame) => boolean = isEvent): Promise<InFrame[]> {
  const out: InFrame[] = [];
  while (out.length < count) out.push(await c.next(pred));
  return out;
}

beforeEach(async () => {
  ({ fake, server, dir, socket } = await fakeWorld());
});

afterEach(async () => {
  await raw.closeAll();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('live subscriptions', () => {
  it('deliver nothing before subscribe, then every event after it, with data.seq and tenantId', async () => {
    const c = await open();
    msg('alice', 1);
    expect((await c.request('account:list')).data.success).toBe(true);
    expect(c.frames).toEqual([]);
    const ans = await c.request('events:subscribe', {});
    expect(ans.data).toMatchObject({ success: true, subscription: 'live-1' });
    await c.next((f) => f.type === 'events:synced');
    msg('alice', 2);
    msg('bob', 3);
    const [a, b] = await collect(c, 2);
    expect(a).toMatchObject({ id: 'alice:2', type: 'message:new', tenantId: 'alice', conversationId: 'x@s.whatsapp.net', subscription: 'live-1', data: { seq: 2, id: 'M2' } });
    expect(b).toMatchObject({ tenantId: 'bob', data: { seq: 1 } });
  });

  it('filter by account and type', async () => {
    const c = await open();
    await c.request('events:subscribe', { accounts: ['bob'], types: ['connection:update'] });
    msg('bob', 1);
    msg('alice', 2);
    fake.setState('alice', 'reconnecting');
    fake.setState('bob', 'reconnecting');
    const [ev] = await collect(c, 1);
    expect(ev).toMatchObject({ tenantId: 'bob', type: 'connection:update', data: { state: 'reconnecting', seq: 2 } });
    expect((await c.request('account:list')).data.success).toBe(true);
    expect(c.frames.filter(isEvent)).toEqual([]);
  });

  it('since replays the log per account, then goes live without a gap or a duplicate', async () => {
    for (let i = 1; i <= 5; i++) msg('alice', i);
    for (let i = 1; i <= 3; i++) msg('bob', i);
    const c = await open();
    await c.request('events:subscribe', { since: { alice: 4, bob: 1 } });
    msg('alice', 6);
    const got = await collect(c, 2 + 3 + 1);
    expect(got.filter((f) => f.tenantId === 'alice').map((f) => f.data.seq)).toEqual([4, 5, 6]);
    expect(got.filter((f) => f.tenantId === 'bob').map((f) => f.data.seq)).toEqual([1, 2, 3]);
  });

  it('a new account joins a subscription without an accounts filter', async () => {
    const c = await open();
    await c.request('events:subscribe', { name: 'all' });
    await c.next((f) => f.type === 'events:synced');
    const other = await open();
    await other.request('account:add', { id: 'carol' });
    const first = await c.next((f) => isEvent(f) && f.tenantId === 'carol');
    expect(first.data).toMatchObject({ seq: 1, state: 'connecting' });
  });
});

describe('durable subscriptions', () => {
  it('resume after a consumer disconnect from the last ack: no gap, duplicates only past the ack', async () => {
    for (let i = 1; i <= 10; i++) msg('alice', i);
    const c1 = await open();
    await c1.request('events:subscribe', { name: 'crm' });
    const first = await collect(c1, 10);
    expect(first.map((f) => f.data.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const synced = await c1.next((f) => f.type === 'events:synced');
    expect(synced.data).toEqual({ subscription: 'crm', accounts: { alice: 10, bob: 0 } });
    const acked = await c1.request('events:ack', { name: 'crm', account: 'alice', seq: 7 });
    expect(acked.data).toEqual({ success: true, cursor: 7 });
    await c1.close();

    // Away: events keep coming.
    for (let i = 11; i <= 20; i++) msg('alice', i);
    msg('bob', 1);

    const c2 = await open();
    await c2.request('events:subscribe', { name: 'crm' });
    const again = await collect(c2, 14);
    expect(again.filter((f) => f.tenantId === 'alice').map((f) => f.data.seq)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(again.filter((f) => f.tenantId === 'bob').map((f) => f.data.seq)).toEqual([1]);
    // And live after the catch-up.
    msg('alice', 21);
    expect((await collect(c2, 1))[0]!.data.seq).toBe(21);
  });

  it('resume across a restart of the server (same log) with no event lost', async () => {
    const c1 = await open();
    await c1.request('events:subscribe', { name: 'sink', accounts: ['alice'] });
    for (let i = 1; i <= 5; i++) msg('alice', i);
    const got = await collect(c1, 5);
    await c1.request('events:ack', { name: 'sink', account: 'alice', seq: got.at(-1)!.data.seq });
    const closed = c1.whenClosed();
    await restart();
    expect((await closed).code).toBe(1001);
    for (let i = 6; i <= 9; i++) msg('alice', i);
    const c2 = await open();
    await c2.request('events:subscribe', { name: 'sink', accounts: ['alice'] });
    expect((await collect(c2, 4)).map((f) => f.data.seq)).toEqual([6, 7, 8, 9]);
  });

  it('a subscriber registered but behind retention is told of the gap, with seq = last lost', async () => {
    const c1 = await open();
    await c1.request('events:subscribe', { name: 'slow', accounts: ['alice'] });
    await c1.next((f) => f.type === 'events:synced');
    await c1.close();
    expect(fake.cursors.get('slow\u0000alice')).toBe(0);
    for (let i = 1; i <= 10; i++) msg('alice', i);
    fake.trim('alice', 6);
    const c2 = await open();
    await c2.request('events:subscribe', { name: 'slow', accounts: ['alice'] });
    const got = await collect(c2, 6);
    expect(got[0]).toMatchObject({ type: 'error', tenantId: 'alice', data: { seq: 5, code: 'NOT_FOUND', gap: { account: 'alice', from: 1, to: 5 } } });
    expect(got.slice(1).map((f) => f.data.seq)).toEqual([6, 7, 8, 9, 10]);
    // The gap report can be acked like any event.
    expect((await c2.request('events:ack', { name: 'slow', account: 'alice', seq: 5 })).data.cursor).toBe(5);
  });

  it('a live subscriber behind the log hears why its events are gone: durable subscribers acked them, not retention', async () => {
    for (let i = 1; i <= 6; i++) msg('alice', i);
    fake.trim('alice', 4);
    const live = await open();
    await live.request('events:subscribe', { accounts: ['alice'], since: 2 });
    const [gap] = await collect(live, 1);
    expect(gap!.data).toMatchObject({ gap: { account: 'alice', from: 2, to: 3 } });
    expect(gap!.data.message).toMatch(/every durable subscriber had acked them/);
    expect(gap!.data.message).toMatch(/a named subscription keeps events until it acks them/);
    const named = await open();
    await named.request('events:subscribe', { name: 'behind', accounts: ['alice'], since: 2 });
    const [retained] = await collect(named, 1);
    expect(retained!.data.message).toMatch(/deleted by retention/);
  });

  it('a gap also when everything after the cursor was trimmed', async () => {
    for (let i = 1; i <= 4; i++) msg('alice', i);
    fake.trim('alice', 5);
    const c = await open();
    await c.request('events:subscribe', { name: 'late', accounts: ['alice'] });
    const [gap] = await collect(c, 1);
    expect(gap!.data.gap).toEqual({ account: 'alice', from: 1, to: 4 });
    msg('alice', 5);
    expect((await collect(c, 1))[0]!.data.seq).toBe(5);
  });

  it('unsubscribe stops delivery', async () => {
    const c = await open();
    await c.request('events:subscribe', { name: 'u' });
    await c.next((f) => f.type === 'events:synced');
    expect((await c.request('events:unsubscribe', { subscription: 'u' })).data.success).toBe(true);
    msg('alice', 1);
    expect((await c.request('events:unsubscribe', { subscription: 'u' })).data.error.code).toBe('NOT_FOUND');
    expect(c.frames.filter(isEvent)).toEqual([]);
  });
});

describe('backpressure', () => {
  it('a paused consumer holds at most a bounded send buffer; on resume it gets every event, in order', async () => {
    await restart({ sendBuffer: { highWater: 16 << 10, hardLimit: 64 << 20, maxPausedMs: 600_000 } });
    const c = await open();
    await c.request('events:subscribe', { name: 'p', accounts: ['alice'] });
    await c.next((f) => f.type === 'events:synced');
    c.ws.pause();
    const N = 20_000;
    let maxBuffered = 0;
    for (let i = 1; i <= N; i++) {
      msg('alice', i);
      if (i % 500 === 0) {
        await new Promise((r) => setImmediate(r));
        maxBuffered = Math.max(maxBuffered, server.bufferedBytes);
      }
    }
    // ~4 MB of events were produced; the server kept at most the high-water mark plus one frame.
    expect(maxBuffered).toBeLessThanOrEqual((16 << 10) + 1024);
    expect(server.connections).toBe(1);
    c.ws.resume();
    const got = await collect(c, N);
    const seqs = got.map((f) => f.data.seq);
    expect(seqs[0]).toBe(1);
    expect(seqs.every((s, i) => s === i + 1)).toBe(true);
  });

  it('a consumer paused longer than allowed is closed with 1008', async () => {
    await restart({ sendBuffer: { highWater: 4 << 10, maxPausedMs: 50 }, tickMs: 20 });
    const c = await open();
    await c.request('events:subscribe', {});
    await c.next((f) => f.type === 'events:synced');
    c.ws.pause();
    for (let i = 0; i < 5000; i++) msg('alice', i);
    const other = await open();
    // The server gives up on it while it stays paused; the other client is untouched.
    while (server.connections > 1) await new Promise((r) => setTimeout(r, 10));
    c.ws.resume();
    const closed = await c.whenClosed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/slow consumer/);
    expect((await other.request('account:list')).data.success).toBe(true);
  });

  it('answers that pile up past the hard limit close that connection only', async () => {
    await restart({ sendBuffer: { highWater: 4 << 10, hardLimit: 64 << 10 }, rateLimit: { perSecond: 1e6, burst: 1e6 }, accountRateLimit: { perSecond: 1e6, burst: 1e6 } });
    const c = await open();
    const other = await open();
    c.ws.pause();
    const pad = 'x'.repeat(200);
    for (let i = 0; i < 8000; i++) c.send('account:status', {}, { tenantId: 'alice', pad });
    c.ws.resume();
    const closed = await c.whenClosed();
    expect(closed.code).toBe(1008);
    expect((await other.request('account:list')).data.success).toBe(true);
  });
});
