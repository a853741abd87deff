// The media retry policy on its own, with fake timers: which failures are
// worth another try, the doubling pauses, the bound, and an abort during a pause.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTransient, MediaError, withMediaRetry } from '../../../src/account/media/index.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const policy = { attempts: 4, delayMs: 500, maxDelayMs: 1500 };
const tlsError = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

describe('isTransient', () => {
  it.each([
    [new MediaError('NETWORK', 'ECONNRESET', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }), true],
    [new MediaError('NETWORK', 'bad certificate', { cause: tlsError }), false],
    [new MediaError('TIMEOUT', 'stalled'), true],
    [new MediaError('TRUNCATED', 'cut'), true],
    [new MediaError('HTTP_STATUS', '503', { status: 503 }), true],
    [new MediaError('HTTP_STATUS', '500', { status: 500 }), true],
    [new MediaError('HTTP_STATUS', '429', { status: 429 }), true],
    [new MediaError('HTTP_STATUS', '408', { status: 408 }), true],
    [new MediaError('HTTP_STATUS', '400', { status: 400 }), false],
    [new MediaError('HTTP_STATUS', 'too many redirects'), false],
    [new MediaError('GONE', '404', { status: 404 }), false],
    [new MediaError('AUTH', '401', { status: 401 }), false],
    [new MediaError('BAD_MAC', 'mac'), false],
    [new MediaError('TOO_LARGE', 'big'), false],
    [new MediaError('ABORTED', 'abort'), false],
  ] as const)('%s → %s', (err, transient) => {
    expect(isTransient(err)).toBe(transient);
  });
});

describe('withMediaRetry', () => {
  it('tries again after 500 ms, 1 s, then the 1.5 s cap, and gives up after the last try with its error', async () => {
    const tries: number[] = [];
    const run = withMediaRetry(policy, undefined, async (n) => {
      tries.push(Date.now());
      throw new MediaError('HTTP_STATUS', `try ${n}`, { status: 503 });
    });
    const outcome = run.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const err = (await outcome) as MediaError;
    expect(err.message).toBe('try 4');
    expect(tries.slice(1).map((t, i) => t - tries[i]!)).toEqual([500, 1000, 1500]);
  });

  it('returns the first success; a lasting error is thrown at once', async () => {
    let n = 0;
    const ok = withMediaRetry(policy, undefined, async () => {
      if (++n < 3) throw new MediaError('TRUNCATED', 'cut');
      return 'whole';
    });
    await vi.advanceTimersByTimeAsync(1500);
    expect(await ok).toBe('whole');
    let calls = 0;
    const gone = withMediaRetry(policy, undefined, async () => {
      calls++;
      throw new MediaError('GONE', 'expired', { status: 404 });
    });
    await expect(gone).rejects.toMatchObject({ code: 'GONE' });
    expect(calls).toBe(1);
  });

  it('an abort during a pause ends it with ABORTED and no further try', async () => {
    const ctl = new AbortController();
    let calls = 0;
    const run = withMediaRetry(policy, ctl.signal, async () => {
      calls++;
      throw new MediaError('NETWORK', 'reset');
    }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    ctl.abort();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await run).toMatchObject({ code: 'ABORTED' });
    expect(calls).toBe(1);
  });
});
