// Flow control between the server and the connection actor: the offline
// backlog is pulled in batches, the next asked for only once the last is
// handled and acked; what the server pushes beyond the in-flight bound
// pauses reading instead of dropping the link. Fake timers, fake server.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BinaryNode } from '../../src/protocol/binary/index.js';
import { newCreds } from '../../src/account/creds.js';
import type { ConnectionSettings } from '../../src/account/connection/settings.js';
import type { FakeConn } from './support/fake-server.js';
import { rig, type Rig } from './support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const flush = () => vi.advanceTimersByTimeAsync(0);
const ME = '15550001111:3@s.whatsapp.net';

async function linked(settings: Partial<ConnectionSettings>): Promise<Rig> {
  const r = await rig({ settings });
  await r.account.transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: ME } }));
  return r;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((a) => (resolve = a));
  return { promise, resolve };
}

const msg = (id: string, extra: Record<string, string> = {}): BinaryNode => ({ tag: 'message', attrs: { id, from: `1${id.length}@s.whatsapp.net`, type: 'text', t: '1', ...extra } });
const batchRequests = (c: FakeConn) => c.got('ib').map((ib) => (Array.isArray(ib.content) ? ib.content[0] : undefined)).filter((n): n is BinaryNode => n?.tag === 'offline_batch');

/** The server's side: serves each offline_batch request it has not served yet from `backlog`, then the end marker. */
function serve(c: FakeConn, backlog: BinaryNode[], state: { served: number; total: number }): void {
  const requests = batchRequests(c);
  while (state.served < requests.length) {
    const count = Number(requests[state.served]!.attrs.count);
    state.served++;
    for (const n of backlog.splice(0, count)) {
      c.send({ ...n, attrs: { ...n.attrs, offline: '1' } });
      state.total++;
    }
    if (backlog.length === 0) c.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: String(state.total) } }] });
  }
}

describe('offline backlog', () => {
  it('is pulled in batches: the next is asked for only once the last is handled and acked; no reconnect for being behind', async () => {
    const r = await linked({ offlineBatchSize: 3 });
    r.server.answerLogin = false;
    let gate = deferred();
    const handled: string[] = [];
    r.conn.register({
      tags: ['message'],
      handle: async (n) => {
        await gate.promise;
        handled.push(n.attrs.id!);
      },
    });
    r.conn.actor.start();
    await flush();
    const c = r.server.last;
    const backlog = Array.from({ length: 7 }, (_, i) => msg(`o${i}`));
    const state = { served: 0, total: 0 };
    c.send({ tag: 'success', attrs: { t: '1', lid: '1:3@lid' } });
    c.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline_preview', attrs: { count: '7', message: '7' } }] });
    await flush();
    expect(batchRequests(c).map((b) => b.attrs.count)).toEqual(['3']);

    for (const expected of [['o0', 'o1', 'o2'], ['o3', 'o4', 'o5'], ['o6']]) {
      serve(c, backlog, state);
      await flush();
      // The batch is in, its handlers are still busy: no new request, no ack, nothing dropped.
      const asked = batchRequests(c).length;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(batchRequests(c)).toHaveLength(asked);
      expect(c.got('ack').filter((a) => expected.includes(a.attrs.id!))).toEqual([]);
      gate.resolve();
      await flush();
      expect(handled.slice(-expected.length)).toEqual(expected);
      expect(c.got('ack').filter((a) => expected.includes(a.attrs.id!)).map((a) => a.attrs.id)).toEqual(expected);
      gate = deferred();
    }
    // The last batch came with the end marker: no further request.
    expect(batchRequests(c).map((b) => b.attrs.count)).toEqual(['3', '3', '3']);
    expect(handled).toEqual(['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6']);
    expect(r.server.conns).toHaveLength(1);
    expect(r.updates.map((u) => u.state)).toEqual(['connecting', 'online']);
  });

  it('a preview of 0 asks for nothing; a stanza arriving unasked is handled as any other', async () => {
    const r = await linked({ offlineBatchSize: 3 });
    r.server.answerLogin = false;
    const handled: string[] = [];
    r.conn.register({ tags: ['message'], handle: async (n) => void handled.push(n.attrs.id!) });
    r.conn.actor.start();
    await flush();
    const c = r.server.last;
    c.send({ tag: 'success', attrs: { t: '1', lid: '1:3@lid' } });
    c.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline_preview', attrs: { count: '0' } }] });
    c.send(msg('x', { offline: '1' }));
    c.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: '1' } }] });
    await flush();
    expect(batchRequests(c)).toEqual([]);
    expect(handled).toEqual(['x']);
  });
});

describe('stanzas pushed beyond the in-flight bound', () => {
  it('pause reading instead of dropping the link; the keepalive does not take the pause for a dead socket; reading resumes at half', async () => {
    const r = await linked({ maxQueuedStanzas: 4 });
    let gate = deferred();
    const handled: string[] = [];
    r.conn.register({
      tags: ['message'],
      handle: async (n) => {
        await gate.promise;
        handled.push(n.attrs.id!);
      },
    });
    r.conn.actor.start();
    await flush();
    await flush();
    expect(r.conn.state).toBe('online');
    const c = r.server.last;
    for (let i = 0; i < 10; i++) c.send({ ...msg(`m${i}`), attrs: { ...msg(`m${i}`).attrs, from: `1${i}@s.whatsapp.net` } });
    await flush();
    expect(c.paused).toBe(true);
    expect(r.conn.dispatcher.queued).toBe(4);
    // A minute of silence we caused ourselves: no ping goes unanswered, no dead socket, no reconnect.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(r.server.conns).toHaveLength(1);
    expect(r.conn.state).toBe('online');
    gate.resolve();
    gate = deferred();
    await flush();
    expect(c.paused).toBe(true);
    expect(handled).toHaveLength(4);
    gate.resolve();
    await flush();
    await flush();
    expect(handled.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
    expect(c.got('ack')).toHaveLength(10);
    expect(c.paused).toBe(false);
    expect(c.pauses).toBeGreaterThanOrEqual(1);
    expect(r.server.conns).toHaveLength(1);
    expect(r.updates.map((u) => u.state)).toEqual(['connecting', 'online']);
  });
});
