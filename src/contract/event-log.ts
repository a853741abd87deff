/**
 * The control contract's durable event log: the event types, one logged
 * event, and the daemon API's methods that read the log and move named
 * subscribers' cursors. What each type's data holds is in events.ts.
 * Types only.
 */

export type EventType =
  | 'connection:update'
  | 'message:new'
  | 'message:updated'
  | 'message:deleted'
  | 'message:receipt'
  | 'typing:update'
  | 'presence:update'
  | 'call:incoming'
  | 'call:ended'
  | 'group:update'
  | 'chat:updated'
  | 'contact:updated'
  | 'label:updated'
  | 'privacy:updated'
  | 'block:updated'
  | 'history:sync'
  | 'account:status'
  | 'error';

/** One event of an account's durable log (every event frame carries data.seq, the consumer's resume cursor). */
export interface WadEvent {
  account: string;
  /** Grows per account; the durable cursor. */
  seq: number;
  type: EventType;
  /** Unix ms when the event was logged. */
  t: number;
  conversationId?: string;
  data: Record<string, unknown>;
}

/** The daemon API's event-log methods (account = the account id). */
export interface EventLogApi {
  /** Events of one account with seq >= fromSeq, oldest first, at most `limit`. */
  readEvents(account: string, fromSeq: number, limit: number): Promise<WadEvent[]>;
  /** The first seq still retained for an account (to detect gaps). */
  firstRetainedSeq(account: string): Promise<number>;
  /** The seq the account's next event will take (its last seq + 1). */
  nextEventSeq(account: string): Promise<number>;
  /** Events the account's log holds now (what retention has not trimmed). */
  eventLogSize(account: string): Promise<number>;
  /** Moves a named subscriber's cursor (events up to seq are confirmed). */
  ackEvents(subscriber: string, account: string, seq: number): Promise<void>;
  /** A named subscriber's last acked seq per account (0 when none). */
  subscriberCursor(subscriber: string, account: string): Promise<number>;
  /** Live events after they were persisted. Returns the unsubscribe function. */
  onEvent(listener: (event: WadEvent) => void): () => void;
  /**
   * A subscription wants these accounts' events live (undefined: every
   * account's): in a cluster, those of accounts other daemons run are then
   * published through onEvent too. Returns the function that ends it.
   */
  followEvents?(accounts?: readonly string[]): () => void;
}
