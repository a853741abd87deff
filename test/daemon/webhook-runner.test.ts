// One webhook's delivery against an in-memory event log: every wanted event
// of an account once and in seq order however the receiver fails (fast-check
// picks the failures), the cursor moved only past delivered or unwanted
// events, a pause after the retry limit with its reason, and a resume that
// goes on from the event that failed. Backoff waits are 0-1 ms here.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeDaemon } from '../ipc/fake-daemon.js';
import { WebhookRunner, subscriberOf } from '../../src/daemon/webhooks/runner.js';
import type { PostResult } from '../../src/daemon/webhooks/post.js';
import type { WebhookRecord } from '../../src/store/index.js';

const record = (over: Partial<WebhookRecord> = {}): WebhookRecord => ({
  id: 'w1',
  url: 'http://127.0.0.1:1/hook',
  events: undefined,
  accounts: undefined,
  secret: 's'.repeat(16),
  createdAt: 0,
  pausedReason: undefined,
  ...over,
});

function runner(
  api: FakeDaemon,
  post: (delivery: string, body: string) => PostResult | Promise<PostResult>,
  opts: { retryLimit?: number; events?: string[]; runs?: (account: string) => boolean } = {},
) {
  const paused: string[] = [];
  const r = new WebhookRunner(record(opts.events ? { events: opts.events } : {}), {
    api,
    ...(opts.runs ? { runs: opts.runs } : {}),
    lastSeq: async (a) => api.accounts.get(a)?.lastSeq ?? 0,
    options: { retryLimit: opts.retryLimit ?? 1000, initialMs: 0.5, maxMs: 1, timeoutMs: 1000 },
    log: { warn() {}, info() {} },
    onPause: (reason) => paused.push(reason),
    post: async (_url, _secret, delivery, body) => post(delivery, body),
    random: () => 0.5,
  });
  return { r, paused };
}

const settle = async (until: () => boolean | Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 2000 && !(await until()); i++) await new Promise((res) => setTimeout(res, 1));
};

describe('webhook runner', () => {
  it('delivers each event once per account in seq order, whatever fails in between', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 20, maxLength: 60 }).map((f) => [...f, false]), fc.integer({ min: 1, max: 12 }), async (fails, n) => {
        const api = new FakeDaemon();
        api.seed('a', '1@s.whatsapp.net');
        api.seed('b', '2@s.whatsapp.net');
        let i = 0;
        const got: string[] = [];
        const { r } = runner(api, (delivery) => {
          if (fails[i++ % fails.length]) return { ok: false, status: 503, error: 'HTTP 503' };
          got.push(delivery);
          return { ok: true, status: 200 };
        });
        r.start();
        for (let k = 0; k < n; k++) {
          r.onEvent(api.emit('a', 'message:new', { id: `a${k}` }));
          r.onEvent(api.emit('b', 'message:new', { id: `b${k}` }));
        }
        await settle(() => got.length === 2 * n);
        r.stop();
        const seqs = (acc: string) => got.filter((d) => d.startsWith(`${acc}:`)).map((d) => Number(d.split(':')[1]));
        const expected = Array.from({ length: n }, (_, k) => k + 1);
        expect(seqs('a')).toEqual(expected);
        expect(seqs('b')).toEqual(expected);
        expect(await api.subscriberCursor(subscriberOf('w1'), 'a')).toBe(n);
      }),
      { numRuns: 25 },
    );
  });

  it('passes over unwanted types (moving its cursor) and posts the wanted ones as event frames', async () => {
    const api = new FakeDaemon();
    api.seed('a', '1@s.whatsapp.net');
    const bodies: Array<{ delivery: string; frame: { type: string; tenantId: string; data: { seq: number; id: string } } }> = [];
    const { r } = runner(api, (delivery, body) => (bodies.push({ delivery, frame: JSON.parse(body) }), { ok: true, status: 204 }), { events: ['message:new'] });
    r.start();
    r.onEvent(api.emit('a', 'typing:update', {}));
    r.onEvent(api.emit('a', 'message:new', { id: 'm1' }));
    r.onEvent(api.emit('a', 'presence:update', {}));
    await settle(() => api.cursors.get(`${subscriberOf('w1')}\u0000a`) === 3);
    expect(bodies).toEqual([{ delivery: 'a:2', frame: expect.objectContaining({ type: 'message:new', tenantId: 'a', data: { id: 'm1', seq: 2 } }) }]);
    expect(await api.subscriberCursor(subscriberOf('w1'), 'a')).toBe(3);
    expect(await r.lag()).toBe(0);
    r.stop();
  });

  it('pauses after the retry limit with the reason, holds its cursor, and resumes at the event that failed', async () => {
    const api = new FakeDaemon();
    api.seed('a', '1@s.whatsapp.net');
    let up = true;
    const got: string[] = [];
    const { r, paused } = runner(api, (delivery) => (up ? (got.push(delivery), { ok: true, status: 200 }) : { ok: false, error: 'ECONNREFUSED' }), { retryLimit: 3 });
    r.start();
    r.onEvent(api.emit('a', 'message:new', { id: 'm1' }));
    await settle(() => got.length === 1);
    up = false;
    r.onEvent(api.emit('a', 'message:new', { id: 'm2' }));
    r.onEvent(api.emit('a', 'message:new', { id: 'm3' }));
    await settle(() => paused.length === 1);
    expect(r.paused).toBe(true);
    expect(paused[0]).toMatch(/gave up after 3 attempts: a:2: ECONNREFUSED/);
    expect(r.failures).toBe(3);
    expect(await api.subscriberCursor(subscriberOf('w1'), 'a')).toBe(1);
    expect(await r.lag()).toBe(2);
    // Paused: new events wait in the log.
    r.onEvent(api.emit('a', 'message:new', { id: 'm4' }));
    up = true;
    r.resume();
    await settle(() => got.length === 4);
    expect(got).toEqual(['a:1', 'a:2', 'a:3', 'a:4']);
    r.stop();
  });

  it('in a cluster: each daemon posts only the accounts it runs; one that loses an account finishes the POST in flight and stops, and the next owner goes on from the cursor', async () => {
    // Two daemons' runners of one webhook over one shared log and cursor; `owner` is who runs each account.
    const api = new FakeDaemon();
    api.seed('a', '1@s.whatsapp.net');
    api.seed('b', '2@s.whatsapp.net');
    const owner = new Map([
      ['a', 'd1'],
      ['b', 'd2'],
    ]);
    const posted: string[] = [];
    let hold: ((r: PostResult) => void) | undefined;
    const post = (daemon: string) => (delivery: string) => {
      posted.push(`${daemon} ${delivery}`);
      if (delivery === 'a:3' && daemon === 'd1') return new Promise<PostResult>((resolve) => (hold = resolve));
      return { ok: true, status: 200 } as PostResult;
    };
    const d1 = runner(api, post('d1'), { runs: (a) => owner.get(a) === 'd1' }).r;
    const d2 = runner(api, post('d2'), { runs: (a) => owner.get(a) === 'd2' }).r;
    d1.start();
    d2.start();
    const emit = (account: string, n: number) => {
      for (let k = 0; k < n; k++) {
        const ev = api.emit(account, 'message:new', { id: `${account}${k}` });
        d1.onEvent(ev);
        d2.onEvent(ev);
      }
    };
    emit('a', 5);
    emit('b', 2);
    await settle(() => hold !== undefined && posted.includes('d2 b:2'));
    // d1 loses `a` while its POST of a:3 is in flight: the POST completes and is acked, nothing after it.
    owner.set('a', 'd2');
    hold!({ ok: true, status: 200 });
    await settle(async () => (await api.subscriberCursor(subscriberOf('w1'), 'a')) === 3);
    expect(await api.subscriberCursor(subscriberOf('w1'), 'a')).toBe(3);
    // d2 runs `a` now: its next event (or the sweep) starts its lane, from the cursor.
    emit('a', 1);
    await settle(() => posted.includes('d2 a:6'));
    expect(posted.filter((p) => p.includes(' a:'))).toEqual(['d1 a:1', 'd1 a:2', 'd1 a:3', 'd2 a:4', 'd2 a:5', 'd2 a:6']);
    expect(posted.filter((p) => p.includes(' b:'))).toEqual(['d2 b:1', 'd2 b:2']);
    d1.stop();
    d2.stop();
  });
});
