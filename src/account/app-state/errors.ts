/**
 * Errors of the account's app state operations, by what the caller can do
 * about them. Protocol failures (a MAC that does not verify, a key we lack)
 * stay AppStateError from the protocol core and never reach a caller: the
 * sync recovers from them itself.
 */
export type AppStateSyncErrorCode =
  /** The phone has not shared an app state key with us yet (just linked, or it never will): nothing can be written. */
  | 'NO_KEYS'
  /** The server kept refusing our patch because others wrote first, past the retries. */
  | 'CONFLICT'
  /** The server refused our patch outright (`serverCode`). */
  | 'SERVER_REJECTED'
  /** What was asked cannot be written (a group message of someone else without its sender, an unknown label). */
  | 'BAD_ACTION'
  /** A message or label the action names is not known to the account. */
  | 'NOT_FOUND'
  /** The account is not paired yet. */
  | 'NOT_READY'
  /** The account is stopping. */
  | 'CLOSED';

export class AppStateSyncError extends Error {
  override readonly name = 'AppStateSyncError';
  readonly serverCode: number | undefined;

  constructor(
    readonly code: AppStateSyncErrorCode,
    message: string,
    options?: { cause?: unknown; serverCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.serverCode = options?.serverCode;
  }
}
