/**
 * Restart intensity: the timestamps of recent restarts in a sliding window.
 * Owns the counting only; what to do when it is exceeded is the supervisor's.
 */
import type { Intensity } from './types.js';

export class RestartWindow {
  readonly #limit: Intensity;
  #times: number[] = [];

  constructor(limit: Intensity) {
    this.#limit = limit;
  }

  /** Records a restart at `now`; true when that makes more than maxRestarts within the window. */
  exceededBy(now: number): boolean {
    const from = now - this.#limit.withinMs;
    this.#times = this.#times.filter((t) => t > from);
    this.#times.push(now);
    return this.#times.length > this.#limit.maxRestarts;
  }

  reset(): void {
    this.#times = [];
  }
}
