/**
 * Errors of app state decoding and building. Every check that fails throws
 * one of these and nothing is returned: a patch or snapshot is applied whole
 * or not at all. The codes tell the caller what to do next:
 *
 * - MISSING_KEY: ask the phone for the key (AppStateSyncKeyRequest) and retry later;
 * - BAD_SNAPSHOT_MAC: our LT-hash disagrees with the writer's, so our copy of the
 *   collection has diverged: fetch a snapshot and start over from it;
 * - every other code: the server's copy is damaged or forged: resync from a snapshot.
 */
export type AppStateErrorCode =
  /** No sync key for a key id a record, patch or snapshot names (see `keyId`). */
  | 'MISSING_KEY'
  /** A key share entry without its id or 32 bytes of key data. */
  | 'BAD_KEY_SHARE'
  /** A record without index, value or key id, or a value too short for iv ‖ ciphertext ‖ MAC. */
  | 'BAD_RECORD'
  /** The value MAC over iv ‖ ciphertext (with operation and key id) does not verify. */
  | 'BAD_VALUE_MAC'
  /** The index MAC does not match the HMAC of the decrypted JSON index. */
  | 'BAD_INDEX_MAC'
  /** The value MAC verified but the AES-CBC padding is malformed (a broken writer). */
  | 'BAD_DECRYPT'
  /** The plaintext is not a SyncActionData, or its index is not a JSON array of strings. */
  | 'BAD_CONTENT'
  /** The LT-hash after applying does not give the snapshot MAC that was sent. */
  | 'BAD_SNAPSHOT_MAC'
  /** The patch MAC (snapshot MAC, value MACs, version, collection) does not verify. */
  | 'BAD_PATCH_MAC'
  /** A patch whose version is not the collection's version + 1. */
  | 'VERSION_MISMATCH'
  /** A patch or snapshot missing a required part, or a patch built across collections. */
  | 'BAD_PATCH'
  /** A collection state that cannot be right: an LT-hash not 128 bytes, a bad version. */
  | 'BAD_STATE'
  /** An action that cannot be written, such as starring a group message of another sender without naming them. */
  | 'BAD_ACTION';

export class AppStateError extends Error {
  override readonly name = 'AppStateError';
  /** The collection the failure happened in, when known. */
  readonly collection?: string;
  /** The key id that was missing or used (MISSING_KEY, MAC failures). */
  readonly keyId?: Uint8Array;
  /** The version of the patch or snapshot that failed. */
  readonly version?: number;
  /**
   * BAD_SNAPSHOT_MAC only: REMOVE mutations that named an index we never had.
   * Non-zero means our copy lacked records the writer had, the usual cause.
   */
  readonly missingRemoves?: number;

  constructor(
    readonly code: AppStateErrorCode,
    message: string,
    details: { cause?: unknown; collection?: string; keyId?: Uint8Array; version?: number; missingRemoves?: number } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.collection !== undefined) this.collection = details.collection;
    if (details.keyId !== undefined) this.keyId = details.keyId;
    if (details.version !== undefined) this.version = details.version;
    if (details.missingRemoves !== undefined) this.missingRemoves = details.missingRemoves;
  }

  /** A copy naming the collection and version, for errors raised below the patch level. */
  static within(err: unknown, collection: string, version: number): unknown {
    if (!(err instanceof AppStateError) || err.collection !== undefined) return err;
    return new AppStateError(err.code, `${collection} v${version}: ${err.message}`, {
      cause: err.cause,
      collection,
      version,
      ...(err.keyId ? { keyId: err.keyId } : {}),
      ...(err.missingRemoves !== undefined ? { missingRemoves: err.missingRemoves } : {}),
    });
  }
}
