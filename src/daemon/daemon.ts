/**
 * The daemon core: the store, the crypto pool, the supervisor with one child
 * per account (accounts/), the event hub, retention, and the
 * DaemonApi the control plane calls. createDaemon (index.ts) builds and
 * starts one. Owns wiring, the stop order and the daemon-wide requests
 * (accounts, events, webhooks); the requests one account answers are
 * inherited from account-requests.ts; protocol work is the accounts'.
 */
import type { WebVersionKeeper } from './web-version.js';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { IpcServer } from '../ipc/index.js';
import type { HttpServer } from '../http/index.js';
import type { AccountManager } from './accounts/index.js';
import type { CryptoPool } from '../runtime/crypto-pool/index.js';
import type { Supervisor } from '../runtime/supervisor/index.js';
import type { Store } from '../store/index.js';
import type { AccountSummary, DaemonApi, WadEvent, WebhookInfo, WebhookSpec, WebhookTestResult } from '../contract/api.js';
import { Webhooks } from './webhooks/manager.js';
import type { EventHub } from './event-sink.js';
import { EventLog } from './event-log.js';
import type { ClusterEvents } from './cluster-events.js';
import { SharedEventLog } from '../store/index.js';
import { trimAccount } from './retention.js';
import type { ClusterMember } from './cluster/member.js';
import { AccountRequests } from './account-requests.js';

const RETENTION_EVERY_MS = 60_000;

export interface DaemonParts {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly pool: CryptoPool;
  readonly supervisor: Supervisor;
  readonly accounts: AccountManager;
  readonly events: EventHub;
  /** Shared by every account's media transfers (HTTPS agent); closed after the accounts stopped. */
  readonly media?: { close(): void };
  /** The Web build every account announces, fetched daily (web-version.ts). */
  readonly webVersion?: WebVersionKeeper;
  /** This daemon's part in a cluster sharing a PostgreSQL store. */
  readonly cluster?: ClusterMember | undefined;
}

// accounts, store and cluster are AccountRequests' fields: declaring them here again would reset them after super().
export class Daemon extends AccountRequests implements DaemonApi {
  readonly config: Config;
  readonly logger: Logger;
  readonly pool: CryptoPool;
  readonly supervisor: Supervisor;
  readonly events: EventHub;
  readonly webhooks: Webhooks;
  ipc: IpcServer | undefined;
  http: HttpServer | undefined;
  readonly #media: { close(): void } | undefined;
  readonly webVersion: WebVersionKeeper | undefined;
  readonly eventLog: EventLog;
  /** In a cluster: the other daemons' accounts' events, published here live. */
  clusterEvents: ClusterEvents | undefined;
  #retention: ReturnType<typeof setInterval> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(parts: DaemonParts) {
    super(parts.accounts, parts.store, parts.cluster);
    this.config = parts.config;
    this.logger = parts.logger;
    this.pool = parts.pool;
    this.supervisor = parts.supervisor;
    this.events = parts.events;
    this.#media = parts.media;
    this.webVersion = parts.webVersion;
    this.eventLog = new EventLog({ store: this.store, accounts: this.accounts, logger: this.logger, cluster: parts.cluster && { member: parts.cluster, shared: new SharedEventLog(this.store.backend) } });
    // In a cluster each daemon delivers for the accounts it runs, from cursors in the shared store.
    const placement = parts.cluster && { runs: (a: string) => parts.cluster!.held(a), removeSubscriber: (s: string, a: string) => this.eventLog.removeSubscriber(s, a) };
    this.webhooks = new Webhooks(this.store, this, this.config.webhookDelivery, this.logger.child({ component: 'webhooks' }), Date.now, placement);
  }

  /** The control socket's path (where the IPC server listens once started). */
  get socketPath(): string {
    return this.ipc?.socketPath ?? this.config.socket;
  }

  startRetention(): void {
    this.#retention = setInterval(() => void this.trimEvents(), RETENTION_EVERY_MS);
    this.#retention.unref();
  }

  /** One retention pass over every account (also run by the daemon's timer). */
  async trimEvents(now = Date.now()): Promise<number> {
    let n = 0;
    for (const a of this.accounts.list()) {
      if (a.state === 'failed') continue;
      if (this.cluster && this.cluster.held(a.id) === false) continue; // another daemon's to trim
      try {
        // In a cluster consumers ack through any daemon: the cursors are read as stored, not as this one last saw them.
        const cursors = this.cluster ? await this.eventLog.subscribers(a.id) : undefined;
        n += await trimAccount(await this.store.account(a.id), this.config.events.retention, now, cursors);
      } catch (err) {
        this.logger.warn({ err, account: a.id }, 'event retention pass failed');
      }
    }
    return n;
  }

  /** Graceful stop: the control socket, then every account (sockets closed), then the pool and the store. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#retention) clearInterval(this.#retention);
      this.webVersion?.stop();
      await this.http?.close().catch((err: unknown) => this.logger.warn({ err }, 'http API did not close cleanly'));
      await this.ipc?.close().catch((err: unknown) => this.logger.warn({ err }, 'control socket did not close cleanly'));
      this.webhooks.stop();
      await this.clusterEvents?.stop();
      await this.cluster?.stop();
      this.accounts.close();
      // No account starts after this: the boot stops between accounts once the manager is closed.
      await this.accounts.booted;
      await this.supervisor.stop();
      // The accounts' last `stopped` updates are in flight: let them reach the log.
      await this.events.drain();
      // Stopped and written: the other daemons may take the accounts over now, not at expiry.
      await this.cluster?.leave();
      this.#media?.close();
      await this.pool.close();
      await this.store.close();
      this.logger.info({}, 'daemon stopped');
    })();
    return this.#stopping;
  }

  // accounts

  addAccount(id: string, opts: { phone?: string }): Promise<{ pairCode?: string }> {
    return this.accounts.add(id, opts);
  }

  async requestPairCode(id: string, phone: string): Promise<{ pairCode: string }> {
    return { pairCode: await this.accounts.requestPairCode(id, phone) };
  }

  removeAccount(id: string): Promise<void> {
    return this.accounts.remove(id);
  }

  listAccounts(): AccountSummary[] {
    return this.accounts.list();
  }

  accountStatus(id: string): AccountSummary {
    return this.accounts.status(id);
  }

  startAccount(id: string): Promise<void> {
    return this.accounts.start(id);
  }

  stopAccount(id: string): Promise<void> {
    return this.accounts.stop(id);
  }

  restartAccount(id: string): Promise<void> {
    return this.accounts.restart(id);
  }

  logoutAccount(id: string): Promise<void> {
    return this.accounts.logout(id);
  }

  // durable events (event-log.ts; in a cluster, every account's, through any daemon)

  readEvents(account: string, fromSeq: number, limit: number): Promise<WadEvent[]> {
    return this.eventLog.read(account, fromSeq, limit);
  }
  firstRetainedSeq(account: string): Promise<number> {
    return this.eventLog.firstRetainedSeq(account);
  }
  nextEventSeq(account: string): Promise<number> {
    return this.eventLog.nextEventSeq(account);
  }
  eventLogSize(account: string): Promise<number> {
    return this.eventLog.size(account);
  }
  ackEvents(subscriber: string, account: string, seq: number): Promise<void> {
    return this.eventLog.ack(subscriber, account, seq);
  }
  subscriberCursor(subscriber: string, account: string): Promise<number> {
    return this.eventLog.cursor(subscriber, account);
  }
  followEvents(accounts?: readonly string[]): () => void {
    return this.clusterEvents?.follow(accounts) ?? (() => {});
  }

  onEvent(listener: (event: WadEvent) => void): () => void {
    return this.events.onEvent(listener);
  }

  // webhooks

  addWebhook(spec: WebhookSpec): Promise<{ id: string; secret: string }> {
    return this.webhooks.add(spec);
  }
  listWebhooks(): Promise<WebhookInfo[]> {
    return this.webhooks.list();
  }
  removeWebhook(id: string): Promise<void> {
    return this.webhooks.remove(id);
  }
  resumeWebhook(id: string): Promise<void> {
    return this.webhooks.resume(id);
  }
  testWebhook(id: string): Promise<WebhookTestResult> {
    return this.webhooks.test(id);
  }
}
