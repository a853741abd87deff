/**
 * A time budget for inline jobs per turn of the event loop. Inline jobs are
 * small, but a burst of them on one key runs as a chain of microtasks, which
 * would hold the event loop (every account's sockets and timers) for the
 * whole burst. Once a turn has spent its slice, the next job waits for the
 * loop to come round (setImmediate). Owns only this accounting.
 *
 * Waiters are served first come, first served. Letting every waiter retry on
 * its own setImmediate starves some of them for ever: a sender running jobs
 * back to back re-queues its retry ahead of the others' every turn, spends
 * the fresh slice, and the others find it spent each time they wake. A queue
 * served from one callback per turn cannot be overtaken: a job that arrives
 * while others wait goes behind them, and every turn serves at least one.
 */
export class TurnBudget {
  readonly #sliceMs: number;
  #turnStart: number | undefined;
  readonly #waiting: Array<() => void> = [];
  #drainScheduled = false;

  constructor(sliceMs: number) {
    this.#sliceMs = sliceMs;
  }

  /** Jobs waiting for a later turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves at once while this turn has time left and no one waits, else in arrival order on a later turn. */
  take(): Promise<void> {
    if (this.#waiting.length === 0 && this.#hasTime()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
      this.#scheduleDrain();
    });
  }

  #hasTime(): boolean {
    const now = performance.now();
    if (this.#turnStart === undefined) {
      this.#turnStart = now;
      // Runs when this turn's callbacks and microtasks are done: the next turn starts afresh.
      setImmediate(() => {
        this.#turnStart = undefined;
      });
      return true;
    }
    return now - this.#turnStart < this.#sliceMs;
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      // The first waiter goes whatever this turn has spent: every turn makes progress.
      this.#hasTime();
      this.#serveNext();
    });
  }

  /**
   * Releases the first waiter; its job runs in the microtask its release
   * queues, and the check queued behind it sees the time that job took.
   */
  #serveNext(): void {
    this.#waiting.shift()?.();
    queueMicrotask(() => {
      if (this.#waiting.length === 0) return;
      if (this.#hasTime()) this.#serveNext();
      else this.#scheduleDrain();
    });
  }
}
