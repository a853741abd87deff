/**
 * Another go at a media transfer after a failure that may not happen twice:
 * a 5xx, a 408/429, a reset or refused connection, a stall, a blob cut
 * short. One such hiccup of a CDN must not fail a whole send or download,
 * so the transfer starts over (every host again) after a pause that doubles
 * each time, a bounded number of times. Starting over is safe: an upload is
 * addressed by the SHA-256 of its encrypted bytes and re-read from its spool,
 * and a download goes into a fresh spool and is verified whole before
 * anything is released. What a retry cannot change (404/410, 401/403 after a
 * fresh auth, a bad MAC or hash, too large, aborted) fails at once.
 */
import { MediaError } from './errors.js';

export interface MediaRetryPolicy {
  /** Tries in all, the first included (3). */
  readonly attempts: number;
  /** Pause before the second try; doubled before each later one (500 ms). */
  readonly delayMs: number;
  /** Longest pause (5 s). */
  readonly maxDelayMs: number;
}

export const DEFAULT_MEDIA_RETRY: MediaRetryPolicy = { attempts: 3, delayMs: 500, maxDelayMs: 5_000 };

/** Certificate failures: the same certificate fails the same way a second later. */
const TLS_VERIFY = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;

/** True for a failure that another try may not meet. */
export function isTransient(err: MediaError): boolean {
  switch (err.code) {
    case 'NETWORK': {
      const cause = (err.cause as NodeJS.ErrnoException | undefined)?.code;
      return !(typeof cause === 'string' && TLS_VERIFY.test(cause));
    }
    case 'TIMEOUT':
    case 'TRUNCATED':
      return true;
    case 'HTTP_STATUS':
      return err.status !== undefined && (err.status >= 500 || err.status === 408 || err.status === 429);
    default:
      return false;
  }
}

/**
 * Runs `attempt` until it succeeds, fails with a lasting error, or has
 * failed `policy.attempts` times (the last error is thrown).
 * @throws MediaError — the attempt's, or ABORTED when `signal` fires during a pause
 */
export async function withMediaRetry<T>(policy: MediaRetryPolicy, signal: AbortSignal | undefined, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof MediaError) || !isTransient(e) || n >= policy.attempts || signal?.aborted) throw e;
      await pause(Math.min(policy.maxDelayMs, policy.delayMs * 2 ** (n - 1)), signal);
    }
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): void => {
      clearTimeout(timer);
      reject(new MediaError('ABORTED', 'media transfer aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
