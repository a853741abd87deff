/**
 * The control plane's side of the accounts' durable event logs: reads by
 * seq, the retained range, and durable subscribers' cursors and acks.
 *
 * Alone, a daemon reads each account through its open store. In a cluster
 * sharing one PostgreSQL store, an account another daemon runs is read
 * straight from the database (its store is not open here, and would be stale),
 * and every cursor, whoever runs the account, is read and moved in the
 * database: a consumer acks through whichever daemon it is connected to, and
 * after a failover reconnects to another one that must see the same cursor.
 *
 * A quarantined (failed) account's log cannot be read: it looks empty here, so a
 * subscription over every account still syncs and delivers the others' events.
 */
import type { Logger } from 'pino';
import type { WadEvent } from '../contract/api.js';
import { DaemonError } from '../contract/errors.js';
import type { SharedEventLog, Store } from '../store/index.js';
import type { AccountManager } from './accounts/index.js';
import type { ClusterMember } from './cluster/index.js';
import { corruptEventGap, toWadEvent } from './event-sink.js';
import type { EventGap, StoredEvent } from '../store/index.js';

const MAX_READ = 1000;

export interface EventLogDeps {
  readonly store: Store;
  readonly accounts: AccountManager;
  readonly logger: Logger;
  /** In a cluster: this daemon's membership and the database's logs. */
  readonly cluster?: { readonly member: ClusterMember; readonly shared: SharedEventLog } | undefined;
}

export class EventLog {
  readonly #deps: EventLogDeps;

  constructor(deps: EventLogDeps) {
    this.#deps = deps;
  }

  /** Events with seq ≥ fromSeq, at most `limit` (≤ 1000); damaged runs become one gap report each. */
  async read(account: string, fromSeq: number, limit: number): Promise<WadEvent[]> {
    const n = Math.max(0, Math.min(MAX_READ, Math.floor(limit)));
    let found: { events: StoredEvent[]; gaps: EventGap[] };
    const shared = this.#sharedFor(account);
    if (shared) found = await shared.readWithGaps(account, fromSeq, n);
    else {
      const store = await this.#accountStore(account);
      if (!store) return [];
      found = await store.events.readWithGaps(fromSeq, n);
    }
    const out = found.events.map((e) => toWadEvent(account, e));
    if (found.gaps.length === 0) return out;
    for (const gap of found.gaps) {
      this.#deps.logger.error({ account, from: gap.from, to: gap.to, reason: gap.reason }, 'damaged events skipped; subscribers are told the gap');
      out.push(corruptEventGap(account, gap));
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async firstRetainedSeq(account: string): Promise<number> {
    const shared = this.#sharedFor(account);
    if (shared) return (await shared.firstSeq(account)) ?? (await shared.lastSeq(account)) + 1;
    const store = await this.#accountStore(account);
    if (!store) return 1;
    return (await store.events.firstSeq()) ?? store.events.lastSeq + 1;
  }

  async nextEventSeq(account: string): Promise<number> {
    const shared = this.#sharedFor(account);
    if (shared) return (await shared.lastSeq(account)) + 1;
    const store = await this.#accountStore(account);
    return store ? store.events.lastSeq + 1 : 1;
  }

  async size(account: string): Promise<number> {
    const shared = this.#sharedFor(account);
    const first = shared ? await shared.firstSeq(account) : await (await this.#accountStore(account))?.events.firstSeq();
    if (first === undefined) return 0;
    return (await this.nextEventSeq(account)) - first;
  }

  /** @throws DaemonError NOT_FOUND, UNAVAILABLE (quarantined, for a seq past 0) */
  async ack(subscriber: string, account: string, seq: number): Promise<void> {
    const cluster = this.#deps.cluster;
    if (cluster && this.#known(account)) {
      await cluster.shared.ack(account, subscriber, seq);
      return;
    }
    const store = await this.#accountStore(account);
    if (!store) {
      if (seq <= 0) return;
      throw new DaemonError('UNAVAILABLE', `account ${account} failed: ${this.#deps.accounts.failure(account)}`);
    }
    await store.transaction((tx) => tx.events.ack(subscriber, seq));
  }

  /** The highest seq `subscriber` acked in the account (0: nothing yet). */
  async cursor(subscriber: string, account: string): Promise<number> {
    const cluster = this.#deps.cluster;
    if (cluster && this.#known(account)) return (await cluster.shared.cursor(account, subscriber)) ?? 0;
    const store = await this.#accountStore(account);
    return store?.events.cursor(subscriber) ?? 0;
  }

  /** Forgets a durable subscriber of the account (a removed webhook). */
  async removeSubscriber(subscriber: string, account: string): Promise<void> {
    const cluster = this.#deps.cluster;
    if (cluster && this.#known(account)) return cluster.shared.removeSubscriber(account, subscriber);
    const store = await this.#accountStore(account);
    await store?.transaction((tx) => tx.events.removeSubscriber(subscriber));
  }

  /** Every durable subscriber's cursor, as retention must see them (in a cluster, as stored now). */
  async subscribers(account: string): Promise<ReadonlyMap<string, number> | undefined> {
    const cluster = this.#deps.cluster;
    if (cluster) return cluster.shared.cursors(account);
    return (await this.#accountStore(account))?.events.subscribers();
  }

  /** The database's log, for an account of a cluster this daemon does not run. @throws DaemonError NOT_FOUND */
  #sharedFor(account: string): SharedEventLog | undefined {
    const cluster = this.#deps.cluster;
    if (!cluster || !this.#known(account) || cluster.member.held(account)) return undefined;
    return cluster.shared;
  }

  /** @throws DaemonError NOT_FOUND */
  #known(account: string): boolean {
    this.#deps.accounts.status(account);
    return this.#deps.accounts.failure(account) === undefined;
  }

  /** The account's store; undefined when it is quarantined. @throws DaemonError NOT_FOUND */
  async #accountStore(account: string) {
    if (!this.#known(account)) return undefined;
    return this.#deps.store.account(account);
  }
}
