/**
 * The daemon core: the store, the crypto pool, the supervisor with one child
 * per account (accounts/), the event hub, retention, and the
 * DaemonApi the control plane calls. createDaemon (index.ts) builds and
 * starts one. Owns wiring and the API's error mapping; protocol work is the
 * accounts'.
 */
import type { NewsletterFollowAction, NewsletterInfo } from '../contract/newsletters.js';
import type { WebVersionKeeper } from './web-version.js';
import type { Logger } from 'pino';
import type { Account } from '../account/account.js';
import { chatJid } from '../account/messaging/index.js';
import type { Config } from '../config/index.js';
import type { IpcServer } from '../ipc/index.js';
import type { HttpServer } from '../http/index.js';
import type { AccountManager } from './accounts/index.js';
import type { CryptoPool } from '../runtime/crypto-pool/index.js';
import type { Supervisor } from '../runtime/supervisor/index.js';
import type { Store } from '../store/index.js';
import type {
  AccountSummary,
  ChatAction,
  ChatInfo,
  ChatListOptions,
  ContactInfo,
  DaemonApi,
  MediaFile,
  GroupAction,
  GroupInfo,
  HistoryRequestResult,
  LabelEdit,
  LabelInfo,
  MediaDownload,
  MessageListOptions,
  OutgoingContent,
  SendOptions,
  StoredMessage,
  WadEvent,
  WebhookInfo,
  WebhookSpec,
  WebhookTestResult,
  GroupInvite,
  GroupJoinRequest,
  GroupInviteMessageRef,
  GroupJoinResult,
  GroupParticipantResult,
  GroupSummary,
  GroupUpdate,
} from '../contract/api.js';
import { Webhooks } from './webhooks/manager.js';
import { inviteLink } from '../account/messaging/group-admin.js';
import type { GroupMetadata } from '../protocol/iq/groups.js';
import { DaemonError } from '../contract/errors.js';
import type { ContactCheckResult, ContactInfoResult, PictureResult, PrivacySetting, PrivacySettings } from '../contract/people.js';
import type { CommunityCreated, CommunityInfo, CommunityLinkResult } from '../contract/communities.js';
import { groupSummary } from './group-views.js';
import { toDaemonError } from './error-map.js';
import type { EventHub } from './event-sink.js';
import { EventLog } from './event-log.js';
import type { ClusterEvents } from './cluster-events.js';
import { SharedEventLog } from '../store/index.js';
import { trimAccount } from './retention.js';
import { chatInfo, contactInfo } from './stored-views.js';
import type { ClusterMember } from './cluster/member.js';

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

export class Daemon implements DaemonApi {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly pool: CryptoPool;
  readonly supervisor: Supervisor;
  readonly accounts: AccountManager;
  readonly events: EventHub;
  readonly webhooks: Webhooks;
  ipc: IpcServer | undefined;
  http: HttpServer | undefined;
  readonly #media: { close(): void } | undefined;
  readonly webVersion: WebVersionKeeper | undefined;
  readonly cluster: ClusterMember | undefined;
  readonly eventLog: EventLog;
  /** In a cluster: the other daemons' accounts' events, published here live. */
  clusterEvents: ClusterEvents | undefined;
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
    this.webVersion = parts.webVersion;
    this.cluster = parts.cluster;
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

  // messaging: the running account's messaging (and media), called by name

  sendMessage(id: string, chat: string, content: OutgoingContent, options: SendOptions = {}): Promise<{ messageId: string }> {
    return this.#call(id, async (a) => {
      const r = await a.messaging.send(chat, content, { idempotencyKey: options.idempotencyKey, audience: options.audience });
      this.accounts.count(id, 'sent');
      return r;
    });
  }
  editMessage(id: string, chat: string, messageId: string, content: string): Promise<{ messageId: string }> {
    return this.#call(id, (a) => a.messaging.edit(chat, messageId, content));
  }
  deleteMessage(id: string, chat: string, messageId: string): Promise<{ messageId: string }> {
    return this.#call(id, (a) => a.messaging.revoke(chat, messageId));
  }
  react(id: string, chat: string, messageId: string, emoji: string): Promise<{ messageId: string }> {
    return this.#call(id, (a) => a.messaging.react(chat, messageId, emoji));
  }
  markRead(id: string, chat: string, messageIds: string[], played = false): Promise<void> {
    return this.#call(id, (a) => a.messaging.markRead(chat, messageIds, played ? 'played' : 'read'));
  }
  sendChatState(id: string, chat: string, state: 'composing' | 'recording' | 'paused'): Promise<void> {
    return this.#call(id, (a) => a.messaging.chatState(chat, state));
  }
  sendPresence(id: string, status: 'available' | 'unavailable'): Promise<void> {
    return this.#call(id, (a) => a.messaging.presence(status));
  }
  downloadMedia(id: string, chat: string, messageId: string): Promise<MediaDownload> {
    return this.#call(id, (a) => a.downloadMedia(chat, messageId));
  }
  createGroup(id: string, subject: string, participants: string[]): Promise<{ jid: string }> {
    return this.#call(id, (a) => a.messaging.createGroup(subject, participants));
  }
  groupMetadata(id: string, group: string): Promise<GroupInfo> {
    return this.#call(id, (a) => a.messaging.groupMetadata(group));
  }
  groupParticipants(id: string, group: string, action: GroupAction, participants: string[]): Promise<GroupParticipantResult[]> {
    return this.#call(id, (a) => a.messaging.groupParticipants(group, action, participants));
  }
  listGroups(id: string): Promise<GroupSummary[]> {
    return this.#call(id, async (a) => (await a.messaging.listGroups()).map(groupSummary));
  }
  updateGroup(id: string, group: string, update: GroupUpdate): Promise<void> {
    return this.#call(id, (a) => a.messaging.updateGroup(group, update));
  }
  groupInvite(id: string, group: string, action: 'get' | 'revoke'): Promise<GroupInvite> {
    return this.#call(id, async (a) => {
      const code = await a.messaging.groupInvite(group, action === 'revoke');
      return { code, link: inviteLink(code) };
    });
  }
  joinGroup(id: string, code: string, invite?: GroupInviteMessageRef): Promise<GroupJoinResult> {
    return this.#call(id, async (a) => {
      const r = invite ? await a.messaging.acceptGroupInvite(code, invite) : await a.messaging.joinGroup(code);
      return r.pending ? { jid: r.jid, pending: true } : { jid: r.jid };
    });
  }
  groupRequests(id: string, group: string, _action: 'list'): Promise<GroupJoinRequest[]> {
    return this.#call(id, async (a) => (await a.messaging.groupJoinRequests(group)).map((r) => ({ jid: r.jid, ...(r.method ? { method: r.method } : {}), ...(r.t !== undefined ? { t: r.t } : {}) })));
  }
  answerGroupRequests(id: string, group: string, action: 'approve' | 'reject', participants: string[]): Promise<Array<{ jid: string; status: number }>> {
    return this.#call(id, (a) => a.messaging.answerGroupJoinRequests(group, action, participants));
  }
  leaveGroup(id: string, group: string): Promise<void> {
    return this.#call(id, (a) => a.messaging.leaveGroup(group));
  }
  createCommunity(id: string, subject: string, description?: string): Promise<CommunityCreated> {
    return this.#call(id, (a) => a.messaging.communities.create(subject, description));
  }
  communityMetadata(id: string, community: string): Promise<CommunityInfo> {
    return this.#call(id, (a) => a.messaging.communities.metadata(community));
  }
  linkCommunityGroups(id: string, community: string, groups: string[], link: boolean): Promise<CommunityLinkResult[]> {
    return this.#call(id, (a) => a.messaging.communities.link(community, groups, link));
  }
  leaveCommunity(id: string, community: string): Promise<string> {
    return this.#call(id, (a) => a.messaging.communities.leave(community));
  }

  // stored chats, contacts and messages: read from the store, so a stopped account answers too

  async listChats(id: string, opts: ChatListOptions): Promise<ChatInfo[]> {
    const store = await this.#readableStore(id);
    return (await store.chats.list(opts)).map(chatInfo);
  }

  async listContacts(id: string): Promise<ContactInfo[]> {
    const store = await this.#readableStore(id);
    return (await store.contacts.list()).map(contactInfo);
  }

  async listMessages(id: string, chat: string, opts: MessageListOptions): Promise<StoredMessage[]> {
    const store = await this.#readableStore(id);
    // A LID chat whose phone number is known is stored under the number (the id consumers see).
    const running = this.accounts.running(id);
    const canonical = running ? await running.messaging.canonicalChat(chat).catch(() => chat) : chat;
    return store.chatMessages.list(canonical, opts);
  }

  async requestHistory(id: string, chat: string, count?: number): Promise<HistoryRequestResult> {
    return this.#call(id, (a) => a.history.request(chat, count));
  }

  /** @throws DaemonError NOT_FOUND, UNAVAILABLE (quarantined) */
  async #readableStore(id: string) {
    const store = await this.#accountStore(id);
    if (!store) throw new DaemonError('UNAVAILABLE', `account ${id} failed: ${this.accounts.failure(id)}`);
    return store;
  }

  // chats, messages and labels through app state

  modifyChat(id: string, chat: string, action: ChatAction, until?: number): Promise<void> {
    return this.#call(id, async (a) => a.appState.actions.modify(chatJid(chat), action, until));
  }
  starMessage(id: string, chat: string, messageId: string, starred: boolean): Promise<void> {
    return this.#call(id, async (a) => a.appState.actions.star(chatJid(chat), messageId, starred));
  }
  deleteMessageForMe(id: string, chat: string, messageId: string): Promise<{ messageId: string }> {
    return this.#call(id, async (a) => {
      await a.appState.actions.deleteForMe(chatJid(chat), messageId);
      return { messageId };
    });
  }
  async listLabels(id: string): Promise<LabelInfo[]> {
    const store = await this.#accountStore(id);
    if (!store) throw new DaemonError('UNAVAILABLE', `account ${id} failed: ${this.accounts.failure(id)}`);
    return (await store.appState.listLabels())
      .filter((l) => !l.deleted)
      .map((l) => ({ id: l.id, name: l.name, color: l.color, ...(l.predefinedId !== undefined ? { predefinedId: l.predefinedId } : {}) }));
  }
  editLabel(id: string, edit: LabelEdit): Promise<{ id: string }> {
    return this.#call(id, (a) => a.appState.actions.editLabel(edit));
  }
  labelChat(id: string, chat: string, labelId: string, labelled: boolean): Promise<void> {
    return this.#call(id, async (a) => a.appState.actions.labelChat(chatJid(chat), labelId, labelled));
  }

  // people: the running account's people side

  checkContacts(id: string, phones: string[]): Promise<ContactCheckResult[]> {
    return this.#call(id, (a) => a.people.checkContacts(phones));
  }
  contactInfo(id: string, jid: string): Promise<ContactInfoResult> {
    return this.#call(id, (a) => a.people.contactInfo(jid));
  }
  contactPicture(id: string, jid: string, preview: boolean): Promise<PictureResult> {
    return this.#call(id, (a) => a.people.contactPicture(jid, preview));
  }
  setProfile(id: string, change: { name?: string; about?: string }): Promise<void> {
    return this.#call(id, (a) => a.people.setProfile(change));
  }
  setProfilePicture(id: string, image: Uint8Array | { path: string } | MediaFile | undefined, group?: string): Promise<{ id?: string }> {
    return this.#call(id, (a) => a.people.setPicture(image, group));
  }
  getPrivacy(id: string): Promise<PrivacySettings> {
    return this.#call(id, (a) => a.people.getPrivacy());
  }
  setPrivacy(id: string, setting: PrivacySetting, value: string): Promise<void> {
    return this.#call(id, (a) => a.people.setPrivacy(setting, value));
  }
  blocklist(id: string): Promise<string[]> {
    return this.#call(id, (a) => a.people.blocklist());
  }
  updateBlock(id: string, jid: string, action: 'block' | 'unblock'): Promise<void> {
    return this.#call(id, (a) => a.people.updateBlock(jid, action));
  }
  subscribePresence(id: string, jid: string): Promise<void> {
    return this.#call(id, (a) => a.messaging.subscribePresence(jid));
  }

  // calls

  rejectCall(id: string, callId: string, from: string): Promise<void> {
    return this.#call(id, (a) => a.calls.reject(callId, from));
  }

  // channels

  createNewsletter(id: string, name: string, description?: string): Promise<NewsletterInfo> {
    return this.#call(id, (a) => a.channels.create(name, description));
  }

  newsletterMetadata(id: string, key: { jid: string } | { invite: string }): Promise<NewsletterInfo> {
    return this.#call(id, (a) => a.channels.metadata(key));
  }

  followNewsletter(id: string, jid: string, action: NewsletterFollowAction): Promise<void> {
    return this.#call(id, (a) => a.channels.follow(jid, action));
  }

  listNewsletters(id: string): Promise<NewsletterInfo[]> {
    return this.#call(id, (a) => a.channels.list());
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

  /** The account's store; undefined when it is quarantined. @throws DaemonError NOT_FOUND */
  async #accountStore(account: string) {
    this.accounts.status(account);
    if (this.accounts.failure(account) !== undefined) return undefined;
    // Another daemon's account changes behind any cache: read it fresh from the shared store each time.
    if (this.cluster && !this.cluster.held(account)) await this.store.closeAccount(account);
    return this.store.account(account);
  }

  /** Runs `fn` on the running account. @throws DaemonError NOT_FOUND, UNAVAILABLE (not running), and what `fn` throws, mapped */
  async #call<R>(id: string, fn: (account: Account) => Promise<R>): Promise<R> {
    this.accounts.status(id);
    const account = this.accounts.running(id);
    if (!account) throw new DaemonError('UNAVAILABLE', `account ${id} is ${this.accounts.status(id).state}`);
    try {
      return await fn(account);
    } catch (err) {
      throw toDaemonError(err);
    }
  }
}
