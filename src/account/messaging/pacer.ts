/**
 * Per-account send pacing (WhatsApp bans accounts, or answers 429
 * rate-overlimit, at a few messages per second). A token bucket (`perSecond`, `burst`) with a
 * FIFO of waiting sends, and a pause after the server answers 429 that
 * doubles while 429s repeat and clears at the next accepted message, so a
 * rate-limited account slows down instead of retry-storming.
 *
 * Holds at most one timer, and only while sends wait. Owns pacing only: the
 * caller takes a token right before it sends and reports the outcome.
 */
import { MessagingError } from './errors.js';

export interface PaceSpec {
  readonly perSecond: number;
  readonly burst: number;
}

export interface PacerOptions {
  readonly now?: () => number;
  /** Sends waiting for a token at once (default 10,000); beyond it take() rejects RATE_LIMITED. */
  readonly maxWaiting?: number;
  /** First pause after a 429 (default 5 s), doubling up to `maxPauseMs` (default 5 min). */
  readonly pauseMs?: number;
  readonly maxPauseMs?: number;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export class SendPacer {
  readonly #spec: PaceSpec;
  readonly #now: () => number;
  readonly #maxWaiting: number;
  readonly #pauseMs: number;
  readonly #maxPauseMs: number;
  readonly #waiting: Waiter[] = [];
  #tokens: number;
  #at: number;
  #pausedUntil = 0;
  #pause = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(spec: PaceSpec, options: PacerOptions = {}) {
    if (!(spec.perSecond > 0) || !(spec.burst >= 1)) throw new RangeError(`send pacing needs perSecond > 0 and burst >= 1 (got ${spec.perSecond}, ${spec.burst})`);
    this.#spec = spec;
    this.#now = options.now ?? Date.now;
    this.#maxWaiting = options.maxWaiting ?? 10_000;
    this.#pauseMs = options.pauseMs ?? 5_000;
    this.#maxPauseMs = options.maxPauseMs ?? 300_000;
    this.#tokens = spec.burst;
    this.#at = this.#now();
  }

  /** Resolves when this send may go, in call order. @throws MessagingError RATE_LIMITED (queue full), CLOSED */
  take(): Promise<void> {
    if (this.#closed) return Promise.reject(new MessagingError('CLOSED', 'messaging is closed'));
    if (this.#waiting.length === 0 && this.#tryTake()) return Promise.resolve();
    if (this.#waiting.length >= this.#maxWaiting) {
      return Promise.reject(new MessagingError('RATE_LIMITED', `${this.#waiting.length} sends already wait for the account's send rate`));
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** The server refused a message with 429: no sends for a while. */
  rateLimited(): void {
    this.#pause = Math.min(this.#maxPauseMs, this.#pause > 0 ? this.#pause * 2 : this.#pauseMs);
    this.#pausedUntil = this.#now() + this.#pause;
    // An empty bucket that holds exactly one token when the pause ends: resume at a trickle, not a burst.
    this.#tokens = 0;
    this.#at = this.#pausedUntil - 1000 / this.#spec.perSecond;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#waiting.length > 0) this.#schedule();
  }

  /** The server accepted a message: the next 429 starts from the first pause again. */
  accepted(): void {
    this.#pause = 0;
  }

  /** Milliseconds until sending resumes after a 429 (0 when not paused). */
  get pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - this.#now());
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#waiting.splice(0)) w.reject(new MessagingError('CLOSED', 'messaging closed before the send could go'));
  }

  #tryTake(): boolean {
    const now = this.#now();
    if (now < this.#pausedUntil) return false;
    this.#tokens = Math.min(this.#spec.burst, this.#tokens + (Math.max(0, now - this.#at) / 1000) * this.#spec.perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    const now = this.#now();
    const refill = Math.ceil(((1 - this.#tokens) / this.#spec.perSecond) * 1000);
    const wait = Math.max(1, this.#pausedUntil - now, refill - Math.max(0, now - this.#at));
    this.#timer = setTimeout(() => this.#drain(), wait);
  }

  #drain(): void {
    this.#timer = undefined;
    while (this.#waiting.length > 0 && this.#tryTake()) this.#waiting.shift()!.resolve();
    if (this.#waiting.length > 0) this.#schedule();
  }
}
