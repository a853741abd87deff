import { describe, expect, it } from 'vitest';
import { TurnBudget } from '../../../src/runtime/crypto-pool/turn-budget.js';

/** Holds the thread for `ms`, as an inline crypto job does. */
function work(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A sender running `jobs` inline jobs back to back; `done` counts those finished. */
async function hog(budget: TurnBudget, jobs: number, progress: { done: number }): Promise<void> {
  for (let i = 0; i < jobs; i++) {
    await budget.take();
    work(1);
    progress.done++;
  }
}

describe('TurnBudget', () => {
  it('serves a job that waits behind a back-to-back sender within a few turns, not after it', async () => {
    const budget = new TurnBudget(4);
    const progress = { done: 0 };
    const running = hog(budget, 300, progress);
    // Let the sender spend a few slices first, so these arrive to a spent turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const servedAt = await Promise.all(
      Array.from({ length: 5 }, async () => {
        await budget.take();
        work(1);
        return progress.done;
      }),
    );
    await running;
    // Each turn serves ~4 one-millisecond jobs; the five are queued ahead of the
    // sender's next job, so they finish within the next couple of turns.
    for (const at of servedAt) expect(at).toBeLessThan(40);
    expect(progress.done).toBe(300);
  });

  it('serves waiters in the order they arrived', async () => {
    const budget = new TurnBudget(0);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await budget.take();
        work(0.2);
        order.push(i);
      }),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('lets the event loop come round between slices of a long burst', async () => {
    const budget = new TurnBudget(4);
    const progress = { done: 0 };
    let doneWhenTimerRan = -1;
    setTimeout(() => {
      doneWhenTimerRan = progress.done;
    }, 0);
    await hog(budget, 100, progress);
    expect(doneWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(doneWhenTimerRan).toBeLessThan(100);
  });

  it('runs every job of many concurrent senders exactly once', async () => {
    const budget = new TurnBudget(2);
    const counts = Array.from({ length: 8 }, () => ({ done: 0 }));
    await Promise.all(counts.map((c, i) => hog(budget, 20 + i, c)));
    expect(counts.map((c) => c.done)).toEqual(counts.map((_, i) => 20 + i));
    expect(budget.waiting).toBe(0);
  });
});
