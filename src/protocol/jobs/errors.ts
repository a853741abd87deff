/**
 * Errors of the crypto jobs' runner (the runtime's crypto pool) and of the
 * jobs' validation at the thread boundary; kept beside the job definitions
 * so both sides of a thread name them alike. A job's own failure (a GroupCipherError,
 * a SignalError…) is not wrapped: it is rebuilt as the same class with the
 * same code on the caller's side of the thread boundary (job-errors.ts).
 */
export type CryptoPoolErrorCode =
  /** The key's queue or the whole pool holds its maximum of waiting jobs: back off. */
  | 'QUEUE_FULL'
  /** The pool is closed (or closing): no new jobs, and waiting ones are dropped. */
  | 'CLOSED'
  /** A job or result that fails validation at the thread boundary (wrong version, kind or field). */
  | 'BAD_JOB'
  /** The worker failed outside the job (crashed, or threw something that is not a known typed error). */
  | 'WORKER_FAILED';

export class CryptoPoolError extends Error {
  override readonly name = 'CryptoPoolError';
  constructor(
    readonly code: CryptoPoolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
