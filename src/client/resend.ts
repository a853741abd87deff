/**
 * Sending until the daemon gives an answer, without ever sending twice: every
 * attempt carries the same idempotency key, so the daemon sends one message
 * however many attempts reach it (a repeat answers the first one's id, or
 * sends that same message id again when its ack never came).
 *
 * An attempt is repeated when its outcome is unknown or passing: the
 * connection to the daemon was lost before the answer (UNAVAILABLE from the
 * client), no answer in time (TIMEOUT), the daemon could not send now
 * (UNAVAILABLE: the account is reconnecting or the daemon restarting; or
 * `mayHaveBeenDelivered`: the server's ack did not come), or RATE_LIMITED
 * (after its retryAfter). Any other answer is final.
 *
 * Owns the retry loop; the request is the caller's.
 */
import { WadClientError } from './errors.js';
import { sleep } from './util.js';

export interface ResendOptions {
  /** Give up (rethrow the last error) after this long. Default 5 minutes. */
  deadlineMs?: number;
  /** Give up after this many attempts. Default: until the deadline. */
  maxAttempts?: number;
  /** First pause between attempts (doubling, with jitter). Default 200 ms. */
  initialDelayMs?: number;
  /** Longest pause between attempts. Default 5 s. */
  maxDelayMs?: number;
  /** Told about each failed attempt that will be repeated (logs, tests). */
  onRetry?: (err: WadClientError, attempt: number) => void;
}

const RETRIED = new Set(['UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED']);

/** Whether a failed send may be repeated under its idempotency key with an answer still to come. */
export function isRetriable(err: unknown): err is WadClientError {
  return err instanceof WadClientError && RETRIED.has(err.code);
}

/** Runs `attempt` until it answers or fails finally. @throws the last error */
export async function untilAnswered<T>(attempt: () => Promise<T>, opts: ResendOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.deadlineMs ?? 300_000);
  let delay = opts.initialDelayMs ?? 200;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isRetriable(err) || n >= (opts.maxAttempts ?? Infinity)) throw err;
      const wait = Math.max(err.retryAfter ?? 0, delay * (0.8 + Math.random() * 0.4));
      if (Date.now() + wait > deadline) throw err;
      opts.onRetry?.(err, n);
      await sleep(wait);
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5000);
    }
  }
}
