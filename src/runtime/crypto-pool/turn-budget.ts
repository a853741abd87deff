/**
 * A time budget for inline jobs per turn of the event loop. Inline jobs are
 * small, but a burst of them on one key runs as a chain of microtasks, which
 * would hold the event loop (every account's sockets and timers) for the
 * whole burst. Once a turn has spent its slice, the next job waits for the
 * loop to come round (setImmediate). Owns only this accounting.
 */
export class TurnBudget {
  readonly #sliceMs: number;
  #turnStart: number | undefined;

  constructor(sliceMs: number) {
    this.#sliceMs = sliceMs;
  }

  /** Resolves at once while this turn has time left, else after the event loop has turned. */
  async take(): Promise<void> {
    for (;;) {
      const now = performance.now();
      if (this.#turnStart === undefined) {
        this.#turnStart = now;
        // Runs when this turn's callbacks and microtasks are done: the next turn starts afresh.
        setImmediate(() => {
          this.#turnStart = undefined;
        });
        return;
      }
      if (now - this.#turnStart < this.#sliceMs) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
