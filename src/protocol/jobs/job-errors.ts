/**
 * Typed errors across the thread boundary. Structured clone keeps an Error's
 * message but not its class, `code` or extra fields, so a worker sends
 * {name, code, message, details} and the caller rebuilds the same class: a
 * caller catches `DuplicateMessageError` or `GroupCipherError` with code
 * 'NO_SENDER_KEY' whether the job ran inline or in a worker. Owns that
 * mapping only.
 */
import { CryptoError, type CryptoErrorCode } from '../crypto/index.js';
import { GroupCipherError, type GroupCipherErrorCode } from '../signal/group/index.js';
import {
  BadMacError,
  DuplicateMessageError,
  InvalidKeyError,
  InvalidMessageError,
  InvalidPreKeyError,
  InvalidSignatureError,
  NoSessionError,
  PaddingError,
  RecordFormatError,
  SignalError,
  TooManySkippedMessagesError,
  UntrustedIdentityError,
  type SignalErrorCode,
} from '../signal/index.js';
import { CryptoPoolError, type CryptoPoolErrorCode } from './errors.js';
import type { ErrorDetails, SerializedJobError } from './jobs.js';

type Reviver = (code: string, message: string, details: ErrorDetails) => Error;

const num = (d: ErrorDetails, k: string): number => (typeof d[k] === 'number' ? d[k] : 0);
const bytes = (d: ErrorDetails, k: string): Uint8Array => (d[k] instanceof Uint8Array ? d[k] : new Uint8Array(0));

// Codes come from our own worker and were validated as strings; the casts
// name each class's code union.
const REVIVERS: Record<string, Reviver> = {
  GroupCipherError: (code, message) => new GroupCipherError(code as GroupCipherErrorCode, message),
  CryptoPoolError: (code, message) => new CryptoPoolError(code as CryptoPoolErrorCode, message),
  CryptoError: (code, message) => new CryptoError(code as CryptoErrorCode, message),
  SignalError: (code, message) => new SignalError(code as SignalErrorCode, message),
  UntrustedIdentityError: (_c, _m, d) => new UntrustedIdentityError(bytes(d, 'identityKey')),
  NoSessionError: (_c, message) => new NoSessionError(message),
  BadMacError: () => new BadMacError(),
  DuplicateMessageError: (_c, _m, d) => new DuplicateMessageError(num(d, 'counter')),
  InvalidPreKeyError: (_c, _m, d) => new InvalidPreKeyError(d.kind === 'signed' ? 'signed' : 'one-time', num(d, 'keyId')),
  InvalidMessageError: (code, message) => new InvalidMessageError(code as ConstructorParameters<typeof InvalidMessageError>[0], message),
  TooManySkippedMessagesError: (_c, _m, d) => new TooManySkippedMessagesError(num(d, 'skipped')),
  InvalidSignatureError: (_c, message) => new InvalidSignatureError(message),
  InvalidKeyError: (_c, message) => new InvalidKeyError(message),
  PaddingError: (_c, message) => new PaddingError(message),
  RecordFormatError: (_c, message) => new RecordFormatError(message),
};

const OWN_FIELDS = new Set(['name', 'code', 'message', 'stack', 'cause']);

/** The fields a class adds (DuplicateMessageError.counter…), if plain values. */
function detailsOf(error: Error): ErrorDetails {
  const details: ErrorDetails = {};
  for (const [k, v] of Object.entries(error)) {
    if (OWN_FIELDS.has(k)) continue;
    if (typeof v === 'string' || typeof v === 'number' || v instanceof Uint8Array) details[k] = v;
  }
  return details;
}

/** Classes a job throws on purpose cross as themselves; anything else is a bug, reported as WORKER_FAILED. */
export function serializeJobError(error: unknown): SerializedJobError {
  if (error instanceof Error && Object.hasOwn(REVIVERS, error.name) && typeof (error as { code?: unknown }).code === 'string') {
    return { name: error.name, code: (error as Error & { code: string }).code, message: error.message, details: detailsOf(error) };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { name: 'CryptoPoolError', code: 'WORKER_FAILED', message, details: {} };
}

export function reviveJobError(e: SerializedJobError): Error {
  const revive = REVIVERS[e.name];
  return revive ? revive(e.code, e.message, e.details) : new CryptoPoolError('WORKER_FAILED', e.message);
}
