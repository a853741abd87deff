// MediaConnCache with a fake clock: cached while fresh (the shorter of ttl
// and auth_ttl, less a margin), shared fetches, refetch after invalidate(),
// failures not cached and reported as MEDIA_CONN.
import { describe, expect, it } from 'vitest';
import { MediaConnCache, MediaError, type MediaConn } from '../../../src/account/media/index.js';

function setup(answer: Partial<MediaConn> = {}) {
  let now = 1_000_000;
  let calls = 0;
  let fail = false;
  const gates: Array<() => void> = [];
  let gated = false;
  const cache = new MediaConnCache(
    async () => {
      calls++;
      const n = calls;
      if (gated) await new Promise<void>((r) => gates.push(r));
      if (fail) throw new Error('iq timed out');
      return { auth: `a${n}`, ttl: 100, hosts: [{ hostname: 'h' }], ...answer };
    },
    { now: () => now, marginMs: 10_000 },
  );
  return {
    cache,
    calls: () => calls,
    advance: (ms: number) => (now += ms),
    setFail: (v: boolean) => (fail = v),
    gate: (v: boolean) => (gated = v),
    open: () => gates.splice(0).forEach((g) => g()),
  };
}

describe('MediaConnCache', () => {
  it('keeps an answer until ttl less the margin', async () => {
    const t = setup();
    expect((await t.cache.get()).auth).toBe('a1');
    t.advance(89_999);
    expect((await t.cache.get()).auth).toBe('a1');
    t.advance(1);
    expect((await t.cache.get()).auth).toBe('a2');
    expect(t.calls()).toBe(2);
  });

  it('uses auth_ttl when shorter, and at most half the lifetime as margin', async () => {
    const t = setup({ ttl: 3600, authTtl: 10 });
    await t.cache.get();
    t.advance(4_999);
    await t.cache.get();
    expect(t.calls()).toBe(1);
    t.advance(1);
    await t.cache.get();
    expect(t.calls()).toBe(2);
  });

  it('shares one fetch between concurrent callers; invalidate() forces a new one', async () => {
    const t = setup();
    t.gate(true);
    const a = t.cache.get();
    const b = t.cache.get();
    t.open();
    expect([(await a).auth, (await b).auth]).toEqual(['a1', 'a1']);
    expect(t.calls()).toBe(1);
    const c = t.cache.refresh();
    t.cache.invalidate();
    const d = t.cache.refresh();
    t.open();
    await new Promise((r) => setImmediate(r));
    t.open();
    expect((await c).auth).toBe('a2');
    expect((await d).auth).toBe('a3');
    t.gate(false);
    // The answer fetched before invalidate() was not kept; the later one was.
    expect((await t.cache.get()).auth).toBe('a3');
  });

  it('does not cache failures or answers without hosts', async () => {
    const t = setup();
    t.setFail(true);
    await expect(t.cache.get()).rejects.toMatchObject({ code: 'MEDIA_CONN' });
    await expect(t.cache.get()).rejects.toBeInstanceOf(MediaError);
    t.setFail(false);
    expect((await t.cache.get()).auth).toBe('a3');
    const empty = setup({ hosts: [] });
    await expect(empty.cache.get()).rejects.toMatchObject({ code: 'MEDIA_CONN' });
  });
});
