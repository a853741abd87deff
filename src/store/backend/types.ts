/**
 * The seam between wad's store and a key-value database: bytes in, bytes out,
 * atomic batches, ordered range scans. Owns the contract only; the record
 * layout, caching and namespaces live above it (account-store.ts), so a
 * PostgreSQL table (bytea key, bytea value) can replace LevelDB later.
 *
 * Keys compare as unsigned bytes, lexicographically (LevelDB's default order).
 */

/** One write of an atomic batch. Later operations on the same key win. */
export type BatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

/** A key range; both ends optional. `limit` caps the entries returned. */
export interface KeyRange {
  readonly gte?: Uint8Array;
  readonly gt?: Uint8Array;
  readonly lte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly limit?: number;
  readonly reverse?: boolean;
}

export type Entry = readonly [key: Uint8Array, value: Uint8Array];

export interface KVBackend {
  /** @throws StoreError READ_FAILED, CLOSED */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Same order as `keys`. @throws StoreError READ_FAILED, CLOSED */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /**
   * Applies every operation or none, even if the process dies during the call.
   * Once the promise resolves the batch survives a crash of this process.
   * @throws StoreError WRITE_FAILED (nothing applied), CLOSED
   */
  batch(ops: readonly BatchOp[]): Promise<void>;
  /**
   * Entries in key order (reverse order with `reverse`), read from one
   * consistent view. @throws StoreError READ_FAILED, CLOSED
   */
  iterate(range: KeyRange): AsyncIterable<Entry>;
  /** Idempotent. Pending reads and writes finish first. */
  close(): Promise<void>;
}
