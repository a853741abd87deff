/**
 * A bound on the file-system calls made for files that callers name (a
 * `message:send` `path`). Node runs every fs call on libuv's small thread
 * pool (4 threads by default), which the store and the upload spools share
 * with every account: a file on a hung network mount blocks its thread until
 * the mount answers, and four such calls would freeze the whole daemon.
 *
 * So at most `maxInFlight` of these calls run at once, a caller gives up on
 * one after `opTimeoutMs` (TIMEOUT), and — the point — a call that timed out
 * keeps its slot until it really returns, because it still holds a thread.
 * Waiting for a slot is bounded in count and in time too.
 *
 * Owns the slots only; what the calls do is local-file.ts's.
 */
import { MediaError } from './errors.js';

export interface IoGateOptions {
  /** Calls running at once (default 2: half of libuv's default pool). */
  readonly maxInFlight?: number;
  /** Callers waiting for a slot beyond which new ones are refused at once (default 64). */
  readonly maxWaiting?: number;
  /** How long one call may take before its caller gets TIMEOUT; also the longest wait for a slot (default 15 s). */
  readonly opTimeoutMs?: number;
}

export class IoGate {
  readonly #max: number;
  readonly #maxWaiting: number;
  readonly #timeoutMs: number;
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(opts: IoGateOptions = {}) {
    this.#max = opts.maxInFlight ?? 2;
    this.#maxWaiting = opts.maxWaiting ?? 64;
    this.#timeoutMs = opts.opTimeoutMs ?? 15_000;
  }

  /** Calls holding a slot now, including those whose callers gave up on them. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Runs `op` in a slot. @throws MediaError TIMEOUT (no slot in time, or the
   * call did not return in time), and whatever `op` throws
   */
  async run<T>(what: string, op: () => Promise<T>): Promise<T> {
    await this.#acquire(what);
    let call: Promise<T>;
    try {
      call = op();
    } catch (err) {
      this.#release();
      throw err;
    }
    // Released when the call returns, not when its caller stops waiting.
    call.then(
      () => this.#release(),
      () => this.#release(),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new MediaError('TIMEOUT', `${what}: the file system did not answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      timer.unref?.();
    });
    try {
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #acquire(what: string): Promise<void> {
    if (this.#inFlight < this.#max) {
      this.#inFlight++;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.#maxWaiting) {
      return Promise.reject(new MediaError('TIMEOUT', `${what}: too many file reads are waiting for the file system`));
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.#waiting.indexOf(grant);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(new MediaError('TIMEOUT', `${what}: the file system is busy (${this.#max} calls have not returned for ${this.#timeoutMs} ms)`));
      }, this.#timeoutMs);
      timer.unref?.();
      this.#waiting.push(grant);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter; the count only drops when nobody waits.
    if (next) next();
    else this.#inFlight--;
  }
}
