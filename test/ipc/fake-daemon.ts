/**
 * A DaemonApi for control-plane tests: accounts whose state moves when the
 * test says (link, drop), an in-memory durable event log per account with
 * seqs, named cursors and trimming, and sends that loop back between fake
 * accounts as message:new events. Records every call. Everything the IPC
 * layer needs, nothing of WhatsApp.
 */
import type { NewsletterFollowAction, NewsletterInfo } from '../../src/contract/newsletters.js';
import { readFileSync } from 'node:fs';
import {
  type AccountSummary,
  type ChatAction,
  type ChatInfo,
  type ChatListOptions,
  type ConnectionState,
  type ContactInfo,
  type MessageListOptions,
  type StoredMessage,
  type DaemonApi,
  type EventType,
  type GroupAction,
  type GroupInfo,
  type HistoryRequestResult,
  type LabelEdit,
  type LabelInfo,
  type MediaDownload,
  type OutgoingContent,
  type SendOptions,
  type WadEvent,
  type WebhookInfo,
  type WebhookSpec,
  type WebhookTestResult,
  type GroupInvite,
  type GroupJoinRequest,
  type GroupJoinResult,
  type GroupSummary,
  type GroupUpdate,
} from '../../src/contract/api.js';
import { DaemonError } from '../../src/contract/errors.js';
import type { ContactCheckResult, ContactInfoResult, PictureResult } from '../../src/contract/people.js';
import type { CommunityCreated, CommunityInfo, CommunityLinkResult } from '../../src/contract/communities.js';

interface FakeAccount {
  summary: AccountSummary;
  events: WadEvent[];
  lastSeq: number;
}

export interface FakeOptions {
  /** Link accounts this many ms after their QR (undefined: only when the test calls link()). */
  autoLinkMs?: number;
  /** Delay of every async method, ms. */
  latencyMs?: number;
}

export class FakeDaemon implements DaemonApi {
  readonly accounts = new Map<string, FakeAccount>();
  readonly cursors = new Map<string, number>();
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  /** Media received by sendMessage, as bytes (read from a path when one was given). */
  readonly media: Array<{ account: string; chat: string; bytes: Uint8Array; content: OutgoingContent }> = [];
  readonly #listeners = new Set<(e: WadEvent) => void>();
  #msg = 0;
  /** When set, the next call of that method rejects with it. */
  failNext = new Map<string, Error>();
  /** When set, the next call of that method waits for it (a daemon that dies mid-request). */
  holdNext = new Map<string, Promise<void>>();

  constructor(readonly opts: FakeOptions = {}) {}

  // ---- test controls ------------------------------------------------------

  /** Appends to the log, then publishes (the contract's persist-before-publish order). */
  emit(account: string, type: EventType, data: Record<string, unknown>, conversationId?: string): WadEvent {
    const a = this.#get(account);
    const ev: WadEvent = { account, seq: ++a.lastSeq, type, t: Date.now(), data, ...(conversationId ? { conversationId } : {}) };
    a.events.push(ev);
    for (const l of this.#listeners) l(ev);
    return ev;
  }

  /** The phone scanned the QR: the account goes online. */
  link(id: string, jid = `${1555000000 + this.accounts.size}:2@s.whatsapp.net`): void {
    const a = this.#get(id);
    a.summary = { ...a.summary, state: 'online', jid };
    this.emit(id, 'connection:update', { state: 'online' });
  }

  setState(id: string, state: ConnectionState, reason?: string): void {
    const a = this.#get(id);
    a.summary = { ...a.summary, state, ...(reason ? { reason } : {}) };
    this.emit(id, 'connection:update', { state, ...(reason ? { reason } : {}) });
  }

  /** Deletes events below `belowSeq` (retention). */
  trim(account: string, belowSeq: number): void {
    const a = this.#get(account);
    a.events = a.events.filter((e) => e.seq >= belowSeq);
  }

  /** Creates an online account directly. */
  seed(id: string, jid: string): void {
    this.accounts.set(id, { summary: { id, state: 'online', jid }, events: [], lastSeq: 0 });
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  // ---- DaemonApi ----------------------------------------------------------

  async addAccount(id: string, opts: { phone?: string }): Promise<{ pairCode?: string }> {
    await this.#call('addAccount', [id, opts]);
    if (this.accounts.has(id)) throw new DaemonError('ALREADY_EXISTS', `account ${id} exists`);
    this.accounts.set(id, { summary: { id, state: 'connecting' }, events: [], lastSeq: 0 });
    this.emit(id, 'connection:update', { state: 'connecting' });
    if (opts.phone !== undefined) {
      const pairCode = 'ABCD1234';
      this.#get(id).summary.state = 'qr';
      this.emit(id, 'connection:update', { state: 'qr', pairCode });
      this.#autoLink(id);
      return { pairCode };
    }
    this.#get(id).summary.state = 'qr';
    this.emit(id, 'connection:update', { state: 'qr', qr: `2@ref-${id}-1,noise,identity,adv` });
    setTimeout(() => {
      if (this.accounts.get(id)?.summary.state === 'qr') this.emit(id, 'connection:update', { state: 'qr', qr: `2@ref-${id}-2,noise,identity,adv` });
    }, 5).unref();
    this.#autoLink(id);
    return {};
  }

  async requestPairCode(id: string, phone: string): Promise<{ pairCode: string }> {
    await this.#call('requestPairCode', [id, phone]);
    this.#get(id);
    return { pairCode: 'WXYZ9876' };
  }

  async removeAccount(id: string): Promise<void> {
    await this.#call('removeAccount', [id]);
    this.#get(id);
    this.accounts.delete(id);
  }

  listAccounts(): AccountSummary[] {
    this.calls.push({ method: 'listAccounts', args: [] });
    return [...this.accounts.values()].map((a) => ({ ...a.summary }));
  }

  accountStatus(id: string): AccountSummary {
    this.calls.push({ method: 'accountStatus', args: [id] });
    // Object.assign, not a spread with a field after it: V8 builds that on a slow path, and the control-socket benchmark answers from here.
    return Object.assign({}, this.#get(id).summary, { counters: { starts: 1, 'reconnects:connection lost': 2 } });
  }

  async startAccount(id: string): Promise<void> {
    await this.#call('startAccount', [id]);
    this.setState(id, 'online');
  }

  async stopAccount(id: string): Promise<void> {
    await this.#call('stopAccount', [id]);
    this.setState(id, 'stopped');
  }

  async restartAccount(id: string): Promise<void> {
    await this.#call('restartAccount', [id]);
    this.setState(id, 'connecting');
    this.setState(id, 'online');
  }

  async logoutAccount(id: string): Promise<void> {
    await this.#call('logoutAccount', [id]);
    this.setState(id, 'loggedOut', 'logout');
  }

  async sendMessage(id: string, chat: string, content: OutgoingContent, options?: SendOptions): Promise<{ messageId: string }> {
    await this.#call('sendMessage', options ? [id, chat, content, options] : [id, chat, content]);
    const from = this.#online(id);
    const messageId = `3EB0${(++this.#msg).toString(16).padStart(8, '0').toUpperCase()}`;
    if ('media' in content) {
      const m = content.media;
      let bytes: Uint8Array;
      if (m instanceof Uint8Array) bytes = m;
      else if ('path' in m) bytes = new Uint8Array(readFileSync(m.path));
      else {
        const parts: Uint8Array[] = [];
        for await (const p of 'read' in m ? m.read() : m) parts.push(p);
        bytes = new Uint8Array(Buffer.concat(parts));
      }
      this.media.push({ account: id, chat, bytes, content });
    }
    const text = 'content' in content ? content.content : 'caption' in content ? content.caption : undefined;
    for (const [other, a] of this.accounts) {
      if (a.summary.jid !== undefined && bare(a.summary.jid) === bare(chat) && a.summary.state === 'online') {
        this.emit(other, 'message:new', { id: messageId, chat: bare(from.jid!), sender: bare(from.jid!), fromMe: false, t: Date.now(), type: content.type, ...(text !== undefined ? { content: text } : {}) }, bare(from.jid!));
      }
    }
    return { messageId };
  }

  async editMessage(id: string, chat: string, messageId: string, content: string): Promise<{ messageId: string }> {
    await this.#call('editMessage', [id, chat, messageId, content]);
    this.#online(id);
    return { messageId };
  }

  async deleteMessage(id: string, chat: string, messageId: string): Promise<{ messageId: string }> {
    await this.#call('deleteMessage', [id, chat, messageId]);
    this.#online(id);
    return { messageId };
  }

  async react(id: string, chat: string, messageId: string, emoji: string): Promise<{ messageId: string }> {
    await this.#call('react', [id, chat, messageId, emoji]);
    this.#online(id);
    return { messageId: `R-${messageId}` };
  }

  async modifyChat(id: string, chat: string, action: ChatAction, until?: number): Promise<void> {
    await this.#call('modifyChat', until !== undefined ? [id, chat, action, until] : [id, chat, action]);
    this.#online(id);
  }

  async starMessage(id: string, chat: string, messageId: string, starred: boolean): Promise<void> {
    await this.#call('starMessage', [id, chat, messageId, starred]);
    this.#online(id);
  }

  async deleteMessageForMe(id: string, chat: string, messageId: string): Promise<{ messageId: string }> {
    await this.#call('deleteMessageForMe', [id, chat, messageId]);
    this.#online(id);
    return { messageId };
  }

  async listLabels(id: string): Promise<LabelInfo[]> {
    await this.#call('listLabels', [id]);
    this.#get(id);
    return [];
  }

  async editLabel(id: string, edit: LabelEdit): Promise<{ id: string }> {
    await this.#call('editLabel', [id, edit]);
    this.#online(id);
    return { id: edit.id ?? '1' };
  }

  async labelChat(id: string, chat: string, labelId: string, labelled: boolean): Promise<void> {
    await this.#call('labelChat', [id, chat, labelId, labelled]);
    this.#online(id);
  }

  async markRead(id: string, chat: string, messageIds: string[]): Promise<void> {
    await this.#call('markRead', [id, chat, messageIds]);
    this.#online(id);
  }

  async sendChatState(id: string, chat: string, state: 'composing' | 'recording' | 'paused'): Promise<void> {
    await this.#call('sendChatState', [id, chat, state]);
    this.#online(id);
  }

  async sendPresence(id: string, status: 'available' | 'unavailable'): Promise<void> {
    await this.#call('sendPresence', [id, status]);
    this.#online(id);
  }

  /** What downloadMedia serves, by message id (absent: NOT_FOUND). */
  readonly files = new Map<string, MediaDownload>();

  async downloadMedia(id: string, chat: string, messageId: string): Promise<MediaDownload> {
    await this.#call('downloadMedia', [id, chat, messageId]);
    const file = this.files.get(messageId);
    if (!file) throw new DaemonError('NOT_FOUND', `no media ${messageId}`);
    return file;
  }

  /** What listChats, listContacts and listMessages answer (messages by chat, newest first). */
  readonly chats: ChatInfo[] = [];
  readonly contacts: ContactInfo[] = [];
  readonly messages = new Map<string, StoredMessage[]>();

  async listChats(id: string, opts: ChatListOptions): Promise<ChatInfo[]> {
    await this.#call('listChats', [id, opts]);
    return this.chats.filter((c) => opts.archived === undefined || c.archived === opts.archived).slice(0, opts.limit ?? 1000);
  }

  async listContacts(id: string): Promise<ContactInfo[]> {
    await this.#call('listContacts', [id]);
    return this.contacts;
  }

  async listMessages(id: string, chat: string, opts: MessageListOptions): Promise<StoredMessage[]> {
    await this.#call('listMessages', [id, chat, opts]);
    const all = this.messages.get(chat) ?? [];
    const from = opts.before === undefined ? 0 : all.findIndex((m) => m.id === opts.before) + 1;
    return from === 0 && opts.before !== undefined ? [] : all.slice(from, from + (opts.limit ?? 50));
  }

  async requestHistory(id: string, chat: string, count?: number): Promise<HistoryRequestResult> {
    await this.#call('requestHistory', [id, chat, count]);
    return { requestId: 'REQ1', count: count ?? 50, oldest: 'OLDEST' };
  }

  async createGroup(id: string, subject: string, participants: string[]): Promise<{ jid: string }> {
    await this.#call('createGroup', [id, subject, participants]);
    this.#online(id);
    return { jid: '120363000000000001@g.us' };
  }

  async groupMetadata(id: string, group: string): Promise<GroupInfo> {
    await this.#call('groupMetadata', [id, group]);
    this.#online(id);
    if (!group.endsWith('@g.us')) throw new DaemonError('NOT_FOUND', `no group ${group}`);
    return { jid: group, subject: 'Fake group', owner: this.#get(id).summary.jid, participants: [{ jid: this.#get(id).summary.jid!, admin: 'superadmin' }] };
  }

  async groupParticipants(id: string, group: string, action: GroupAction, participants: string[]): Promise<Array<{ jid: string; status: number }>> {
    await this.#call('groupParticipants', [id, group, action, participants]);
    this.#online(id);
    return participants.map((jid) => ({ jid, status: 200 }));
  }

  // people: numbers ending in an even digit are on WhatsApp; only 15550000001 has a picture

  async checkContacts(id: string, phones: string[]): Promise<ContactCheckResult[]> {
    await this.#call('checkContacts', [id, phones]);
    this.#online(id);
    return phones.map((phone) => (Number(phone.at(-1)) % 2 === 0 ? { phone, exists: true, jid: `${phone}@s.whatsapp.net` } : { phone, exists: false }));
  }

  async contactInfo(id: string, jid: string): Promise<ContactInfoResult> {
    await this.#call('contactInfo', [id, jid]);
    this.#online(id);
    return { jid, about: 'fake about', aboutSetAt: 1_700_000_000, devices: [0] };
  }

  async contactPicture(id: string, jid: string, preview: boolean): Promise<PictureResult> {
    await this.#call('contactPicture', [id, jid, preview]);
    this.#online(id);
    if (jid !== '15550000001@s.whatsapp.net') throw new DaemonError('NOT_FOUND', `${jid} has no picture`);
    return { id: '1', url: 'https://mmg.example/pic', directPath: '/pic', type: preview ? 'preview' : 'image' };
  }

  async rejectCall(id: string, callId: string, from: string): Promise<void> {
    await this.#call('rejectCall', [id, callId, from]);
    this.#online(id);
    if (callId !== 'RINGING') throw new DaemonError('UNAVAILABLE', `call ${callId} is not ringing`);
  }

  async createNewsletter(id: string, name: string, description?: string): Promise<NewsletterInfo> {
    await this.#call('createNewsletter', [id, name, description]);
    this.#online(id);
    return { jid: '120363000000000001@newsletter', name, description: description ?? '', subscribers: 0, verified: false, state: 'ACTIVE', role: 'owner' };
  }

  async newsletterMetadata(id: string, key: { jid: string } | { invite: string }): Promise<NewsletterInfo> {
    await this.#call('newsletterMetadata', [id, key]);
    this.#online(id);
    if ('invite' in key && key.invite !== 'INVITE') throw new DaemonError('NOT_FOUND', 'no such channel');
    return { jid: 'jid' in key ? key.jid : '120363000000000001@newsletter', name: 'n', description: '', subscribers: 1, verified: false, state: 'ACTIVE', role: 'guest' };
  }

  async followNewsletter(id: string, jid: string, action: NewsletterFollowAction): Promise<void> {
    await this.#call('followNewsletter', [id, jid, action]);
    this.#online(id);
  }

  async listNewsletters(id: string): Promise<NewsletterInfo[]> {
    await this.#call('listNewsletters', [id]);
    this.#online(id);
    return [];
  }

  async listGroups(id: string): Promise<GroupSummary[]> {
    await this.#call('listGroups', [id]);
    this.#online(id);
    return [{ jid: '120363000000000001@g.us', subject: 'Fake group', participants: 1 }];
  }

  async updateGroup(id: string, group: string, update: GroupUpdate): Promise<void> {
    await this.#call('updateGroup', [id, group, update]);
    this.#online(id);
  }

  async groupInvite(id: string, group: string, action: 'get' | 'revoke'): Promise<GroupInvite> {
    await this.#call('groupInvite', [id, group, action]);
    this.#online(id);
    const code = action === 'revoke' ? 'FakeRevokedCode000000' : 'FakeInviteCode00000000';
    return { code, link: `https://chat.whatsapp.com/${code}` };
  }

  async joinGroup(id: string, code: string): Promise<GroupJoinResult> {
    await this.#call('joinGroup', [id, code]);
    this.#online(id);
    return { jid: '120363000000000001@g.us' };
  }

  async groupRequests(id: string, group: string, action: 'list'): Promise<GroupJoinRequest[]> {
    await this.#call('groupRequests', [id, group, action]);
    this.#online(id);
    return [];
  }

  async answerGroupRequests(id: string, group: string, action: 'approve' | 'reject', participants: string[]): Promise<Array<{ jid: string; status: number }>> {
    await this.#call('answerGroupRequests', [id, group, action, participants]);
    this.#online(id);
    return participants.map((jid) => ({ jid, status: 200 }));
  }

  async leaveGroup(id: string, group: string): Promise<void> {
    await this.#call('leaveGroup', [id, group]);
    this.#online(id);
  }

  async setProfile(id: string, change: { name?: string; about?: string }): Promise<void> {
    await this.#call('setProfile', [id, change]);
    this.#online(id);
  }

  async setProfilePicture(id: string, image: Uint8Array | { path: string } | unknown, group?: string): Promise<{ id?: string }> {
    await this.#call('setProfilePicture', [id, image, group]);
    this.#online(id);
    return image === undefined ? {} : { id: '2' };
  }

  async getPrivacy(id: string): Promise<Record<string, string>> {
    await this.#call('getPrivacy', [id]);
    this.#online(id);
    return { lastSeen: 'all', readReceipts: 'all' };
  }

  async setPrivacy(id: string, setting: string, value: string): Promise<void> {
    await this.#call('setPrivacy', [id, setting, value]);
    this.#online(id);
  }

  async blocklist(id: string): Promise<string[]> {
    await this.#call('blocklist', [id]);
    this.#online(id);
    return [];
  }

  async updateBlock(id: string, jid: string, action: 'block' | 'unblock'): Promise<void> {
    await this.#call('updateBlock', [id, jid, action]);
    this.#online(id);
  }

  async subscribePresence(id: string, jid: string): Promise<void> {
    await this.#call('subscribePresence', [id, jid]);
    this.#online(id);
  }

  async createCommunity(id: string, subject: string, description?: string): Promise<CommunityCreated> {
    await this.#call('createCommunity', [id, subject, description]);
    this.#online(id);
    return { jid: '120363000000000002@g.us', announcementsJid: '120363000000000003@g.us' };
  }

  async communityMetadata(id: string, community: string): Promise<CommunityInfo> {
    await this.#call('communityMetadata', [id, community]);
    this.#online(id);
    return { jid: community, subject: 'Fake community', participants: [], size: 1, announcementsJid: '120363000000000003@g.us', groups: [{ jid: '120363000000000003@g.us', subject: 'Fake community', isAnnouncements: true }] };
  }

  async linkCommunityGroups(id: string, community: string, groups: string[], link: boolean): Promise<CommunityLinkResult[]> {
    await this.#call('linkCommunityGroups', [id, community, groups, link]);
    this.#online(id);
    return groups.map((jid) => ({ jid, status: 200 }));
  }
  async leaveCommunity(id: string, community: string): Promise<string> {
    await this.#call('leaveCommunity', [id, community]);
    this.#online(id);
    return community;
  }

  async readEvents(account: string, fromSeq: number, limit: number): Promise<WadEvent[]> {
    await this.#call('readEvents', [account, fromSeq, limit], false);
    const a = this.accounts.get(account);
    if (!a) return [];
    const out: WadEvent[] = [];
    for (const e of a.events) {
      if (e.seq >= fromSeq) out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  async firstRetainedSeq(account: string): Promise<number> {
    const a = this.accounts.get(account);
    if (!a) return 1;
    return a.events[0]?.seq ?? a.lastSeq + 1;
  }

  async nextEventSeq(account: string): Promise<number> {
    return (this.accounts.get(account)?.lastSeq ?? 0) + 1;
  }

  async ackEvents(subscriber: string, account: string, seq: number): Promise<void> {
    await this.#call('ackEvents', [subscriber, account, seq], false);
    const k = `${subscriber}\u0000${account}`;
    const last = this.accounts.get(account)?.lastSeq ?? 0;
    this.cursors.set(k, Math.max(this.cursors.get(k) ?? 0, Math.min(seq, last)));
  }

  async subscriberCursor(subscriber: string, account: string): Promise<number> {
    return this.cursors.get(`${subscriber}\u0000${account}`) ?? 0;
  }

  onEvent(listener: (event: WadEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- helpers ------------------------------------------------------------

  // Webhooks are the real daemon's (they post over HTTP): the fake records the calls and keeps a list.
  readonly webhooks: WebhookInfo[] = [];
  async addWebhook(spec: WebhookSpec): Promise<{ id: string; secret: string }> {
    await this.#call('addWebhook', [spec]);
    const id = `wh${this.webhooks.length + 1}`;
    this.webhooks.push({ id, url: spec.url, events: spec.events ?? null, accounts: spec.accounts ?? null, state: 'active', lag: 0, delivered: 0, failures: 0 });
    return { id, secret: spec.secret ?? 'fake-secret' };
  }
  async listWebhooks(): Promise<WebhookInfo[]> {
    return [...this.webhooks];
  }
  async removeWebhook(id: string): Promise<void> {
    await this.#call('removeWebhook', [id]);
    const i = this.webhooks.findIndex((w) => w.id === id);
    if (i < 0) throw new DaemonError('NOT_FOUND', `no webhook ${id}`);
    this.webhooks.splice(i, 1);
  }
  async resumeWebhook(id: string): Promise<void> {
    await this.#call('resumeWebhook', [id]);
    if (!this.webhooks.some((w) => w.id === id)) throw new DaemonError('NOT_FOUND', `no webhook ${id}`);
  }
  async testWebhook(id: string): Promise<WebhookTestResult> {
    await this.#call('testWebhook', [id]);
    if (!this.webhooks.some((w) => w.id === id)) throw new DaemonError('NOT_FOUND', `no webhook ${id}`);
    return { ok: true, status: 200 };
  }

  async eventLogSize(account: string): Promise<number> {
    return this.#get(account).events.length;
  }

  async #call(method: string, args: unknown[], record = true): Promise<void> {
    if (record) this.calls.push({ method, args });
    const fail = this.failNext.get(method);
    if (fail) {
      this.failNext.delete(method);
      throw fail;
    }
    const hold = this.holdNext.get(method);
    if (hold) {
      this.holdNext.delete(method);
      await hold;
    }
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
  }

  #get(id: string): FakeAccount {
    const a = this.accounts.get(id);
    if (!a) throw new DaemonError('NOT_FOUND', `unknown account ${id}`);
    return a;
  }

  #online(id: string): AccountSummary {
    const a = this.#get(id);
    if (a.summary.state !== 'online') throw new DaemonError('UNAVAILABLE', `account ${id} is ${a.summary.state}`);
    return a.summary;
  }

  #autoLink(id: string): void {
    if (this.opts.autoLinkMs === undefined) return;
    setTimeout(() => {
      if (this.accounts.get(id)?.summary.state === 'qr') this.link(id);
    }, this.opts.autoLinkMs).unref();
  }
}

function bare(jid: string): string {
  const [user, server] = jid.split('@');
  return `${user!.split(':')[0]}@${server}`;
}
