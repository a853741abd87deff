/**
 * The pace of the boot's starts of saved accounts, set by the event loop.
 * Every account on its way online adds callbacks to each turn of the loop
 * (its handshake, its login, the answers to its after-login queries), so the
 * more are under way the longer each turn, and every other account's
 * keepalive, every control-socket request, waits that long. Before each
 * start the boot waits for one turn of the loop and starts only if that turn
 * was short; while turns are long, accounts already under way finish and
 * free the loop. A few starts always go ahead, so a loop kept busy by
 * something else (or a slow machine) slows the boot down but never stops it.
 */
import { performance } from 'node:perf_hooks';

export interface BootPaceOptions {
  /** A turn of the event loop longer than this holds the next start (ms). */
  readonly turnMs: number;
  /** Starts under way below which none is held. */
  readonly minInFlight: number;
  /** Waits one turn of the loop and says how long it took (ms); the default times a zero-delay timer. */
  readonly measureTurn?: () => Promise<number>;
}

export const DEFAULT_BOOT_PACE: BootPaceOptions = { turnMs: 15, minInFlight: 8 };

/** One turn of the loop: a zero-delay timer fires in the timers phase of the next one. */
async function timeOneTurn(): Promise<number> {
  const before = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 0));
  return performance.now() - before;
}

export class BootPace {
  readonly #opts: BootPaceOptions;
  readonly #measureTurn: () => Promise<number>;
  #inFlight = 0;

  constructor(opts: BootPaceOptions = DEFAULT_BOOT_PACE) {
    this.#opts = opts;
    this.#measureTurn = opts.measureTurn ?? timeOneTurn;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Resolves when the next start may go ahead (after at least one turn of
   * the loop, so each start runs in a task of its own), or when `stopped()`
   * says the boot is over.
   */
  async turn(stopped: () => boolean): Promise<void> {
    for (;;) {
      const took = await this.#measureTurn();
      if (stopped() || this.#inFlight < this.#opts.minInFlight || took <= this.#opts.turnMs) return;
    }
  }

  /** Runs one start and the wait for it to settle, counted as under way meanwhile. */
  async run(start: () => Promise<void>): Promise<void> {
    this.#inFlight++;
    try {
      await start();
    } finally {
      this.#inFlight--;
    }
  }
}
