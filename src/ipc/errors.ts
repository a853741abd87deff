/**
 * Errors of the control plane. IpcError (src/contract) carries one of the
 * contract's error codes so it becomes an ack or error frame unchanged; the
 * server also passes DaemonError through as it is.
 */
import { IpcError, isErrorCode, type ErrorCode } from '../contract/errors.js';
import type { ErrorPayload } from '../contract/frames.js';

export { IpcError, isErrorCode };

/** Thrown by startIpcServer when the socket cannot be set up (another daemon listens, path unusable). */
export class IpcStartError extends Error {
  override readonly name = 'IpcStartError';
  constructor(
    readonly code: 'SOCKET_IN_USE' | 'SOCKET_PATH' | 'LISTEN_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}


/** The error payload for any thrown value: coded errors keep their code, anything else is INTERNAL_ERROR. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof Error && 'code' in err && isErrorCode((err as { code: unknown }).code)) {
    const e = err as Error & { code: ErrorCode; details?: Record<string, unknown>; retryAfter?: number };
    const out: ErrorPayload = { code: e.code, message: e.message };
    if (e.details !== undefined) out.details = e.details;
    if (typeof e.retryAfter === 'number') out.retryAfter = e.retryAfter;
    return out;
  }
  return { code: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err) };
}
