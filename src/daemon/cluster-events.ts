/**
 * In a cluster, the live events of the accounts other daemons run: the shared
 * store announces every committed append (account, seqs first..last, writer;
 * store/cluster/notices.ts), and this daemon reads those events from the log
 * and publishes them on its event hub as if they were its own, so a
 * subscription or an SSE stream on any daemon sees every account. The log is
 * the truth and notices only say where to read: per account the hub knows the
 * highest seq published, each read starts after it, and a notice heard while
 * a read runs only raises where that read stops. After the listening
 * connection comes back, every followed account is read up to its last seq
 * (the notices sent meanwhile are lost), so nothing is skipped.
 *
 * Bounded and batched: at most READERS reads at once, one per account at a
 * time, each up to PAGE events; a burst of notices for one account is one read.
 * Accounts nobody here subscribes to are not read at all (a notice only moves
 * their mark), so an idle daemon costs the database nothing per event.
 *
 * Owns the following of other daemons' accounts; delivery order, gaps and
 * acks stay the subscriptions' (ipc/subscription.ts).
 */
import type { Logger } from 'pino';
import type { WadEvent } from '../contract/api.js';
import type { StoreNotice } from '../store/backend/pg-events.js';
import { NoticeListener } from '../store/cluster/notices.js';
import { SharedEventLog, type KVBackend } from '../store/index.js';
import type { EventHub } from './event-sink.js';

const READERS = 4;
const PAGE = 256;
const RETRY_MS = 1000;
/** Failed reads in a row after which an account's announced events are let go (a removed account's, say). */
const MAX_FAILURES = 15;
/** Accounts whose last seq one resync asks for in one read. */
const RESYNC_BATCH = 1000;

export interface ClusterEventsDeps {
  /** The shared store's database and schema. */
  readonly url: string;
  readonly schema?: string | undefined;
  /** This daemon's id: its own appends are published by its hub at commit. */
  readonly daemonId: string;
  readonly hub: EventHub;
  /** The account's events from a seq, as subscribers get them. */
  readonly read: (account: string, fromSeq: number, limit: number) => Promise<WadEvent[]>;
  /** Each account's last seq in the shared log. */
  readonly lastSeqs: (accounts: readonly string[]) => Promise<ReadonlyMap<string, number>>;
  /** The accounts the cluster has, as this daemon knows them. */
  readonly accounts: () => readonly string[];
  /** A webhook record changed somewhere in the cluster. */
  readonly onWebhooksChanged: () => void;
  readonly logger: Logger;
  /** How often the listening connection is checked (default 10 s). */
  readonly pingMs?: number;
}

export class ClusterEvents {
  readonly #deps: ClusterEventsDeps;
  readonly #listener: NoticeListener;
  /** Subscriptions over every account. */
  #all = 0;
  /** Subscriptions per named account. */
  readonly #some = new Map<string, number>();
  /** Per account, the last seq announced (where its read stops). */
  readonly #target = new Map<string, number>();
  /** Accounts with announced events not yet read, in the order announced. */
  readonly #dirty = new Set<string>();
  readonly #reading = new Set<string>();
  /** Failed reads in a row, per account. */
  readonly #failures = new Map<string, number>();
  #readers = 0;
  #listening = false;
  #stopped = false;

  constructor(deps: ClusterEventsDeps) {
    this.#deps = deps;
    this.#listener = new NoticeListener({
      url: deps.url,
      schema: deps.schema,
      onNotice: (n) => this.#onNotice(n),
      onListening: () => void this.#resync(),
      ...(deps.pingMs !== undefined ? { pingMs: deps.pingMs } : {}),
      onError: (err) => deps.logger.warn({ err: err.message }, 'listening to the cluster\'s events failed (retried)'),
    });
  }

  /** Listens; resolves once listening (or after a first failure, then retried in the background). */
  start(): Promise<void> {
    return this.#listener.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#listener.close();
  }

  /**
   * A subscription here wants these accounts' events live (undefined: every
   * account's). Returns the function that ends it.
   */
  follow(accounts?: readonly string[]): () => void {
    const named = accounts ? [...new Set(accounts)] : undefined;
    if (named) for (const a of named) this.#some.set(a, (this.#some.get(a) ?? 0) + 1);
    else this.#all++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (!named) {
        this.#all--;
        return;
      }
      for (const a of named) {
        const n = (this.#some.get(a) ?? 1) - 1;
        if (n > 0) this.#some.set(a, n);
        else this.#some.delete(a);
      }
    };
  }

  #wanted(account: string): boolean {
    return this.#all > 0 || this.#some.has(account);
  }

  #onNotice(n: StoreNotice): void {
    if (this.#stopped) return;
    if (n.kind === 'webhooks') {
      this.#deps.onWebhooksChanged();
      return;
    }
    // This daemon's own appends: its hub published them when they committed.
    if (n.owner === this.#deps.daemonId) return;
    const hub = this.#deps.hub;
    // A log starting at 1 again: the account was removed and added anew under its id. (The one
    // other way, a late notice of an account's very first append after it moved here, only
    // publishes its events again, which subscribers drop by seq.)
    if (n.first === 1 && (hub.highest(n.account) ?? 0) >= 1) hub.forget(n.account);
    if (!this.#wanted(n.account)) {
      hub.skipTo(n.account, n.last);
      return;
    }
    // First heard of since this daemon started: the announced events are where it starts.
    if (hub.highest(n.account) === undefined) hub.skipTo(n.account, n.first - 1);
    this.#announce(n.account, n.last);
  }

  #announce(account: string, last: number): void {
    if (last > (this.#target.get(account) ?? 0)) this.#target.set(account, last);
    this.#dirty.add(account);
    this.#wake();
  }

  /**
   * Listening (again). The first time, every known account's mark is its last
   * seq (what came before is the log's, read by subscriptions themselves);
   * after a reconnection, the followed accounts are read up to theirs.
   */
  async #resync(): Promise<void> {
    const first = !this.#listening;
    this.#listening = true;
    const hub = this.#deps.hub;
    const accounts = this.#deps.accounts().filter((a) => first || this.#wanted(a) || hub.highest(a) !== undefined);
    try {
      for (let i = 0; i < accounts.length && !this.#stopped; i += RESYNC_BATCH) {
        const lasts = await this.#deps.lastSeqs(accounts.slice(i, i + RESYNC_BATCH));
        for (const [account, last] of lasts) {
          if (first && hub.highest(account) === undefined) hub.skipTo(account, last);
          else if (this.#wanted(account)) this.#announce(account, last);
          else hub.skipTo(account, last);
        }
      }
    } catch (err) {
      this.#deps.logger.warn({ err: (err as Error).message }, 'reading the accounts\' last events after listening failed (retried)');
      this.#listening = !first;
      setTimeout(() => void this.#resync(), RETRY_MS).unref();
    }
    this.#deps.onWebhooksChanged();
  }

  #wake(): void {
    while (this.#readers < READERS && !this.#stopped && this.#next() !== undefined) {
      this.#readers++;
      void this.#drain().finally(() => this.#readers--);
    }
  }

  #next(): string | undefined {
    for (const a of this.#dirty) if (!this.#reading.has(a)) return a;
    return undefined;
  }

  async #drain(): Promise<void> {
    for (let account = this.#next(); account !== undefined && !this.#stopped; account = this.#next()) {
      this.#dirty.delete(account);
      this.#reading.add(account);
      try {
        await this.#catchUp(account);
        this.#failures.delete(account);
      } catch (err) {
        // Also an account another daemon just added, until this one's next cluster round knows it.
        const failures = (this.#failures.get(account) ?? 0) + 1;
        this.#failures.set(account, failures);
        if (failures >= MAX_FAILURES) {
          this.#deps.logger.warn({ err: (err as Error).message, account }, 'another daemon\'s events could not be read: not published live (subscribers read them from the log)');
          this.#deps.hub.skipTo(account, this.#target.get(account) ?? 0);
          this.#failures.delete(account);
        } else {
          setTimeout(() => {
            this.#dirty.add(account);
            this.#wake();
          }, RETRY_MS).unref();
        }
      } finally {
        this.#reading.delete(account);
      }
    }
  }

  /** Publishes the account's events after its mark up to the last one announced. */
  async #catchUp(account: string): Promise<void> {
    const hub = this.#deps.hub;
    for (;;) {
      const target = this.#target.get(account) ?? 0;
      const from = (hub.highest(account) ?? 0) + 1;
      if (from > target || this.#stopped) return;
      if (!this.#wanted(account)) {
        hub.skipTo(account, target);
        return;
      }
      const events = await this.#deps.read(account, from, PAGE);
      if (events.length === 0) {
        // Trimmed, or the account removed: nothing left to publish up to the target.
        hub.skipTo(account, target);
        return;
      }
      hub.publishStored(events);
      hub.skipTo(account, events[events.length - 1]!.seq);
    }
  }
}

/** What of the daemon the feed is wired to (the Daemon itself: named here so this file need not import it). */
export interface ClusterEventsHost {
  readonly store: { readonly backend: KVBackend };
  readonly events: EventHub;
  readonly accounts: { list(): ReadonlyArray<{ readonly id: string }> };
  readonly webhooks: { reload(): Promise<void> };
  readonly logger: Logger;
  readEvents(account: string, fromSeq: number, limit: number): Promise<WadEvent[]>;
}

/** The cluster's events for a daemon sharing a PostgreSQL store, wired to its hub, logs and webhooks. */
export function clusterEventsFor(daemon: ClusterEventsHost, url: string, schema: string | undefined, daemonId: string): ClusterEvents {
  const shared = new SharedEventLog(daemon.store.backend);
  return new ClusterEvents({
    url,
    schema,
    daemonId,
    hub: daemon.events,
    read: (account, from, limit) => daemon.readEvents(account, from, limit),
    lastSeqs: (accounts) => shared.lastSeqs(accounts),
    accounts: () => daemon.accounts.list().map((a) => a.id),
    onWebhooksChanged: () => void daemon.webhooks.reload().catch((err: unknown) => daemon.logger.warn({ err }, 'webhooks not reloaded after a change elsewhere in the cluster')),
    logger: daemon.logger.child({ component: 'cluster-events' }),
  });
}
