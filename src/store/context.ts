/**
 * What record families (families/*.ts) see of the account store: a read side
 * (cached point reads, uncached scans) and a write side (operations queued in
 * the open transaction). Families own their keys and record codecs and go
 * through these two interfaces only, so every write they make lands in the
 * transaction's single atomic batch.
 */
import type { Entry, KeyRange } from './backend/types.js';
import type { Creds } from './records/creds.js';

export interface ReadContext {
  /** The account's namespace prefix (`a/<id>/`). */
  readonly ns: Uint8Array;
  /** Cached; the bytes may be shared: never mutate them, copy before handing them out. */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /**
   * As getMany (answered from the cache where it holds them), but what comes
   * from the backend is not cached: for records read about once, whose place
   * in the cache would push out sessions and keep every idle account's memory
   * up (a prekey is read at its upload and by the one pkmsg that uses it).
   */
  getManyOnce(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Straight from the backend (always coherent: the cache is written after the backend). */
  scan(range: KeyRange): AsyncIterable<Entry>;
  /**
   * Decodes a record of a family the account can do without (what it rebuilds
   * or fetches again: device lists, message records, the sent cache, prekeys,
   * chat settings, privacy tokens). A record that does not decode is counted
   * and read as absent, instead of failing every use of it for good.
   */
  decodeOrSkip<T>(key: Uint8Array, decode: () => T): T | undefined;
}

/** An insertion index's live entries: [head, next) (families/insertion-index.ts). */
export interface IndexBounds {
  readonly head: number;
  readonly next: number;
}

/** The in-memory part of an account's state, loaded at open and replaced only after a commit. */
export interface AccountState {
  readonly creds: Creds | undefined;
  /** Highest event seq ever assigned (0: none). Never decreases, also across trims. */
  readonly lastSeq: number;
  /** Durable subscriber name → highest acked seq. */
  readonly cursors: ReadonlyMap<string, number>;
  /** The insertion indexes that bound the sent cache and the message records (families/insertion-index.ts). */
  readonly sent: IndexBounds;
  readonly messages: IndexBounds;
  /** The insertion index of the sends' idempotency keys (families/idempotency.ts). */
  readonly idempotency: IndexBounds;
  /** Messages in the message store, all chats (families/chat-messages.ts). */
  readonly chatMessages: number;
}

export interface WriteContext {
  readonly ns: Uint8Array;
  put(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
  /**
   * Queues a read-modify-write of one key, run by the store at commit under
   * the account's write lock: `fn` gets the value as committed (or as this
   * transaction last wrote it) and returns the new value, or undefined to
   * delete. For records several writers change in part (chats, contacts).
   */
  merge(key: Uint8Array, fn: (current: Uint8Array | undefined) => Uint8Array | undefined): void;
  /** The state as this transaction has changed it so far. */
  readonly state: AccountState;
  /** Replaces part of the staged state (adopted by the store only if the batch commits). */
  stage(patch: Partial<AccountState>): void;
}

/** Copies bytes so that a caller's mutation cannot reach a cache or a Buffer pool. */
export function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
