// What the connection actor does when the connection fails, code by code
// (seeds' stream error table, field lesson 5), with fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newCreds } from '../../src/account/creds.js';
import { fibonacci } from '../../src/account/connection/backoff.js';
import { createServer } from 'node:net';
import { wsTransport } from '../../src/account/connection/transport.js';
import { rig, type Rig } from './support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const flush = () => vi.advanceTimersByTimeAsync(0);

async function online(opts: Parameters<typeof rig>[0] = {}): Promise<Rig> {
  const r = await rig(opts);
  await r.account.transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: '15550001111:3@s.whatsapp.net' } }));
  r.conn.actor.start();
  await flush();
  await flush();
  expect(r.conn.state).toBe('online');
  return r;
}

const reconnects = (r: Rig) => r.updates.filter((u) => u.state === 'reconnecting');

describe('backoff', () => {
  it('a dropped connection retries after 1, 1, 2, 3, 5, 8 s (Fibonacci); 30 s online, not online alone, resets the count', async () => {
    const r = await online();
    r.server.mode = 'refuse';
    r.server.last.kill('network gone');
    await flush();
    const seen: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const u = reconnects(r).at(-1)!;
      expect(u.attempt).toBe(i);
      seen.push(u.delayMs!);
      const conns = r.server.conns.length;
      await vi.advanceTimersByTimeAsync(u.delayMs! - 1);
      expect(r.server.conns.length).toBe(conns);
      await vi.advanceTimersByTimeAsync(1);
      expect(r.server.conns.length).toBe(conns + 1);
      await flush();
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((n) => fibonacci(n) * 1000));
    r.server.mode = 'open';
    await vi.advanceTimersByTimeAsync(reconnects(r).at(-1)!.delayMs!);
    await flush();
    expect(r.conn.state).toBe('online');
    // Accepted, then dropped at once: reaching online does not forgive the failures.
    r.server.last.kill('again');
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 8, delayMs: fibonacci(8) * 1000 });
    await vi.advanceTimersByTimeAsync(fibonacci(8) * 1000);
    await flush();
    expect(r.conn.state).toBe('online');
    await vi.advanceTimersByTimeAsync(29_999);
    r.server.last.kill('a moment too soon');
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 9 });
    await vi.advanceTimersByTimeAsync(fibonacci(9) * 1000);
    await flush();
    // Online for resetAfterMs: now they are forgotten.
    await vi.advanceTimersByTimeAsync(30_000);
    r.server.last.kill('once more');
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 1, delayMs: 1000 });
  });

  it('jitter stays within ±10 % and the delay is capped at 900 s', async () => {
    const { backoffDelay } = await import('../../src/account/connection/backoff.js');
    const policy = { unitMs: 1000, maxMs: 900_000, jitter: 0.1, resetAfterMs: 30_000 };
    expect(backoffDelay(5, policy, 0)).toBe(4500);
    expect(backoffDelay(5, policy, 0.999999)).toBe(5500);
    expect(backoffDelay(40, policy, 0.5)).toBe(900_000);
    expect(backoffDelay(1000, policy, 0.5)).toBe(900_000);
  });

  it('503 backs off; 429 adds 5 steps', async () => {
    const r = await online();
    r.server.last.streamError('503');
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 1, delayMs: 1000, reason: 'stream-error 503' });
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    expect(r.conn.state).toBe('online');
    await vi.advanceTimersByTimeAsync(30_000);
    r.server.last.streamError('429');
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 6, delayMs: fibonacci(6) * 1000 });
  });

  it('515 reconnects at once, without backoff', async () => {
    const r = await online();
    const before = r.server.conns.length;
    r.server.last.streamError('515');
    await flush();
    await flush();
    expect(r.server.conns.length).toBe(before + 1);
    expect(reconnects(r)).toHaveLength(0);
    expect(r.conn.state).toBe('online');
    expect(r.updates.map((u) => u.state)).toEqual(['connecting', 'online', 'connecting', 'online']);
    // A second 515 before the new link settled is no longer "at once": a server asking in a loop gets the backoff.
    r.server.last.streamError('515');
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 2, reason: 'stream-error 515', delayMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    expect(r.conn.state).toBe('online');
    await vi.advanceTimersByTimeAsync(30_000);
    const n = r.server.conns.length;
    r.server.last.streamError('515');
    await flush();
    await flush();
    expect(r.server.conns.length).toBe(n + 1);
    expect(reconnects(r)).toHaveLength(1);
  });
});

describe('timeouts', () => {
  it('connect, handshake and login each time out after 20 s and back off', async () => {
    const r = await rig();
    r.server.mode = 'hang';
    r.conn.actor.start();
    await flush();
    await vi.advanceTimersByTimeAsync(19_999);
    expect(reconnects(r)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reconnects(r).at(-1)).toMatchObject({ reason: 'connect timeout', attempt: 1 });
    r.server.mode = 'open';
    r.server.answerLogin = false;
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reconnects(r).at(-1)).toMatchObject({ reason: 'login timeout', attempt: 2 });
    expect(r.server.conns.every((c, i) => i === r.server.conns.length - 1 || !c.alive)).toBe(true);
  });
});

describe('terminal codes', () => {
  it('401 logs out: creds wiped in one batch, loggedOut reported, no reconnect', async () => {
    const r = await online();
    await r.account.transaction((tx) => tx.preKeys.put([{ keyId: 9, keyPair: newCreds().noiseKey }]));
    r.server.last.streamError('401', { tag: 'conflict', attrs: { type: 'device_removed' } });
    await flush();
    await flush();
    expect(r.updates.at(-1)).toMatchObject({ state: 'loggedOut' });
    expect(r.account.creds).toBeUndefined();
    expect(await r.account.preKeys.get(9)).toBeUndefined();
    const n = r.server.conns.length;
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(r.server.conns.length).toBe(n);
    expect(r.conn.actor.getSnapshot().status).toBe('done');
  });

  it('a login refused with 401 is a logout too', async () => {
    const r = await rig();
    await r.account.transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: '15550001111:3@s.whatsapp.net' } }));
    r.server.answerLogin = false;
    r.conn.actor.start();
    await flush();
    r.server.last.send({ tag: 'failure', attrs: { reason: '401' } });
    await flush();
    await flush();
    expect(r.updates.at(-1)).toMatchObject({ state: 'loggedOut', reason: 'login failure 401' });
  });

  it('409 (replaced) stops and never loops', async () => {
    const r = await online();
    r.server.last.streamError(undefined, { tag: 'conflict', attrs: { type: 'replaced' } });
    await flush();
    expect(r.updates.at(-1)).toMatchObject({ state: 'stopped', reason: 'stream-error conflict replaced' });
    const n = r.server.conns.length;
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(r.server.conns.length).toBe(n);
    expect(r.account.creds?.registered).toBe(true);
  });

  it('a stream error without a code, or with one we do not know, backs off and comes back: it never stops the account', async () => {
    const r = await online();
    r.server.last.streamError(undefined, { tag: 'ack', attrs: { id: 'x' } });
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 1, reason: 'stream-error ack' });
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    expect(r.conn.state).toBe('online');
    r.server.last.streamError();
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 2, reason: 'stream-error' });
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    r.server.last.streamError('599');
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ attempt: 3, reason: 'stream-error 599' });
    await vi.advanceTimersByTimeAsync(2000);
    await flush();
    expect(r.conn.state).toBe('online');
    expect(r.updates.some((u) => u.state === 'stopped')).toBe(false);
    expect(r.account.creds?.registered).toBe(true);
  });
});

describe('keepalive', () => {
  it('pings an idle link every 20–30 s and reconnects at once when the socket is dead', async () => {
    const r = await online({ random: () => 0.5 });
    const c = r.server.last;
    await vi.advanceTimersByTimeAsync(25_000);
    const pings = () => c.iqs('w:p');
    expect(pings()).toHaveLength(1);
    // Each answered ping proves the link; the next tick pings again.
    await vi.advanceTimersByTimeAsync(25_000);
    expect(pings()).toHaveLength(2);
    // Now the server goes silent: the ping is not answered; 20 s after it the socket is declared dead.
    r.server.iq = (iq) => (iq.attrs.xmlns === 'w:p' ? 'silent' : undefined);
    const n = r.server.conns.length;
    await vi.advanceTimersByTimeAsync(25_000);
    expect(pings()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(r.server.conns.length).toBe(n);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(r.server.conns.length).toBe(n + 1);
    expect(c.alive).toBe(false);
    expect(r.updates.filter((u) => u.state === 'connecting').at(-1)?.reason).toMatch(/dead socket/);
    expect(reconnects(r)).toHaveLength(0);
  });

  it('does not ping when data arrived recently', async () => {
    const r = await online();
    const c = r.server.last;
    await vi.advanceTimersByTimeAsync(15_000);
    c.send({ tag: 'ib', attrs: {}, content: [{ tag: 'dirty', attrs: {} }] });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.iqs('w:p')).toHaveLength(0);
  });
});

describe('crash', () => {
  it('FAULT.CRASH ends the actor with an error and closes its socket', async () => {
    const r = await online();
    const errors: unknown[] = [];
    r.conn.actor.subscribe({ error: (e) => errors.push(e) });
    r.conn.signal({ type: 'FAULT.CRASH' });
    await flush();
    expect(errors).toHaveLength(1);
    expect(r.server.last.alive).toBe(false);
    await expect(r.conn.send({ tag: 'presence', attrs: {} })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('the cause of a lost connection', () => {
  it("keeps reason to a few causes and says the socket's own words in cause (a refused port, over a real socket)", async () => {
    vi.useRealTimers();
    // A port that was just free: nothing listens there, so the connect is refused.
    const probe = createServer();
    const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)));
    await new Promise((r) => probe.close(r));
    const r = await rig({ transport: wsTransport, settings: { wsUrl: `ws://127.0.0.1:${port}/ws/chat` } });
    r.conn.actor.start();
    await vi.waitFor(() => expect(reconnects(r).length).toBeGreaterThan(0), { timeout: 10_000 });
    r.conn.actor.stop();
    expect(reconnects(r)[0]).toMatchObject({ reason: 'connection lost', cause: expect.stringMatching(/ECONNREFUSED/) });
    expect(r.updates.find((u) => u.state === 'connecting' && u.cause !== undefined)).toBeUndefined();
  });

  it('a cause is never carried over to a later failure of another kind', async () => {
    const r = await online();
    r.server.mode = 'hang';
    r.server.last.kill('socket error: getaddrinfo ENOTFOUND web.whatsapp.com');
    await flush();
    expect(reconnects(r).at(-1)).toMatchObject({ reason: 'connection lost', cause: 'socket error: getaddrinfo ENOTFOUND web.whatsapp.com' });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(r.updates.at(-1)).toMatchObject({ state: 'connecting', reason: 'connection lost', cause: 'socket error: getaddrinfo ENOTFOUND web.whatsapp.com' });
    await vi.advanceTimersByTimeAsync(21_000);
    expect(reconnects(r).at(-1)).toMatchObject({ reason: 'connect timeout' });
    expect(reconnects(r).at(-1)!.cause).toBeUndefined();
  });
});
