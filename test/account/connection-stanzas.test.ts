// Stanzas through the connection actor: acks only after handlers resolve and
// by the attribute rules, per-chat order, the offline window, compressed
// frames, IQ correlation (timeouts, closes), the bounded wait for online, logout.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import type { BinaryNode } from '../../src/protocol/binary/index.js';
import { newCreds } from '../../src/account/creds.js';
import { rig, type Rig } from './support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const flush = () => vi.advanceTimersByTimeAsync(0);
const ME = '15550001111:3@s.whatsapp.net';

async function linked(): Promise<Rig> {
  const r = await rig();
  await r.account.transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: ME } }));
  return r;
}

async function online(r: Rig): Promise<void> {
  r.conn.actor.start();
  await flush();
  await flush();
  expect(r.conn.state).toBe('online');
}

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

const msg = (id: string, from = '1666@s.whatsapp.net', extra: Record<string, string> = {}): BinaryNode => ({ tag: 'message', attrs: { id, from, type: 'text', t: '1', ...extra } });

describe('acks', () => {
  it('are sent after the handler resolved, with the rules applied; none when it rejects', async () => {
    const r = await linked();
    const gates = new Map<string, ReturnType<typeof deferred>>();
    r.conn.register({ tags: ['message', 'receipt'], handle: (n) => (gates.get(n.attrs.id!) ?? deferred()).promise });
    for (const id of ['a', 'b', 'r']) gates.set(id, deferred());
    await online(r);
    const c = r.server.last;
    c.send(msg('a'));
    c.send(msg('b', '1777@s.whatsapp.net'));
    c.send({ tag: 'receipt', attrs: { id: 'r', from: '1666@s.whatsapp.net' } });
    await flush();
    expect(c.got('ack')).toHaveLength(0);
    gates.get('a')!.resolve();
    await flush();
    expect(c.got('ack')).toEqual([{ tag: 'ack', attrs: { class: 'message', id: 'a', to: '1666@s.whatsapp.net', from: ME } }]);
    gates.get('b')!.reject(new Error('cannot decrypt'));
    gates.get('r')!.resolve();
    await flush();
    expect(c.got('ack').map((a) => a.attrs.id)).toEqual(['a', 'r']);
    expect(c.got('ack')[1]!.attrs).toEqual({ class: 'receipt', id: 'r', to: '1666@s.whatsapp.net' });
  });

  it('none for a stanza its handler answered itself (a message confirmed by its receipt), one for the next that was not', async () => {
    const r = await linked();
    r.conn.register({ tags: ['message'], handle: async (n) => (n.attrs.id === 'receipted' ? 'answered' : undefined) });
    await online(r);
    const c = r.server.last;
    c.send(msg('receipted'));
    c.send(msg('plain'));
    await flush();
    await flush();
    expect(c.got('ack').map((a) => a.attrs.id)).toEqual(['plain']);
  });

  it('without handlers, stanzas are acked at once', async () => {
    const r = await linked();
    await online(r);
    r.server.last.send({ tag: 'call', attrs: { id: 'c1', from: '1666@s.whatsapp.net', type: 'offer' } });
    await flush();
    expect(r.server.last.got('ack')[0]!.attrs).toEqual({ class: 'call', id: 'c1', to: '1666@s.whatsapp.net', type: 'offer' });
  });

  it('keep order within a chat and let other chats pass', async () => {
    const r = await linked();
    const order: string[] = [];
    const slow = deferred();
    r.conn.register({
      tags: ['message'],
      handle: async (n) => {
        if (n.attrs.id === 'x1') await slow.promise;
        order.push(n.attrs.id!);
      },
    });
    await online(r);
    const c = r.server.last;
    c.send(msg('x1', 'X@s.whatsapp.net'));
    c.send(msg('x2', 'X@s.whatsapp.net'));
    c.send(msg('y1', 'Y@s.whatsapp.net'));
    await flush();
    expect(order).toEqual(['y1']);
    slow.resolve();
    await flush();
    expect(order).toEqual(['y1', 'x1', 'x2']);
  });

  it('offline stanzas are handled one by one in queue order, live ones after them', async () => {
    const r = await linked();
    r.server.answerLogin = false;
    const order: string[] = [];
    const slow = deferred();
    r.conn.register({
      tags: ['message'],
      handle: async (n) => {
        if (n.attrs.id === 'o1') await slow.promise;
        order.push(n.attrs.id!);
      },
    });
    r.conn.actor.start();
    await flush();
    const c = r.server.last;
    c.send({ tag: 'success', attrs: { t: '1', lid: '1:3@lid' } });
    c.send(msg('o1', 'A@s.whatsapp.net', { offline: '1' }));
    c.send(msg('o2', 'B@s.whatsapp.net', { offline: '1' }));
    c.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: '2' } }] });
    c.send(msg('live', 'C@s.whatsapp.net'));
    await flush();
    expect(order).toEqual([]);
    slow.resolve();
    await flush();
    expect(order).toEqual(['o1', 'o2', 'live']);
  });

  it("hands the server's <ack> (and presence) to their handlers at once, never acks them, never queues them behind a chat", async () => {
    const r = await linked();
    const slow = deferred();
    const got: string[] = [];
    r.conn.register({ tags: ['message'], handle: () => slow.promise });
    r.conn.register({ tags: ['ack', 'presence'], handle: async (n) => void got.push(`${n.tag}:${n.attrs.id ?? n.attrs.from}`) });
    await online(r);
    const c = r.server.last;
    c.send(msg('m1', 'X@s.whatsapp.net'));
    c.send({ tag: 'ack', attrs: { class: 'message', id: 'out1', from: 'X@s.whatsapp.net', t: '1' } });
    c.send({ tag: 'presence', attrs: { from: 'X@s.whatsapp.net', type: 'available' } });
    c.send({ tag: 'chatstate', attrs: { from: 'X@s.whatsapp.net' } });
    await flush();
    expect(got).toEqual(['ack:out1', 'presence:X@s.whatsapp.net']);
    expect(c.got('ack')).toEqual([]);
    slow.resolve();
    await flush();
    expect(c.got('ack').map((a) => a.attrs.id)).toEqual(['m1']);
  });

  it('reads compressed frames (flag 0x02)', async () => {
    const r = await linked();
    const seen: BinaryNode[] = [];
    r.conn.register({ tags: ['notification'], handle: async (n) => void seen.push(n) });
    await online(r);
    r.server.last.send({ tag: 'notification', attrs: { id: 'z', from: 's.whatsapp.net', type: 'server_sync' }, content: [{ tag: 'collection', attrs: { name: 'regular' } }] }, { compress: true });
    await flush();
    expect(seen.find((n) => n.attrs.id === 'z')).toBeDefined();
  });

  it('answers offline_preview with an offline_batch request of the configured size', async () => {
    const r = await linked();
    r.server.answerLogin = false;
    r.conn.actor.start();
    await flush();
    r.server.last.send({ tag: 'success', attrs: { t: '1', lid: '1:3@lid' } });
    r.server.last.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline_preview', attrs: { count: '3' } }] });
    await flush();
    const batches = r.server.last.got('ib').filter((n) => Array.isArray(n.content) && n.content[0]?.tag === 'offline_batch');
    expect(batches).toEqual([{ tag: 'ib', attrs: {}, content: [{ tag: 'offline_batch', attrs: { count: '200' } }] }]);
  });
});

describe('IQs and sends', () => {
  it('correlates answers by id, times out, and fails pending ones when the link closes', async () => {
    const r = await linked();
    await online(r);
    r.server.iq = (iq) => (iq.attrs.xmlns === 'test' ? 'silent' : undefined);
    const answered = r.conn.query({ tag: 'iq', attrs: { xmlns: 'w:p', type: 'get', to: '@s.whatsapp.net' } });
    await flush();
    await expect(answered).resolves.toMatchObject({ tag: 'iq', attrs: { type: 'result' } });
    const timeout = r.conn.query({ tag: 'iq', attrs: { xmlns: 'test', type: 'get', to: '@s.whatsapp.net' } }, { timeoutMs: 5000 });
    const t = expect(timeout).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(5000);
    await t;
    const closed = r.conn.query({ tag: 'iq', attrs: { xmlns: 'test', type: 'get', to: '@s.whatsapp.net' } });
    const c = expect(closed).rejects.toMatchObject({ code: 'CLOSED' });
    await flush();
    r.server.last.kill('gone');
    await c;
  });

  it('turns an error answer into IqServerError', async () => {
    const r = await linked();
    await online(r);
    r.server.iq = (iq) => ({ tag: 'iq', attrs: { type: 'error', id: iq.attrs.id! }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] });
    await expect(r.conn.query({ tag: 'iq', attrs: { xmlns: 'x', type: 'get', to: '@s.whatsapp.net' } })).rejects.toMatchObject({ code: 'IQ_SERVER_ERROR', serverCode: 404 });
  });

  it('a send while not online waits for online, bounded; then fails UNAVAILABLE', async () => {
    const r = await linked();
    r.server.mode = 'hang';
    r.conn.actor.start();
    await flush();
    const late = r.conn.send({ tag: 'presence', attrs: { type: 'available' } });
    const failed = expect(late).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await vi.advanceTimersByTimeAsync(15_000);
    await failed;
    r.server.mode = 'open';
    const waiting = r.conn.send({ tag: 'presence', attrs: { type: 'available' } });
    await vi.advanceTimersByTimeAsync(6_000);
    await waiting;
    expect(r.server.last.got('presence')).toHaveLength(1);
  });

  it('ids follow WhatsApp Web: <n>.<n>-<counter>', async () => {
    const r = await linked();
    const a = r.conn.nextId();
    const b = r.conn.nextId();
    expect(a).toMatch(/^\d+\.\d+-0$/);
    expect(b).toBe(a.replace(/-0$/, '-1'));
  });
});

describe('logout', () => {
  it('unlinks server-side, wipes, reports loggedOut and ends', async () => {
    const r = await linked();
    await online(r);
    const done = r.conn.logout();
    await flush();
    await flush();
    await done;
    const remove = r.server.last.iqs('md')[0]!;
    expect(remove.content).toEqual([{ tag: 'remove-companion-device', attrs: { jid: ME, reason: 'user_initiated' } }]);
    expect(r.account.creds).toBeUndefined();
    expect(r.updates.at(-1)).toMatchObject({ state: 'loggedOut', reason: 'logged out by request' });
    expect(r.conn.actor.getSnapshot().status).toBe('done');
  });

  it("the server's answer to our unlink (401 device_removed) reads as the requested logout: no warning, the request's reason", async () => {
    const lines: Array<{ level: number; msg: string; reason?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const r = await rig({ logger });
    await r.account.transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: ME } }));
    // As WhatsApp does: the unlink is answered by removing the device from the stream.
    r.server.iq = (iq, conn) => {
      const first = Array.isArray(iq.content) ? iq.content[0] : undefined;
      if (first?.tag !== 'remove-companion-device') return undefined;
      conn.streamError('401', { tag: 'conflict', attrs: { type: 'device_removed' } });
      return 'silent';
    };
    await online(r);
    const done = r.conn.logout();
    await flush();
    await flush();
    await done;
    expect(r.account.creds).toBeUndefined();
    expect(r.updates.at(-1)).toMatchObject({ state: 'loggedOut', reason: 'logged out by request' });
    // (Other after-login tasks may warn on this bare rig; none about the logout.)
    expect(lines.filter((l) => l.level >= 40 && /unlink|logged out|removed/.test(l.msg))).toEqual([]);
    expect(lines.find((l) => l.msg === 'logged out: credentials and keys wiped')).toMatchObject({ level: 30, reason: 'logged out by request' });
  });

  it('a device removed by someone else is still a warning', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const r = await rig({ logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) });
    await r.account.transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: ME } }));
    await online(r);
    r.server.last.streamError('401', { tag: 'conflict', attrs: { type: 'device_removed' } });
    await flush();
    await flush();
    expect(r.updates.at(-1)).toMatchObject({ state: 'loggedOut' });
    expect(r.updates.at(-1)!.reason).not.toBe('logged out by request');
    expect(lines.find((l) => l.msg === 'logged out: credentials and keys wiped')).toMatchObject({ level: 40 });
  });
});
