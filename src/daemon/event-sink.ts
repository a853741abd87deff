/**
 * The daemon's event hub: per-account sinks that append to the account's
 * durable log (store `ev/`, one growing `seq` per account) and publish to
 * live listeners only after the commit (a consumer never sees an event a
 * crash could take back), and the read side
 * of the log for the control plane (readEvents, cursors, acks). In a
 * cluster it also carries, once each, the events of accounts other daemons
 * run (read from the shared log: cluster-events.ts).
 *
 * Stored record: `{ d: data, c?: conversationId }` under the event's type and time.
 */
import type { Logger } from 'pino';
import type { AccountEvent, AccountEventSink, AccountEventType } from '../account/events.js';
import type { AccountStore, EventGap, StoredEvent, Transaction, Value, ValueMap } from '../store/index.js';
import type { EventType, WadEvent } from '../contract/api.js';

type Listener = (event: WadEvent) => void;

/**
 * The contract's event type for what an account reports. The account names
 * its events itself; each is the contract type of the same name (this table
 * fails to compile when the two lists drift apart).
 */
const CONTRACT_EVENT: { readonly [K in AccountEventType]: EventType & K } = {
  'connection:update': 'connection:update',
  'message:new': 'message:new',
  'message:updated': 'message:updated',
  'message:deleted': 'message:deleted',
  'message:receipt': 'message:receipt',
  'typing:update': 'typing:update',
  'presence:update': 'presence:update',
  'call:incoming': 'call:incoming',
  'call:ended': 'call:ended',
  'group:update': 'group:update',
  'chat:updated': 'chat:updated',
  'contact:updated': 'contact:updated',
  'label:updated': 'label:updated',
  'privacy:updated': 'privacy:updated',
  'block:updated': 'block:updated',
  'history:sync': 'history:sync',
  'account:status': 'account:status',
  error: 'error',
};

function record(e: AccountEvent): ValueMap {
  return e.conversationId !== undefined ? { d: e.data, c: e.conversationId } : { d: e.data };
}

/** A stored event as the control plane sees it. */
export function toWadEvent(account: string, e: StoredEvent): WadEvent {
  const v = e.data as ValueMap | null;
  const data = (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) ? v.d : undefined) as Record<string, unknown> | undefined;
  const c = v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) ? v.c : undefined;
  return { account, seq: e.seq, type: e.type as EventType, t: e.t, ...(typeof c === 'string' ? { conversationId: c } : {}), data: data ?? {} };
}

/**
 * What a subscriber gets in place of events that no longer decode: one
 * `error` event naming the damaged range, with the range's last seq, so
 * acking it moves the cursor past the gap and delivery goes on after it.
 */
export function corruptEventGap(account: string, gap: EventGap, now = Date.now()): WadEvent {
  return {
    account,
    seq: gap.to,
    type: 'error',
    t: now,
    data: {
      code: 'INTERNAL_ERROR',
      kind: 'corrupt-events',
      message: `events ${gap.from}..${gap.to} of account ${account} are damaged in the store and were skipped (${gap.reason})`,
      gap: { account, from: gap.from, to: gap.to },
    },
  };
}

export class EventHub {
  readonly #listeners = new Set<Listener>();
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #sinks = new WeakMap<AccountStore, AccountEventSink>();
  /** Emits not yet committed (drain() waits for them before the store closes). */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Per account, the highest seq published (or known to be past): events read from the log stop here. */
  readonly #highest = new Map<string, number>();

  constructor(logger: Logger, now: () => number = Date.now) {
    this.#logger = logger;
    this.#now = now;
  }

  /** Live events after they were persisted. Returns the unsubscribe function. */
  onEvent(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  sinkFor(store: AccountStore): AccountEventSink {
    let sink = this.#sinks.get(store);
    if (sink) return sink;
    const account = store.id;
    sink = {
      emit: (event) => {
        const t = this.#now();
        const p = store.transaction((tx) => tx.events.append([{ type: event.type, t, data: record(event) }])[0]!).then((seq) => {
          this.#publish(account, seq, t, event);
          return seq;
        });
        this.#inFlight.add(p);
        void p.then(
          () => this.#inFlight.delete(p),
          () => this.#inFlight.delete(p),
        );
        return p;
      },
      stage: (tx: Transaction, events: readonly AccountEvent[]) => {
        const t = this.#now();
        const seqs = tx.events.append(events.map((e) => ({ type: e.type, t, data: record(e) as Value })));
        return () => events.forEach((e, i) => this.#publish(account, seqs[i]!, t, e));
      },
    };
    this.#sinks.set(store, sink);
    return sink;
  }

  /** Resolves once every emit started so far has committed or failed. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** The highest seq of the account published so far, or marked past; undefined: none yet. */
  highest(account: string): number | undefined {
    return this.#highest.get(account);
  }

  /** Marks the account's events up to `seq` as past without publishing them (nobody here wants them live). */
  skipTo(account: string, seq: number): void {
    if (seq > (this.#highest.get(account) ?? 0)) this.#highest.set(account, seq);
  }

  /** Forgets an account (removed: a new one of the same id starts its seqs afresh). */
  forget(account: string): void {
    this.#highest.delete(account);
  }

  /**
   * Events of an account another daemon runs, read from the shared log in seq
   * order: each is published unless one with its seq or a later one already
   * was (the account moved here meanwhile, and this daemon published its newer
   * events itself: a subscriber reads what it missed from the log).
   */
  publishStored(events: readonly WadEvent[]): void {
    for (const ev of events) {
      if (ev.seq <= (this.#highest.get(ev.account) ?? 0)) continue;
      this.#send(ev);
    }
  }

  #publish(account: string, seq: number, t: number, e: AccountEvent): void {
    const ev: WadEvent = { account, seq, type: CONTRACT_EVENT[e.type], t, ...(e.conversationId !== undefined ? { conversationId: e.conversationId } : {}), data: { ...e.data } };
    this.#send(ev);
  }

  #send(ev: WadEvent): void {
    if (ev.seq > (this.#highest.get(ev.account) ?? 0)) this.#highest.set(ev.account, ev.seq);
    for (const l of this.#listeners) {
      try {
        l(ev);
      } catch (err) {
        this.#logger.error({ err, account: ev.account, type: ev.type }, 'event listener threw');
      }
    }
  }
}
