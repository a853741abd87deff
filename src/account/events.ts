/**
 * How an account reports what happened: events go into the account's durable
 * log (the store's `ev/` family, per-account `seq`) and only then to live
 * listeners, so a consumer never sees an event that a crash could take back.
 * The daemon implements this (src/daemon/
 * event-sink.ts); account code and messaging only see this interface.
 *
 * Must not know about IPC frames or subscribers: those are the control plane's.
 */
import type { EventType } from '../contract/api.js';
import type { Transaction, ValueMap } from '../store/index.js';

/** What an account reports: the contract's event types, each logged under its own name. */
export type AccountEventType = EventType;

/** One event as an account produces it; the sink adds `account`, `seq` and `t`. */
export interface AccountEvent {
  readonly type: AccountEventType;
  /** Must be storable (src/store/codec/value.ts): no functions, no `undefined` inside arrays. */
  readonly data: ValueMap;
  /** The chat the event belongs to (a jid), when it belongs to one. */
  readonly conversationId?: string | undefined;
}

export interface AccountEventSink {
  /**
   * Appends the event to the durable log in its own transaction, then
   * publishes it. Resolves with its seq.
   * @throws StoreError WRITE_FAILED, CLOSED (nothing logged, nothing published)
   */
  emit(event: AccountEvent): Promise<number>;
  /**
   * Queues events into the caller's transaction (so a message and its
   * `message:new` commit together). Returns `publish`, to be called once the
   * transaction has committed; not calling it (the commit failed) publishes nothing.
   */
  stage(tx: Transaction, events: readonly AccountEvent[]): () => void;
}
