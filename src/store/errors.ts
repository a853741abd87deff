/** Errors of the store: every public call of src/store documents which of these it throws. */
export type StoreErrorCode =
  /** The backend could not be opened (locked by another process, unreadable directory…). */
  | 'OPEN_FAILED'
  /** This data dir had a store (its marker says so) and the store is gone: never recreated silently. */
  | 'STORE_MISSING'
  /** The database cannot be opened as it is (a lost CURRENT or MANIFEST, corrupt tables): `wad store repair`. */
  | 'STORE_DAMAGED'
  /** The disk is full: nothing of the write was applied (or the store could not open). */
  | 'NO_SPACE'
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
  | 'NO_CREDS'
  /** A shared database refused an account's write: this daemon no longer holds the account's lease. */
  | 'FENCED';

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

/** True for a write the store refused as a whole (a full disk, an I/O error): retrying later may succeed. */
export function isWriteFailure(err: unknown): err is StoreError {
  return err instanceof StoreError && (err.code === 'WRITE_FAILED' || err.code === 'NO_SPACE');
}

/** The cause of an error from the file system or LevelDB says the disk is full. */
export function isNoSpace(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'ENOSPC' || /No space left on device|ENOSPC/.test(e.message)) return true;
  }
  return false;
}
