/**
 * One account transaction: the writes of every record family, queued into a
 * single atomic batch, and the in-memory state they change (creds, event seq,
 * cursors), staged on a copy. The store commits the batch and adopts the staged
 * state only if the batch succeeds: a failed commit leaves disk, cache and
 * memory exactly as they were. Owns queuing only; must do no I/O.
 */
import type { BatchOp } from './backend/types.js';
import { copyBytes, type AccountState, type WriteContext } from './context.js';
import { CredsWriter } from './families/creds.js';
import { AppStateWriter } from './families/app-state.js';
import { ChatWriter } from './families/chats.js';
import { ChatMessageWriter, type ChatMessageIntent } from './families/chat-messages.js';
import { ContactWriter } from './families/contacts.js';
import { HistoryPendingWriter } from './families/history-pending.js';
import { DeviceWriter } from './families/devices.js';
import { EventWriter } from './families/events.js';
import { IdempotencyWriter } from './families/idempotency.js';
import { MessageWriter } from './families/messages.js';
import { PreKeyWriter } from './families/prekeys.js';
import { SenderKeyWriter } from './families/sender-keys.js';
import { SentWriter } from './families/sent.js';
import { IdentityWriter, SessionWriter } from './families/signal.js';
import { TcTokenWriter } from './families/tctokens.js';

/** A read-modify-write queued with WriteContext.merge, run at commit. */
export interface Merge {
  readonly key: Uint8Array;
  readonly fn: (current: Uint8Array | undefined) => Uint8Array | undefined;
}

export class Transaction implements WriteContext {
  readonly ns: Uint8Array;
  readonly ops: BatchOp[] = [];
  readonly merges: Merge[] = [];
  #state: AccountState;
  #sealed = false;

  constructor(ns: Uint8Array, state: AccountState) {
    this.ns = ns;
    this.#state = state;
  }

  get state(): AccountState {
    return this.#state;
  }

  stage(patch: Partial<AccountState>): void {
    this.#assertOpen();
    this.#state = { ...this.#state, ...patch };
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.#assertOpen();
    // A copy: the caller may reuse its buffer, and the cache will hold these bytes after the commit.
    this.ops.push({ type: 'put', key, value: copyBytes(value) });
  }

  del(key: Uint8Array): void {
    this.#assertOpen();
    this.ops.push({ type: 'del', key });
  }

  merge(key: Uint8Array, fn: (current: Uint8Array | undefined) => Uint8Array | undefined): void {
    this.#assertOpen();
    this.merges.push({ key, fn });
  }

  /** The message-store intents queued (resolved by the store at commit). */
  get chatMessageIntents(): readonly ChatMessageIntent[] {
    return this.#chatMessages?.intents ?? [];
  }


  /**
   * The store's own upkeep at commit (after sealing): queues what `upkeep`
   * (a transaction the store filled) wrote after this one's writes, and adopts its state.
   */
  appendUpkeep(upkeep: Transaction): void {
    this.ops.push(...upkeep.ops);
    this.merges.push(...upkeep.merges);
    this.#state = upkeep.state;
  }

  /** The resolved merges, in place of the queue (the store, at commit). */
  resolveMerges(ops: readonly BatchOp[]): void {
    this.merges.length = 0;
    this.ops.push(...ops);
  }

  /**
   * The store's own upkeep at commit (after sealing): queues `ops` ahead of the
   * transaction's writes, so a later put of the same key wins, and stages `patch`.
   */
  prependUpkeep(ops: readonly BatchOp[], patch: Partial<AccountState>): void {
    this.ops.unshift(...ops);
    this.#state = { ...this.#state, ...patch };
  }

  /** No more writes: the store is committing (a callback that kept `tx` cannot add to a finished batch). */
  seal(): void {
    this.#sealed = true;
  }

  #assertOpen(): void {
    if (this.#sealed) throw new Error('transaction already finished: queue writes inside the transaction callback');
  }

  // Writers are made on first use: most transactions touch two or three families.
  #creds?: CredsWriter;
  #preKeys?: PreKeyWriter;
  #sessions?: SessionWriter;
  #identities?: IdentityWriter;
  #senderKeys?: SenderKeyWriter;
  #devices?: DeviceWriter;
  #appState?: AppStateWriter;
  #tcTokens?: TcTokenWriter;
  #sent?: SentWriter;
  #messages?: MessageWriter;
  #events?: EventWriter;
  #chats?: ChatWriter;
  #chatMessages?: ChatMessageWriter;
  #contacts?: ContactWriter;
  #historyPending?: HistoryPendingWriter;
  #idempotency?: IdempotencyWriter;

  get creds(): CredsWriter {
    return (this.#creds ??= new CredsWriter(this));
  }
  get preKeys(): PreKeyWriter {
    return (this.#preKeys ??= new PreKeyWriter(this));
  }
  get sessions(): SessionWriter {
    return (this.#sessions ??= new SessionWriter(this));
  }
  get identities(): IdentityWriter {
    return (this.#identities ??= new IdentityWriter(this));
  }
  get senderKeys(): SenderKeyWriter {
    return (this.#senderKeys ??= new SenderKeyWriter(this));
  }
  get devices(): DeviceWriter {
    return (this.#devices ??= new DeviceWriter(this));
  }
  get appState(): AppStateWriter {
    return (this.#appState ??= new AppStateWriter(this));
  }
  get tcTokens(): TcTokenWriter {
    return (this.#tcTokens ??= new TcTokenWriter(this));
  }
  get sent(): SentWriter {
    return (this.#sent ??= new SentWriter(this));
  }
  get messages(): MessageWriter {
    return (this.#messages ??= new MessageWriter(this));
  }
  get chats(): ChatWriter {
    return (this.#chats ??= new ChatWriter(this));
  }
  get chatMessages(): ChatMessageWriter {
    return (this.#chatMessages ??= new ChatMessageWriter(this));
  }
  get contacts(): ContactWriter {
    return (this.#contacts ??= new ContactWriter(this));
  }
  get historyPending(): HistoryPendingWriter {
    return (this.#historyPending ??= new HistoryPendingWriter(this));
  }
  get idempotency(): IdempotencyWriter {
    return (this.#idempotency ??= new IdempotencyWriter(this));
  }
  get events(): EventWriter {
    return (this.#events ??= new EventWriter(this));
  }
}
