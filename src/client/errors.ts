/**
 * Errors WadClient rejects with: the daemon's contract codes (an ack with
 * success false, an error frame, a refused connection), plus TIMEOUT (no
 * answer in time) and CLOSED (the client was closed).
 */
import type { ErrorCode } from '../daemon/api.js';

export type ClientErrorCode = ErrorCode | 'TIMEOUT' | 'CLOSED';

export class WadClientError extends Error {
  override readonly name = 'WadClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown; retryAfter?: number },
  ) {
    super(message, options);
    this.retryAfter = options?.retryAfter;
  }
  /** Milliseconds to wait (RATE_LIMITED). */
  readonly retryAfter: number | undefined;
}
