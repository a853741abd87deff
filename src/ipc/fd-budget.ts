/**
 * How many file descriptors the control socket may still take. Every account
 * socket, store file and worker thread needs descriptors from the same
 * per-process limit; a flood of control connections that used the last of
 * them made accept, the store and the worker pool fail with EMFILE. So
 * connections are admitted only while a reserve stays free for the rest.
 *
 * Counting open descriptors means listing /proc/self/fd, which takes tens of
 * milliseconds at 20,000 descriptors: too slow for every accept. So the list
 * is read now and then, off the event loop, and what the control socket
 * itself holds is counted exactly in between; the reserve absorbs what the
 * rest of the process opens between two readings. Where /proc is missing (not
 * Linux) there is no budget and the connection caps alone apply.
 * Owns the estimate; must not touch sockets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';

export interface FdSource {
  /** The soft RLIMIT_NOFILE, or undefined when unknown. */
  limit(): number | undefined;
  /** Descriptors open in the process now, or undefined when unknown. */
  count(): Promise<number | undefined>;
  countNow(): number | undefined;
}

/** Linux's view of this process. */
export const procFds: FdSource = {
  limit() {
    try {
      const line = readFileSync('/proc/self/limits', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('Max open files'));
      const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
      if (soft === undefined) return undefined;
      return soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft) || undefined;
    } catch {
      return undefined;
    }
  },
  async count() {
    try {
      // The listing itself holds one descriptor for the directory.
      return (await readdir('/proc/self/fd')).length - 1;
    } catch {
      return undefined;
    }
  },
  countNow() {
    try {
      return readdirSync('/proc/self/fd').length - 1;
    } catch {
      return undefined;
    }
  },
};

export class FdBudget {
  readonly #source: FdSource;
  readonly #reserve: number;
  #limit: number | undefined;
  /** Descriptors open at the last reading that were not the control socket's. */
  #others = 0;
  #reading = false;

  constructor(source: FdSource, reserve: number) {
    this.#source = source;
    this.#reserve = reserve;
    this.#limit = source.limit();
    const now = source.countNow();
    if (now !== undefined) this.#others = now;
  }

  /** The soft limit as last read; undefined: no budget. */
  get limit(): number | undefined {
    return this.#limit;
  }

  /**
   * Descriptors kept free for the rest of the process. Half the limit at
   * most, so that a low limit still leaves the control socket some.
   */
  get reserve(): number {
    return this.#limit === undefined ? 0 : Math.min(this.#reserve, Math.floor(this.#limit / 2));
  }

  /** Estimated descriptors open while the control socket holds `held` of them. */
  estimate(held: number): number {
    return this.#others + held;
  }

  /**
   * How many descriptors the control socket must give back before it may
   * hold `held` (the one just accepted included); 0 or less: none. `share` is
   * the part of the reserve the caller may dip into: 0 for strangers, more
   * for the owner.
   */
  shortfall(held: number, share = 0): number {
    if (this.#limit === undefined) return 0;
    const keep = this.reserve - Math.floor(this.reserve * share);
    return this.estimate(held) - (this.#limit - keep);
  }

  /**
   * Re-reads the limit (prlimit may change it) and the count, off the event
   * loop. `held()` is asked when the count is in, so both describe one moment.
   */
  async refresh(held: () => number): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      this.#limit = this.#source.limit();
      const n = await this.#source.count();
      if (n !== undefined) this.#others = Math.max(0, n - held());
    } finally {
      this.#reading = false;
    }
  }
}
