/**
 * Typed errors across the thread boundary. Structured clone keeps an Error's
 * message but not its class or `code`, so a worker sends {name, code,
 * message} and the caller rebuilds the same class: a caller catches
 * `GroupCipherError` with code 'NO_SENDER_KEY' whether the job ran inline or
 * in a worker. Owns that mapping only.
 */
import { GroupCipherError, type GroupCipherErrorCode } from '../../protocol/signal/group/index.js';
import { CryptoPoolError, type CryptoPoolErrorCode } from './errors.js';
import type { SerializedJobError } from './jobs.js';

type Reviver = (code: string, message: string) => Error;

// Codes come from our own worker, whose result was validated as strings; the
// casts name the classes' code unions.
const REVIVERS: Record<string, Reviver> = {
  GroupCipherError: (code, message) => new GroupCipherError(code as GroupCipherErrorCode, message),
  CryptoPoolError: (code, message) => new CryptoPoolError(code as CryptoPoolErrorCode, message),
};

/** Classes a job may throw on purpose; anything else is a bug and is reported as WORKER_FAILED. */
export function serializeJobError(error: unknown): SerializedJobError {
  if (error instanceof Error && Object.hasOwn(REVIVERS, error.name) && typeof (error as { code?: unknown }).code === 'string') {
    return { name: error.name, code: (error as Error & { code: string }).code, message: error.message };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { name: 'CryptoPoolError', code: 'WORKER_FAILED', message };
}

export function reviveJobError(e: SerializedJobError): Error {
  const revive = REVIVERS[e.name];
  if (revive) return revive(e.code, e.message);
  return new CryptoPoolError('WORKER_FAILED', e.message);
}
