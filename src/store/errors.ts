/** Errors of the store: every public call of src/store documents which of these it throws. */
export type StoreErrorCode =
  /** The backend could not be opened (locked by another process, unreadable directory…). */
  | 'OPEN_FAILED'
  /** A call reached a store (or backend) after close(). */
  | 'CLOSED'
  /** The backend rejected a read. */
  | 'READ_FAILED'
  /** The backend rejected an atomic batch: nothing of it was applied. */
  | 'WRITE_FAILED'
  /** A stored record could not be decoded: unknown format version or a wrong shape. */
  | 'CORRUPT_RECORD'
  /** A value cannot be encoded (unsupported type, out-of-range number, cycle). */
  | 'BAD_VALUE'
  /** An account id, address or other key part is not acceptable. */
  | 'BAD_KEY'
  /** A transaction callback returned a promise: writes must be queued synchronously. */
  | 'BAD_TRANSACTION'
  /** The account has no credentials yet where the call needs them. */
  | 'NO_CREDS';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
