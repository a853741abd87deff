// The pure policies of the connection actor: the Fibonacci backoff with
// jitter (seeds: 1, 1, 2, 3, 5… s, ±10 %, max 900 s, 429 adds 5 steps) and
// the keepalive decision (skip when recently active, dead-socket check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, fibonacci, nextAttempt } from '../../src/account/connection/backoff.js';
import { decideKeepalive, isDeadSocket, keepaliveDelay } from '../../src/account/connection/keepalive.js';

const policy = { unitMs: 1000, maxMs: 900_000, jitter: 0.1, resetAfterMs: 30_000 };

describe('backoff', () => {
  it('follows the Fibonacci sequence in seconds without jitter at the midpoint', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => backoffDelay(n, policy, 0.5) / 1000)).toEqual([1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]);
    expect(fibonacci(0)).toBe(0);
  });

  it('a 429 after a clean state lands 5 steps further (8 s instead of 1 s)', () => {
    expect(nextAttempt(0)).toBe(1);
    expect(nextAttempt(0, 5)).toBe(6);
    expect(backoffDelay(nextAttempt(0, 5), policy, 0.5)).toBe(8000);
  });

  it('stays within ±jitter of the step and never exceeds max·(1+jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const base = Math.min(policy.maxMs, fibonacci(attempt, 10_000) * policy.unitMs);
        const d = backoffDelay(attempt, policy, r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
        expect(d).toBeLessThanOrEqual(Math.ceil(base * 1.1));
      }),
      { numRuns: 500 },
    );
  });
});

describe('keepalive', () => {
  const base = { now: 100_000, minIntervalMs: 15_000, deadSocketMs: 20_000, pendingIqs: 0 };
  it.each([
    ['recent data: skip', { lastReceived: 90_000, lastSent: 95_000 }, 'skip'],
    ['idle: ping', { lastReceived: 50_000, lastSent: 40_000 }, 'ping'],
    ['idle, our ack unanswered: still ping first (no false dead)', { lastReceived: 50_000, lastSent: 60_000 }, 'ping'],
    ['IQ pending, silence 20 s after our send: dead', { lastReceived: 50_000, lastSent: 80_000, pendingIqs: 1 }, 'dead'],
    ['IQ pending, send recent: skip', { lastReceived: 50_000, lastSent: 90_000, pendingIqs: 1 }, 'skip'],
  ] as const)('%s', (_n, times, expected) => {
    expect(decideKeepalive({ ...base, ...times })).toBe(expected);
  });

  it('the dead-socket check is not armed before anything was sent, and cancelled by any receive', () => {
    expect(isDeadSocket({ now: 100_000, lastReceived: 0, lastSent: 0, deadSocketMs: 20_000 })).toBe(false);
    expect(isDeadSocket({ now: 100_000, lastReceived: 70_000, lastSent: 60_000, deadSocketMs: 20_000 })).toBe(false);
    expect(isDeadSocket({ now: 100_000, lastReceived: 50_000, lastSent: 80_000, deadSocketMs: 20_000 })).toBe(true);
  });

  it('ticks spread over interval ± jitter', () => {
    expect(keepaliveDelay(25_000, 5_000, 0)).toBe(20_000);
    expect(keepaliveDelay(25_000, 5_000, 0.999999)).toBe(30_000);
  });
});
