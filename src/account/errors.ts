/**
 * Errors of an account's runtime: the connection port (send/query) and the
 * account's lifecycle calls. Each carries a string `code` the daemon maps to
 * the control plane's error codes.
 */
export type ConnectionErrorCode =
  /** The account is not online and did not come online within the bounded wait. */
  | 'UNAVAILABLE'
  /** No answer to an IQ within its timeout. */
  | 'TIMEOUT'
  /** The connection closed while the call was in flight. */
  | 'CLOSED'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** A bound was reached (pending IQs, waiting senders, queued stanzas). */
  | 'OVERLOADED'
  /** A stanza could not be encoded or encrypted. */
  | 'BAD_STANZA';

export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type AccountErrorCode =
  /** The call needs a linked account (logout of one never linked…). */
  | 'NOT_LINKED'
  /** The call does not fit the account's state (a pairing code while logged in…). */
  | 'BAD_STATE'
  /** Pairing failed (the phone's identity did not verify, the code was refused…). */
  | 'PAIRING_FAILED';

export class AccountError extends Error {
  override readonly name = 'AccountError';
  constructor(
    readonly code: AccountErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
