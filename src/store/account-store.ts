/**
 * One account's slice of the store (`a/<id>/…`): cached reads of every record
 * family, and transactions that write any mix of them as ONE atomic batch
 * (what belongs together survives a crash together). Transactions of an account run one at a time, so staged
 * counters (event seqs, the sent-cache index) never race; reads run freely.
 *
 * Cache coherence: the cache is updated only after the backend accepted the
 * batch, and a read that started before a commit does not fill the cache with
 * what it found (an epoch counter tells). A failed batch changes nothing: not
 * the disk, not the cache, not the in-memory state.
 *
 * Must not know about connections, sockets or the protocol state machines.
 */
import { KeyedSerialQueue } from '../protocol/util/keyed-queue.js';
import type { KVBackend } from './backend/types.js';
import { LruCache, type CacheLimits } from './cache.js';
import type { AccountState, ReadContext } from './context.js';
import { StoreError } from './errors.js';
import { AccountReaders } from './readers.js';
import { LID_SERVER_OF, isPnServer, parseSignalJid, unsafeSignalAddress, type SignalAddress } from './families/address.js';
import { credsKey } from './families/creds.js';
import { CURSORS, EVENTS, EVENT_SEQ, eventKey, loadEventState } from './families/events.js';
import { stageLidMappings, type LidMapping, type MergeRecords } from './families/lid.js';
import { stagePreKeyPurge } from './families/prekeys.js';
import { SENT_FAMILY } from './families/sent.js';
import { IDEMPOTENCY_FAMILY } from './families/idempotency.js';
import { MESSAGES_FAMILY } from './families/messages.js';
import { decodeCount, totalKey } from './families/chat-messages.js';
import { stageChatMessages, type MessageStoreBounds } from './families/chat-message-upkeep.js';
import { resolveMerges } from './merges.js';
import { EMPTY_BOUNDS, loadBounds, stageEviction, type IndexedFamily } from './families/insertion-index.js';
import { ACCOUNTS_PREFIX, accountPrefix, key, keyString, prefixOf, prefixRange } from './keys.js';
import { decodeCreds, type Creds } from './records/creds.js';
import { Transaction } from './transaction.js';

export interface AccountStoreOptions {
  /** Per-account read cache. Default 256 entries / 128 KiB. */
  readonly cache?: CacheLimits;
  /** Sent messages kept for retry receipts. Default 2000. */
  readonly sentMessagesMax?: number;
  /** Received-message records kept (dedupe, quotes, polls, media by id); the oldest go first. Default 50,000. */
  readonly messagesMax?: number;
  /** Sends' idempotency keys kept; the oldest go first. Default 10,000. */
  readonly idempotencyKeysMax?: number;
  /** How long an idempotency key answers; older ones are evicted. Default 24 h. */
  readonly idempotencyTtlMs?: number;
  /** Messages the message store keeps per chat; the oldest go first. Default 10,000. */
  readonly chatMessagesPerChat?: number;
  /** Messages the message store keeps for the account, all chats; the oldest go first. Default 200,000. */
  readonly chatMessagesMax?: number;
  /** Clock for evicting by age (tests). Default Date.now. */
  readonly now?: () => number;
}

/** What a wipe keeps: `logout` keeps the event log (consumers still read it; seqs keep growing). */
export type WipeMode = 'logout' | 'remove';

const TRIM_CHUNK = 1000;

/** A record family bounded by count (and maybe by age), and the state field that holds its index bounds. */
interface BoundedFamily {
  readonly family: IndexedFamily;
  readonly field: 'sent' | 'messages' | 'idempotency';
  readonly max: number;
  /** Records older than this are evicted in the batch of the next write to the family. */
  readonly maxAgeMs?: number;
}

const EMPTY_INDEXES = { sent: EMPTY_BOUNDS, messages: EMPTY_BOUNDS, idempotency: EMPTY_BOUNDS, chatMessages: 0 };

/** The one key of an account store's write queue. */
const WRITES = 'writes';

export class AccountStore extends AccountReaders {
  readonly id: string;
  readonly #backend: KVBackend;
  readonly #ns: Uint8Array;
  readonly #cache: LruCache;
  readonly #bounded: readonly BoundedFamily[];
  readonly #ctx: ReadContext;
  readonly #idempotencyTtlMs: number;
  readonly #now: () => number;
  readonly #messageBounds: MessageStoreBounds;
  #state: AccountState;
  #epoch = 0;
  /**
   * Writes run one at a time (a queue of one key), so each transaction stages
   * against the state the last one committed. Unbounded here: every writer
   * is bounded upstream (per-chat mailboxes, the dispatcher's in-flight bound).
   */
  readonly #writes = new KeyedSerialQueue({ maxPerKey: Number.POSITIVE_INFINITY, maxTotal: Number.POSITIVE_INFINITY });
  #closed = false;
  #damagedSkipped = 0;

  private constructor(backend: KVBackend, id: string, ns: Uint8Array, options: AccountStoreOptions) {
    super();
    this.#ctx = {
      ns,
      get: (k) => this.#get(k),
      getMany: (ks) => this.#getMany(ks),
      getManyOnce: (ks) => this.#getMany(ks, false),
      scan: (range) => {
        this.#assertOpen();
        return backend.iterate(range);
      },
      decodeOrSkip: (k, decode) => {
        try {
          return decode();
        } catch (err) {
          if (!(err instanceof StoreError) || err.code !== 'CORRUPT_RECORD') throw err;
          this.#damagedSkipped++;
          return undefined;
        }
      },
    };
    this.id = id;
    this.#backend = backend;
    this.#ns = ns;
    this.#cache = new LruCache(options.cache ?? { maxEntries: 256, maxBytes: 128 * 1024 });
    this.#bounded = [
      { family: SENT_FAMILY, field: 'sent', max: options.sentMessagesMax ?? 2000 },
      { family: MESSAGES_FAMILY, field: 'messages', max: options.messagesMax ?? 50_000 },
      { family: IDEMPOTENCY_FAMILY, field: 'idempotency', max: options.idempotencyKeysMax ?? 10_000, maxAgeMs: options.idempotencyTtlMs ?? 86_400_000 },
    ];
    this.#idempotencyTtlMs = options.idempotencyTtlMs ?? 86_400_000;
    this.#now = options.now ?? Date.now;
    this.#messageBounds = { perChat: Math.max(1, options.chatMessagesPerChat ?? 10_000), total: Math.max(1, options.chatMessagesMax ?? 200_000) };
    this.#state = { creds: undefined, lastSeq: 0, cursors: new Map(), ...EMPTY_INDEXES };
  }

  /**
   * Loads the account's in-memory state (creds, seqs, cursors). Use Store.account().
   * @throws StoreError BAD_KEY, READ_FAILED, CORRUPT_RECORD
   */
  static async open(backend: KVBackend, id: string, options: AccountStoreOptions = {}): Promise<AccountStore> {
    const store = new AccountStore(backend, id, accountPrefix(id), options);
    try {
      const credsBytes = await backend.get(credsKey(store.#ns));
      const creds = credsBytes && decodeCreds(credsBytes);
      const events = await loadEventState(store.ctx);
      const sent = await loadBounds(store.ctx, SENT_FAMILY.tag);
      const messages = await loadBounds(store.ctx, MESSAGES_FAMILY.tag);
      const idempotency = await loadBounds(store.ctx, IDEMPOTENCY_FAMILY.tag);
      const chatMessages = decodeCount(await backend.get(totalKey(store.#ns)));
      store.#state = { creds, ...events, sent, messages, idempotency, chatMessages };
    } catch (err) {
      // Named by account, so the daemon can quarantine this one and say why; a bug's RangeError is damage too.
      const code = err instanceof StoreError ? err.code : 'CORRUPT_RECORD';
      throw new StoreError(code, `account ${id}: ${(err as Error).message}`, { cause: err });
    }
    return store;
  }

  protected get ctx(): ReadContext {
    return this.#ctx;
  }

  protected get state(): AccountState {
    return this.#state;
  }

  protected get idempotencyTtlMs(): number {
    return this.#idempotencyTtlMs;
  }

  /** The credentials as last committed (undefined before pairing starts). Read-only. */
  get creds(): Creds | undefined {
    return this.#state.creds;
  }

  /** Reads of damaged records taken as absent since the store opened (`wad store check` names them). */
  get damagedRecordsSkipped(): number {
    return this.#damagedSkipped;
  }

  /** Entries and bytes held by this account's cache (memory accounting). */
  get cacheUsage(): { entries: number; bytes: number } {
    return { entries: this.#cache.size, bytes: this.#cache.bytes };
  }

  /**
   * The canonical Signal address of a device JID: its LID address when the LID
   * of a PN user is known, else the JID's own. Sessions, identity keys and
   * sender keys are only ever keyed by this.
   * @throws StoreError BAD_KEY, READ_FAILED, CLOSED
   */
  async signalAddress(jid: string): Promise<SignalAddress> {
    return (await this.signalAddresses([jid]))[0]!;
  }

  async signalAddresses(jids: readonly string[]): Promise<SignalAddress[]> {
    const parsed = jids.map(parseSignalJid);
    const pnIdx = parsed.flatMap((p, i) => (isPnServer(p.server) ? [i] : []));
    const lids = await this.lids.lidsForPns(pnIdx.map((i) => parsed[i]!.user));
    const out = parsed.map((p) => unsafeSignalAddress(p.user, p.server, p.device));
    pnIdx.forEach((i, j) => {
      const lid = lids[j];
      const p = parsed[i]!;
      if (lid !== undefined && isPnServer(p.server)) out[i] = unsafeSignalAddress(lid, LID_SERVER_OF[p.server], p.device);
    });
    return out;
  }

  /**
   * Runs `fn` with a transaction and commits everything it queued as one
   * atomic batch. `fn` must be synchronous (reads belong before it): it may
   * throw to abort, then nothing is written and its error is rethrown.
   * Resolves with `fn`'s result once the batch is durable.
   * @throws StoreError WRITE_FAILED (nothing applied), BAD_TRANSACTION, CLOSED; whatever `fn` throws
   */
  transaction<R>(fn: (tx: Transaction) => R): Promise<R> {
    return this.#exclusive(async () => {
      const tx = new Transaction(this.#ns, this.#state);
      let result: R;
      try {
        result = fn(tx);
      } finally {
        tx.seal();
      }
      if (result instanceof Promise) {
        result.catch(() => {});
        throw new StoreError('BAD_TRANSACTION', 'transaction callback returned a promise: queue writes synchronously');
      }
      await this.#commit(tx);
      return result;
    });
  }

  /**
   * Stores LID↔PN mappings and moves every session, identity key and sender
   * key of each PN user to the LID in the same batch. Returns how many records moved.
   * @throws StoreError BAD_KEY, WRITE_FAILED, CLOSED
   */
  learnLidMappings(mappings: readonly LidMapping[], merge?: MergeRecords): Promise<number> {
    return this.#exclusiveTx((tx) => stageLidMappings(this.ctx, tx, mappings, merge));
  }

  /** Deletes one-time prekeys marked used before `usedBeforeMs`. Returns how many. */
  purgeUsedPreKeys(usedBeforeMs: number): Promise<number> {
    return this.#exclusiveTx((tx) => stagePreKeyPurge(this.ctx, tx, usedBeforeMs));
  }

  /**
   * Deletes events with seq < belowSeq, oldest first, in chunks (a crash in
   * between leaves a shorter but contiguous log). Returns how many were deleted.
   */
  trimEvents(belowSeq: number): Promise<number> {
    return this.#exclusive(async () => {
      const prefix = prefixOf(this.#ns, EVENTS);
      let deleted = 0;
      for (;;) {
        const tx = new Transaction(this.#ns, this.#state);
        for await (const [k] of this.ctx.scan({ gte: prefix, lt: eventKey(this.#ns, Math.max(0, Math.floor(belowSeq))), limit: TRIM_CHUNK })) tx.del(k);
        if (tx.ops.length === 0) return deleted;
        await this.#commit(tx);
        deleted += tx.ops.length;
      }
    });
  }

  /**
   * Deletes the account's records in one batch (never half a
   * logout). `logout` keeps the event log, its seq and the cursors; `remove`
   * deletes everything including the registry entry and closes this store.
   * @throws StoreError WRITE_FAILED (nothing deleted), CLOSED
   */
  wipe(mode: WipeMode): Promise<void> {
    return this.#exclusive(async () => {
      const keep = mode === 'logout' ? [prefixOf(this.#ns, EVENTS), prefixOf(this.#ns, CURSORS), key(this.#ns, EVENT_SEQ)] : [];
      const tx = new Transaction(this.#ns, this.#state);
      for await (const [k] of this.ctx.scan(prefixRange(this.#ns))) {
        if (!keep.some((p) => startsWith(k, p))) tx.del(k);
      }
      if (mode === 'remove') tx.del(key(ACCOUNTS_PREFIX, this.id));
      tx.stage(
        mode === 'remove' ? { creds: undefined, lastSeq: 0, cursors: new Map(), ...EMPTY_INDEXES } : { creds: undefined, ...EMPTY_INDEXES },
      );
      await this.#commit(tx, { bound: false });
      this.#cache.clear();
      if (mode === 'remove') this.#closed = true;
    });
  }

  /**
   * Lets the running transaction finish; queued and later calls fail with
   * CLOSED. The backend belongs to the Store.
   */
  async close(): Promise<void> {
    this.#closed = true;
    // The queue stays open: a queued or later write runs in its turn and
    // fails there with CLOSED, so each caller's promise settles in order.
    await this.#writes.run(WRITES, () => undefined);
    this.#cache.clear();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #exclusive<R>(fn: () => Promise<R>): Promise<R> {
    return this.#writes.run(WRITES, () => {
      this.#assertOpen();
      return fn();
    });
  }

  #exclusiveTx<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
    return this.#exclusive(async () => {
      const tx = new Transaction(this.#ns, this.#state);
      const result = await fn(tx);
      await this.#commit(tx);
      return result;
    });
  }

  async #commit(tx: Transaction, options: { bound: boolean } = { bound: true }): Promise<void> {
    tx.seal();
    await this.#stageMessageStore(tx);
    if (tx.merges.length > 0) tx.resolveMerges(await resolveMerges(this.ctx, tx));
    if (options.bound) for (const b of this.#bounded) await this.#stageBound(tx, b);
    if (tx.ops.length > 0) await this.#backend.batch(tx.ops);
    this.#epoch++;
    for (const op of tx.ops) {
      const k = keyString(op.key);
      // Update what is cached; do not fill the cache with every write (events would push out sessions).
      if (this.#cache.get(k) !== undefined) this.#cache.set(k, op.type === 'put' ? op.value : null);
    }
    this.#state = tx.state;
  }

  /**
   * The message store's intents become writes here, where the committed
   * messages and counts can be read (nothing else writes meanwhile): see
   * families/chat-message-upkeep.ts. Chats that got newer messages have their
   * `lastMessageAt` moved in the same batch.
   */
  async #stageMessageStore(tx: Transaction): Promise<void> {
    const intents = tx.chatMessageIntents;
    if (intents.length === 0) return;
    const upkeep = new Transaction(this.#ns, tx.state);
    const staged = await stageChatMessages(this.ctx, upkeep, intents, this.#messageBounds, tx.state.chatMessages);
    for (const [chat, t] of staged.newest) upkeep.chats.patch(chat, { lastMessageAt: t });
    upkeep.stage({ chatMessages: staged.total });
    upkeep.seal();
    tx.appendUpkeep(upkeep);
  }

  /**
   * Drops a bounded family's oldest records in the same batch as the write
   * that pushes its count over the limit: a SIGKILL between two batches could
   * otherwise leave it over its bound, and again on every crash. A family
   * bounded by age too also loses, in the batch of each write to it, the
   * records past their age. Only committed records are evicted (the scan
   * cannot see this batch's).
   */
  async #stageBound(tx: Transaction, { family, field, max, maxAgeMs }: BoundedFamily): Promise<void> {
    const staged = tx.state[field];
    const committed = this.#state[field];
    const count = Math.max(0, Math.min(staged.next - staged.head - max, committed.next - committed.head));
    const aging = maxAgeMs !== undefined && staged.next > committed.next && committed.next > committed.head;
    if (count <= 0 && !aging) return;
    const evict = new Transaction(this.#ns, this.#state);
    let head: number;
    try {
      head = await stageEviction(this.ctx, evict, family, committed, count, aging ? this.#now() - maxAgeMs : undefined);
    } catch {
      // A failed read skips the upkeep, not the write that was asked for; the next commit evicts.
      return;
    }
    // Deletions first: a record written again in `tx` keeps what `tx` writes.
    tx.prependUpkeep(evict.ops, { [field]: { head, next: staged.next } });
  }

  async #get(k: Uint8Array): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    const ks = keyString(k);
    const cached = this.#cache.get(ks);
    if (cached !== undefined) return cached ?? undefined;
    const epoch = this.#epoch;
    const v = await this.#backend.get(k);
    if (epoch === this.#epoch && !this.#closed) this.#cache.set(ks, v ?? null);
    return v;
  }

  async #getMany(keys: readonly Uint8Array[], fillCache = true): Promise<(Uint8Array | undefined)[]> {
    this.#assertOpen();
    const out: (Uint8Array | undefined)[] = new Array(keys.length);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      const cached = this.#cache.get(keyString(k));
      if (cached === undefined) missing.push(i);
      else out[i] = cached ?? undefined;
    });
    if (missing.length === 0) return out;
    const epoch = this.#epoch;
    const values = await this.#backend.getMany(missing.map((i) => keys[i]!));
    const fill = fillCache && epoch === this.#epoch && !this.#closed;
    missing.forEach((i, j) => {
      out[i] = values[j];
      if (fill) this.#cache.set(keyString(keys[i]!), values[j] ?? null);
    });
    return out;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('CLOSED', `account store ${this.id} is closed`);
  }
}

function startsWith(k: Uint8Array, prefix: Uint8Array): boolean {
  if (k.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (k[i] !== prefix[i]) return false;
  return true;
}
