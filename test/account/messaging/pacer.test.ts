import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessagingError } from '../../../src/account/messaging/errors.js';
import { SendPacer } from '../../../src/account/messaging/pacer.js';

beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => void vi.useRealTimers());

/** Takes `n` tokens and records when (fake ms since start) each send was let go. */
function takeMany(p: SendPacer, n: number, log: Array<[number, number]>): Promise<void>[] {
  const t0 = 1_000_000;
  return Array.from({ length: n }, (_, i) => p.take().then(() => void log.push([i, Date.now() - t0])));
}

describe('SendPacer', () => {
  it('lets the burst go at once, then one send per 1/perSecond, in call order', async () => {
    const p = new SendPacer({ perSecond: 2, burst: 3 });
    const log: Array<[number, number]> = [];
    const all = takeMany(p, 7, log);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.map(([i]) => i)).toEqual([0, 1, 2]);
    expect(p.waiting).toBe(4);
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(all);
    expect(log).toEqual([[0, 0], [1, 0], [2, 0], [3, 500], [4, 1000], [5, 1500], [6, 2000]]);
    expect(p.waiting).toBe(0);
  });

  it('refills while idle, never above the burst', async () => {
    const p = new SendPacer({ perSecond: 1, burst: 2 });
    const log: Array<[number, number]> = [];
    await Promise.all(takeMany(p, 2, log));
    await vi.advanceTimersByTimeAsync(60_000);
    const next = takeMany(p, 3, log);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(next);
    expect(log.map(([, t]) => t)).toEqual([0, 0, 60_000, 60_000, 61_000]);
  });

  it('pauses after a 429, doubles the pause while 429s repeat, and starts over after an accepted send', async () => {
    const p = new SendPacer({ perSecond: 100, burst: 100 }, { pauseMs: 1000, maxPauseMs: 3000 });
    p.rateLimited();
    expect(p.pausedForMs).toBe(1000);
    let went = false;
    const a = p.take().then(() => (went = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(went).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await a;
    p.rateLimited();
    expect(p.pausedForMs).toBe(2000);
    await vi.advanceTimersByTimeAsync(2000);
    p.rateLimited();
    expect(p.pausedForMs).toBe(3000); // capped
    await vi.advanceTimersByTimeAsync(3000);
    p.accepted();
    p.rateLimited();
    expect(p.pausedForMs).toBe(1000);
  });

  it('bounds the waiting sends and rejects them all on close', async () => {
    const p = new SendPacer({ perSecond: 1, burst: 1 }, { maxWaiting: 2 });
    await p.take();
    const w1 = p.take();
    const w2 = p.take();
    await expect(p.take()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    p.close();
    await expect(w1).rejects.toBeInstanceOf(MessagingError);
    await expect(w2).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(p.take()).rejects.toMatchObject({ code: 'CLOSED' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a rate that could never send', () => {
    expect(() => new SendPacer({ perSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new SendPacer({ perSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
