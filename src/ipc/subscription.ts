/**
 * One events:subscribe on one connection. Per account it keeps a cursor (the
 * next seq to deliver) and serves it from live events while the consumer
 * keeps up, or from the durable log when it fell behind: after a slow
 * consumer paused delivery, after a gap in the live stream, and at the start
 * of a durable subscription (from `from`/`since`, or the subscriber's last ack). The
 * log is the only buffer, so a slow consumer costs no memory here.
 * Owns delivery order and gap reports; must not write the log (acks are the
 * connection's) nor send frames itself (the Outlet does).
 */
import type { DaemonApi, WadEvent } from '../contract/api.js';
import type { SubscribeData } from '../contract/frames.js';
import { eventFrame, gapFrame, syncedFrame } from './frames.js';

/** What the subscription sends through: the connection. */
export interface Outlet {
  /** Sends one frame. Returns false when the connection's send buffer is above its high-water mark. */
  send(frame: string): boolean;
  /** True while delivery must wait for the buffer to drain. */
  readonly paused: boolean;
  /** Delivery failed (log unreadable): the connection reports it. */
  fail(err: unknown): void;
}

interface Cursor {
  /** Next seq to deliver; undefined for a live-only cursor that has seen nothing yet. */
  next: number | undefined;
  /** A log read is running. */
  reading: boolean;
  /** Events exist past `next` that were not delivered live: read them from the log. */
  behind: boolean;
  /** Has caught up with the log once (for events:synced). */
  synced: boolean;
}

const PAGE = 256;

export class Subscription {
  readonly #cursors = new Map<string, Cursor>();
  readonly #accounts: ReadonlySet<string> | undefined;
  readonly #types: ReadonlySet<string> | undefined;
  #stopped = false;
  #awaitingSync: Set<string> | undefined = new Set();
  #unfollow: (() => void) | undefined;

  constructor(
    /** The name for durable subscriptions, `live-<n>` otherwise. */
    readonly id: string,
    readonly opts: SubscribeData,
    readonly api: DaemonApi,
    readonly outlet: Outlet,
    /** Accounts the connection may see (token scope). */
    readonly allowed: (account: string) => boolean,
  ) {
    this.#accounts = opts.accounts ? new Set(opts.accounts) : undefined;
    this.#types = opts.types ? new Set(opts.types) : undefined;
  }

  get durable(): boolean {
    return this.opts.name !== undefined;
  }

  /** Does this subscription deliver `ev` (account and type)? */
  covers(ev: WadEvent): boolean {
    return this.#wants(ev.account) && (this.#types === undefined || this.#types.has(ev.type));
  }

  /**
   * Sets up cursors for the accounts that exist now (others, named or not,
   * join with their first event). Synchronous up to the first log read, so a live event that comes
   * right after is already seen by a cursor.
   */
  start(): void {
    // Before the first log read: an account another daemon runs is then published live here from now on.
    this.#unfollow = this.api.followEvents?.(this.opts.accounts);
    const known = this.api.listAccounts().map((a) => a.id);
    // An account named but not (yet) there has no log to read: it joins with its first event.
    const accounts = this.#accounts ? known.filter((a) => this.#accounts!.has(a)) : known;
    const initial = accounts.filter((a) => this.allowed(a));
    const cursors = initial.map((a) => {
      this.#awaitingSync!.add(a);
      return this.#newCursor(a);
    });
    initial.forEach((a, i) => void this.#open(a, cursors[i]!, undefined));
    this.#checkSynced();
  }

  stop(): void {
    this.#stopped = true;
    this.#unfollow?.();
    this.#unfollow = undefined;
    this.#cursors.clear();
  }

  /** A live event, already persisted. */
  onLive(ev: WadEvent): void {
    if (this.#stopped || !this.#wants(ev.account)) return;
    const c = this.#cursors.get(ev.account);
    if (!c) {
      void this.#open(ev.account, this.#newCursor(ev.account), ev);
      return;
    }
    if (c.next === undefined) c.next = ev.seq;
    if (c.reading || c.behind || this.outlet.paused) {
      // The log has it; the read loop picks it up.
      c.behind = true;
      if (!c.reading && !this.outlet.paused) void this.#pump(ev.account, c);
      return;
    }
    if (ev.seq < c.next) return;
    if (ev.seq > c.next) {
      c.behind = true;
      void this.#pump(ev.account, c);
      return;
    }
    c.next = ev.seq + 1;
    if (this.#types === undefined || this.#types.has(ev.type)) this.#deliver(ev);
  }

  /** The connection's buffer drained: serve cursors that fell behind. */
  resume(): void {
    if (this.#stopped) return;
    for (const [account, c] of this.#cursors) if (c.behind && !c.reading) void this.#pump(account, c);
  }

  #wants(account: string): boolean {
    return (this.#accounts === undefined || this.#accounts.has(account)) && this.allowed(account);
  }

  #newCursor(account: string): Cursor {
    const c: Cursor = { next: undefined, reading: true, behind: false, synced: false };
    this.#cursors.set(account, c);
    return c;
  }

  async #open(account: string, c: Cursor, first: WadEvent | undefined): Promise<void> {
    try {
      // A per-account `since` wins over `from` for the accounts it names (a resubscribing client sends both).
      const own = typeof this.opts.since === 'object' ? this.opts.since[account] : undefined;
      const from = own ?? this.opts.from ?? this.opts.since;
      let since = typeof from === 'number' ? from : undefined;
      // since 0: from the oldest event still retained (what is there, without a gap report).
      if (since === 0 || from === 'start') since = await this.api.firstRetainedSeq(account);
      if (from === 'now') {
        // An account that joins with its first event starts at that event; one that logged events while we
        // looked up its next seq starts at the first of them (a live event seen meanwhile set c.next).
        since = first?.seq ?? (await this.api.nextEventSeq(account));
        if (c.next !== undefined && c.next < since) since = c.next;
      }
      if (this.opts.name !== undefined) {
        const acked = await this.api.subscriberCursor(this.opts.name, account);
        // Registers the subscriber (an ack never lowers a cursor) so retention keeps its events; from now on,
        // the backlog is confirmed skipped, so a resubscribe without `from` resumes here and not before.
        if (from === 'now') await this.api.ackEvents(this.opts.name, account, since! - 1);
        else if (acked === 0) await this.api.ackEvents(this.opts.name, account, 0);
        c.next = since ?? acked + 1;
      } else if (since !== undefined) {
        c.next = since;
      } else if (first !== undefined) {
        c.next = first.seq;
      }
    } catch (err) {
      c.reading = false;
      this.outlet.fail(err);
      return;
    }
    c.reading = false;
    if (this.#stopped) return;
    if (c.next === undefined) {
      // Live only, nothing seen yet: caught up by definition.
      this.#markSynced(account, c);
      return;
    }
    c.behind = true;
    await this.#pump(account, c);
  }

  /** Reads the log from c.next until caught up, the outlet pauses, or the subscription stops. */
  async #pump(account: string, c: Cursor): Promise<void> {
    if (c.reading || c.next === undefined) return;
    c.reading = true;
    try {
      for (;;) {
        if (this.#stopped || this.#cursors.get(account) !== c) return;
        if (this.outlet.paused) {
          c.behind = true;
          return;
        }
        c.behind = false;
        const from: number = c.next!;
        const page = await this.api.readEvents(account, from, PAGE);
        if (this.#stopped || this.#cursors.get(account) !== c) return;
        if (page.length > 0 && page[0]!.seq > from) {
          this.#gap(account, from, page[0]!.seq - 1);
          c.next = page[0]!.seq;
        } else if (page.length === 0) {
          const first = await this.api.firstRetainedSeq(account);
          if (first > from && !this.#stopped) {
            // Trimmed past our cursor with nothing left after it: the gap ends before the first retained seq.
            this.#gap(account, from, first - 1);
            c.next = first;
            continue;
          }
        }
        let stoppedEarly = false;
        for (const ev of page) {
          if (ev.seq < c.next!) continue;
          c.next = ev.seq + 1;
          // A gap report (damaged events skipped) goes to every subscriber, whatever types it asked for, as retention gaps do.
          if (this.#types === undefined || this.#types.has(ev.type) || isGapReport(ev)) {
            if (!this.#deliver(ev)) {
              stoppedEarly = true;
              break;
            }
          }
        }
        if (stoppedEarly) {
          c.behind = true;
          return;
        }
        if (page.length < PAGE && !c.behind) {
          this.#markSynced(account, c);
          return;
        }
      }
    } catch (err) {
      c.behind = true;
      this.outlet.fail(err);
    } finally {
      c.reading = false;
    }
  }

  #deliver(ev: WadEvent): boolean {
    return this.outlet.send(eventFrame(ev, this.id));
  }

  #gap(account: string, from: number, to: number): void {
    this.outlet.send(gapFrame(account, from, to, this.id, this.opts.name !== undefined));
  }

  #markSynced(account: string, c: Cursor): void {
    if (c.synced) return;
    c.synced = true;
    if (this.#awaitingSync?.delete(account)) this.#checkSynced();
  }

  #checkSynced(): void {
    const waiting = this.#awaitingSync;
    if (waiting === undefined || waiting.size > 0 || this.#stopped) return;
    this.#awaitingSync = undefined;
    const accounts: Record<string, number> = {};
    for (const [a, c] of this.#cursors) if (c.next !== undefined) accounts[a] = c.next - 1;
    this.outlet.send(syncedFrame(this.id, accounts));
  }
}

function isGapReport(ev: WadEvent): boolean {
  return ev.type === 'error' && typeof ev.data.gap === 'object' && ev.data.gap !== null;
}
