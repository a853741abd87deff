/**
 * The daemon core: the store, the crypto pool, the supervisor with one child
 * per account (accounts/), the event hub, retention, and the
 * DaemonApi the control plane calls. createDaemon (index.ts) builds and
 * starts one. Owns wiring and the API's error mapping; protocol work is the
 * accounts'.
 */
import type { Logger } from 'pino';
import type { AccountMessagingApi, MessagingCall } from '../account/messaging-deps.js';
import { ConnectionError } from '../account/errors.js';
import { MessagingError, type MessagingErrorCode } from '../account/messaging/errors.js';
import type { Config } from '../config/index.js';
import type { IpcServer } from '../ipc/index.js';
import type { AccountManager } from './accounts/index.js';
import type { CryptoPool } from '../runtime/crypto-pool/index.js';
import type { Supervisor } from '../runtime/supervisor/index.js';
import { isNoSpace, isWriteFailure, StoreError, type Store } from '../store/index.js';
import type { AccountSummary, DaemonApi, GroupAction, GroupInfo, MediaDownload, OutgoingContent, SendOptions, WadEvent } from '../contract/api.js';
import { DaemonError, type ErrorCode } from '../contract/errors.js';
import { corruptEventGap, toWadEvent, type EventHub } from './event-sink.js';
import { trimAccount } from './retention.js';

const MAX_READ = 1000;
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
}

export class Daemon implements DaemonApi {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly pool: CryptoPool;
  readonly supervisor: Supervisor;
  readonly accounts: AccountManager;
  readonly events: EventHub;
  ipc: IpcServer | undefined;
  readonly #media: { close(): void } | undefined;
  #retention: ReturnType<typeof setInterval> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(parts: DaemonParts) {
    this.config = parts.config;
    this.logger = parts.logger;
    this.store = parts.store;
    this.pool = parts.pool;
    this.supervisor = parts.supervisor;
    this.accounts = parts.accounts;
    this.events = parts.events;
    this.#media = parts.media;
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
      try {
        n += await trimAccount(await this.store.account(a.id), this.config.events.retention, now);
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
      await this.ipc?.close().catch((err: unknown) => this.logger.warn({ err }, 'control socket did not close cleanly'));
      this.accounts.close();
      await this.supervisor.stop();
      // The accounts' last `stopped` updates are in flight: let them reach the log.
      await this.events.drain();
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

  // messaging: forwarded to the account's messaging module

  sendMessage(id: string, chat: string, content: OutgoingContent, options: SendOptions = {}): Promise<{ messageId: string }> {
    return this.#call(id, 'sendMessage', (m) => m.sendMessage?.(chat, content, options));
  }
  editMessage(id: string, chat: string, messageId: string, content: string): Promise<{ messageId: string }> {
    return this.#call(id, 'editMessage', (m) => m.editMessage?.(chat, messageId, content));
  }
  deleteMessage(id: string, chat: string, messageId: string): Promise<{ messageId: string }> {
    return this.#call(id, 'deleteMessage', (m) => m.deleteMessage?.(chat, messageId));
  }
  react(id: string, chat: string, messageId: string, emoji: string): Promise<{ messageId: string }> {
    return this.#call(id, 'react', (m) => m.react?.(chat, messageId, emoji));
  }
  markRead(id: string, chat: string, messageIds: string[]): Promise<void> {
    return this.#call(id, 'markRead', (m) => m.markRead?.(chat, messageIds));
  }
  sendChatState(id: string, chat: string, state: 'composing' | 'recording' | 'paused'): Promise<void> {
    return this.#call(id, 'sendChatState', (m) => m.sendChatState?.(chat, state));
  }
  sendPresence(id: string, status: 'available' | 'unavailable'): Promise<void> {
    return this.#call(id, 'sendPresence', (m) => m.sendPresence?.(status));
  }
  downloadMedia(id: string, chat: string, messageId: string): Promise<MediaDownload> {
    return this.#call(id, 'downloadMedia', (m) => m.downloadMedia?.(chat, messageId));
  }
  createGroup(id: string, subject: string, participants: string[]): Promise<{ jid: string }> {
    return this.#call(id, 'createGroup', (m) => m.createGroup?.(subject, participants));
  }
  groupMetadata(id: string, group: string): Promise<GroupInfo> {
    return this.#call(id, 'groupMetadata', (m) => m.groupMetadata?.(group));
  }
  groupParticipants(id: string, group: string, action: GroupAction, participants: string[]): Promise<Array<{ jid: string; status: number }>> {
    return this.#call(id, 'groupParticipants', (m) => m.groupParticipants?.(group, action, participants));
  }

  // durable events
  //
  // A quarantined (failed) account's log cannot be read: it looks empty here, so a
  // subscription over every account still syncs and delivers the others' events.

  async readEvents(account: string, fromSeq: number, limit: number): Promise<WadEvent[]> {
    const store = await this.#accountStore(account);
    if (!store) return [];
    const { events, gaps } = await store.events.readWithGaps(fromSeq, Math.max(0, Math.min(MAX_READ, Math.floor(limit))));
    const out = events.map((e) => toWadEvent(account, e));
    if (gaps.length === 0) return out;
    for (const gap of gaps) {
      this.logger.error({ account, from: gap.from, to: gap.to, reason: gap.reason }, 'damaged events skipped; subscribers are told the gap');
      out.push(corruptEventGap(account, gap));
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async firstRetainedSeq(account: string): Promise<number> {
    const store = await this.#accountStore(account);
    if (!store) return 1;
    return (await store.events.firstSeq()) ?? store.events.lastSeq + 1;
  }

  async ackEvents(subscriber: string, account: string, seq: number): Promise<void> {
    const store = await this.#accountStore(account);
    if (!store) {
      if (seq <= 0) return;
      throw new DaemonError('UNAVAILABLE', `account ${account} failed: ${this.accounts.failure(account)}`);
    }
    await store.transaction((tx) => tx.events.ack(subscriber, seq));
  }

  async subscriberCursor(subscriber: string, account: string): Promise<number> {
    const store = await this.#accountStore(account);
    return store?.events.cursor(subscriber) ?? 0;
  }

  onEvent(listener: (event: WadEvent) => void): () => void {
    return this.events.onEvent(listener);
  }

  /** The account's store; undefined when it is quarantined. @throws DaemonError NOT_FOUND */
  async #accountStore(account: string) {
    this.accounts.status(account);
    if (this.accounts.failure(account) !== undefined) return undefined;
    return this.store.account(account);
  }

  async #call<K extends MessagingCall, R>(id: string, name: K, fn: (m: AccountMessagingApi) => Promise<R> | undefined): Promise<R> {
    this.accounts.status(id);
    const m = this.accounts.runtime(id)?.messaging;
    if (!m) throw new DaemonError('UNAVAILABLE', `account ${id} is ${this.accounts.status(id).state}`);
    const p = m[name] ? fn(m) : undefined;
    if (!p) throw new DaemonError('UNAVAILABLE', `${name} is not available in this build`);
    try {
      return await p;
    } catch (err) {
      throw toDaemonError(err);
    }
  }
}

/** Maps what an account throws to the contract's codes (DaemonErrors pass through). */
export function toDaemonError(err: unknown): DaemonError {
  if (err instanceof DaemonError) return err;
  if (err instanceof ConnectionError) {
    const code = err.code === 'OVERLOADED' ? 'RATE_LIMITED' : err.code === 'BAD_STANZA' ? 'INVALID_PAYLOAD' : 'UNAVAILABLE';
    return new DaemonError(code, err.message, undefined, { cause: err });
  }
  const storage = storageFailure(err);
  if (storage) return new DaemonError('UNAVAILABLE', storage.message, storage.details, { cause: err });
  if (err instanceof MessagingError) {
    // The server's 429 is the caller's to wait out, like our own pacing refusal.
    const code = err.serverCode === 429 ? 'RATE_LIMITED' : MESSAGING_CODES[err.code];
    const details = {
      messaging: err.code,
      ...(err.serverCode !== undefined ? { serverCode: err.serverCode } : {}),
      ...(err.messageId !== undefined ? { messageId: err.messageId } : {}),
      // A timeout after the stanza left is not a failure to deliver: the caller resends with its idempotency key.
      ...(err.mayHaveBeenDelivered ? { mayHaveBeenDelivered: true } : {}),
    };
    return new DaemonError(code, err.message, details, { cause: err });
  }
  return new DaemonError('INTERNAL_ERROR', err instanceof Error ? err.message : String(err), undefined, { cause: err });
}

/**
 * A write the store refused (the disk is full, an I/O error) is a passing
 * condition, not a bug: the caller may retry once the operator freed space.
 * Found anywhere in the cause chain (a media spool's ENOSPC comes wrapped).
 */
function storageFailure(err: unknown): { message: string; details: Record<string, unknown> } | undefined {
  if (isNoSpace(err)) {
    return { message: `storage full: the daemon's disk has no space left (ENOSPC); nothing was sent`, details: { storage: 'full', errno: 'ENOSPC', ...(err instanceof StoreError ? { store: err.code } : {}) } };
  }
  if (isWriteFailure(err)) return { message: `storage failure: ${err.message}`, details: { storage: 'write-failed', store: err.code } };
  return undefined;
}

/** What a caller can do about each messaging failure, in the contract's terms (the exact cause stays in details.messaging). */
const MESSAGING_CODES: Record<MessagingErrorCode, ErrorCode> = {
  NOT_READY: 'UNAVAILABLE',
  BAD_JID: 'INVALID_PAYLOAD',
  BAD_CONTENT: 'INVALID_PAYLOAD',
  NO_DEVICES: 'NOT_FOUND',
  SERVER_REJECTED: 'UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  ACK_TIMEOUT: 'UNAVAILABLE',
  KEY_REUSED: 'INVALID_PAYLOAD',
  NOT_FOUND: 'NOT_FOUND',
  NOT_MEMBER: 'NOT_MEMBER',
  CLOSED: 'UNAVAILABLE',
};
