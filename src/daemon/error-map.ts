/**
 * What an account throws, in the contract's codes: connection, messaging,
 * media and storage failures each map to what a caller can do about them,
 * with the account's own code kept in `details` (details.messaging,
 * details.media, details.storage). DaemonErrors pass through.
 */
import { AppStateSyncError, type AppStateSyncErrorCode } from '../account/app-state/index.js';
import { ConnectionError } from '../account/errors.js';
import { MediaError, type MediaErrorCode } from '../account/media/errors.js';
import { MessagingError, type MessagingErrorCode } from '../account/messaging/errors.js';
import { DaemonError, type ErrorCode } from '../contract/errors.js';
import { isNoSpace, isWriteFailure, StoreError } from '../store/index.js';

/** Maps what an account throws to the contract's codes (DaemonErrors pass through). */
export function toDaemonError(err: unknown): DaemonError {
  if (err instanceof DaemonError) return err;
  if (err instanceof ConnectionError) {
    const code = err.code === 'OVERLOADED' ? 'RATE_LIMITED' : err.code === 'BAD_STANZA' ? 'INVALID_PAYLOAD' : 'UNAVAILABLE';
    return new DaemonError(code, err.message, undefined, { cause: err });
  }
  const storage = storageFailure(err);
  if (storage) return new DaemonError('UNAVAILABLE', storage.message, storage.details, { cause: err });
  if (err instanceof MediaError) return mediaToDaemonError(err);
  if (err instanceof MessagingError) {
    // The server's 429 is the caller's to wait out, like our own pacing refusal.
    const code = err.serverCode === 429 ? 'RATE_LIMITED' : MESSAGING_CODES[err.code];
    const details = {
      messaging: err.code,
      ...(err.serverCode !== undefined ? { serverCode: err.serverCode } : {}),
      ...(err.messageId !== undefined ? { messageId: err.messageId } : {}),
      // A timeout after the stanza left is not a failure to deliver: the caller resends with its idempotency key.
      ...(err.mayHaveBeenDelivered ? { mayHaveBeenDelivered: true } : {}),
    };
    return new DaemonError(code, err.message, details, { cause: err });
  }
  if (err instanceof AppStateSyncError) {
    const details = { appState: err.code, ...(err.serverCode !== undefined ? { serverCode: err.serverCode } : {}) };
    return new DaemonError(err.serverCode === 429 ? 'RATE_LIMITED' : APP_STATE_CODES[err.code], err.message, details, { cause: err });
  }
  return new DaemonError('INTERNAL_ERROR', err instanceof Error ? err.message : String(err), undefined, { cause: err });
}

/** App state failures by what the caller can do: wait (no keys yet, others writing), fix the request, or name something that exists. */
const APP_STATE_CODES: Record<AppStateSyncErrorCode, ErrorCode> = {
  NO_KEYS: 'UNAVAILABLE',
  CONFLICT: 'UNAVAILABLE',
  SERVER_REJECTED: 'UNAVAILABLE',
  BAD_ACTION: 'INVALID_PAYLOAD',
  NOT_FOUND: 'NOT_FOUND',
  NOT_READY: 'UNAVAILABLE',
  CLOSED: 'UNAVAILABLE',
};

/**
 * A write the store refused (the disk is full, an I/O error) is a passing
 * condition, not a bug: the caller may retry once the operator freed space.
 * Found anywhere in the cause chain (a media spool's ENOSPC comes wrapped).
 */
function storageFailure(err: unknown): { message: string; details: Record<string, unknown> } | undefined {
  if (isNoSpace(err)) {
    return { message: `storage full: the daemon's disk has no space left (ENOSPC); nothing was sent`, details: { storage: 'full', errno: 'ENOSPC', ...(err instanceof StoreError ? { store: err.code } : {}) } };
  }
  if (isWriteFailure(err)) return { message: `storage failure: ${err.message}`, details: { storage: 'write-failed', store: err.code } };
  return undefined;
}

/** What a caller can do about each messaging failure, in the contract's terms (the exact cause stays in details.messaging). */
const MESSAGING_CODES: Record<MessagingErrorCode, ErrorCode> = {
  NOT_READY: 'UNAVAILABLE',
  BAD_JID: 'INVALID_PAYLOAD',
  BAD_CONTENT: 'INVALID_PAYLOAD',
  NO_DEVICES: 'NOT_FOUND',
  SERVER_REJECTED: 'UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  ACK_TIMEOUT: 'UNAVAILABLE',
  KEY_REUSED: 'INVALID_PAYLOAD',
  NOT_FOUND: 'NOT_FOUND',
  NOT_MEMBER: 'NOT_MEMBER',
  NOT_ADMIN: 'FORBIDDEN',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  // Changed by someone else meanwhile: reading again and retrying is what the caller does.
  CONFLICT: 'UNAVAILABLE',
  CLOSED: 'UNAVAILABLE',
};

/** Media codes a consumer acts on differently: the file is gone, a transfer may work later, or our fault. */
const MEDIA_CODES: Partial<Record<MediaErrorCode, ErrorCode>> = {
  GONE: 'NOT_FOUND',
  REUPLOAD_FAILED: 'NOT_FOUND',
  NO_HOSTS: 'NOT_FOUND',
  NO_MESSAGE: 'NOT_FOUND',
  NOT_MEDIA: 'INVALID_PAYLOAD',
  IO: 'INTERNAL_ERROR',
  PATH_REFUSED: 'INVALID_PAYLOAD',
  DISPOSED: 'INTERNAL_ERROR',
  FINISHED: 'INTERNAL_ERROR',
};

/** A MediaError as the control plane's error: UNAVAILABLE unless the table says otherwise; `details.media` keeps the media code. */
export function mediaToDaemonError(err: MediaError): DaemonError {
  const details: Record<string, unknown> = { media: err.code };
  if (err.status !== undefined) details.status = err.status;
  if (err.reason !== undefined) Object.assign(details, { reason: err.reason, field: 'data.path' });
  return new DaemonError(MEDIA_CODES[err.code] ?? 'UNAVAILABLE', err.message, details, { cause: err });
}
