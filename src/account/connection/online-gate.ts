/**
 * Callers of send()/query() waiting for the account to come online: each
 * waits at most `waitMs`, then fails UNAVAILABLE (never
 * hang); at most `max` wait at once (OVERLOADED beyond). One timer per
 * waiting caller, none when nobody waits.
 */
import { ConnectionError } from '../errors.js';

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class OnlineGate {
  readonly #waiters = new Set<Waiter>();
  readonly #max: number;
  readonly #waitMs: number;
  #open = false;
  #ended: string | undefined;

  constructor(max: number, waitMs: number) {
    this.#max = max;
    this.#waitMs = waitMs;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** @throws (rejects) ConnectionError UNAVAILABLE (timeout, ended), OVERLOADED */
  wait(state: () => string): Promise<void> {
    if (this.#open) return Promise.resolve();
    if (this.#ended !== undefined) return Promise.reject(new ConnectionError('UNAVAILABLE', this.#ended));
    if (this.#waiters.size >= this.#max) return Promise.reject(new ConnectionError('OVERLOADED', 'too many calls wait for the account to come online'));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(w);
          reject(new ConnectionError('UNAVAILABLE', `not online (${state()})`));
        }, this.#waitMs),
      };
      this.#waiters.add(w);
    });
  }

  open(): void {
    this.#open = true;
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.#waiters.clear();
  }

  close(): void {
    this.#open = false;
  }

  /** For good: every waiter and every later caller fails with `why`. */
  end(why: string): void {
    this.#open = false;
    this.#ended = why;
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new ConnectionError('UNAVAILABLE', why));
    }
    this.#waiters.clear();
  }
}
