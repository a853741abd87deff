/**
 * The messaging side of one account: `new Messaging(deps, options)` holds
 * the stanza handlers the connection actor dispatches to (message, receipt,
 * notification, ack, presence, chatstate) and the operations the daemon API
 * needs per account, one method each: send every kind, edit, revoke, react,
 * vote, mark read, chat states, presence, groups. Sends run in per-chat
 * sender mailboxes (order per chat, chats in parallel) and resolve when the
 * server acked the message.
 *
 * Owns the operations' entry points only; the parts are built in wiring.ts
 * and each lives in the file of its stanza family.
 */
import { randomBytes } from 'node:crypto';
import { buildMessage, editAttribute, messageId, withMessageSecret, type LinkPreview } from '../../protocol/message/index.js';
import type { GroupMetadata, ParticipantAction } from '../../protocol/iq/groups.js';
import { isGroup, isNewsletter, isStatusBroadcast, jidNormalizedUser, STATUS_BROADCAST_JID } from '../../protocol/jid/index.js';
import type { ChatState, PresenceStatus } from '../../protocol/stanza/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { GroupInfo, GroupParticipantResult, GroupUpdate, OutgoingContent, SendResult } from '../../contract/api.js';
import { makePreview, type LinkPreviewMaker } from '../link-preview/maker.js';
import type { JoinRequest, JoinResult } from '../../protocol/iq/group-admin.js';
import { applyGroupUpdate, inviteCodeOf, sendAddInvites } from './group-admin.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { StanzaHandler } from '../ports.js';
import type { Transaction } from '../../store/index.js';
import { Communities } from './communities.js';
import { chatJid, statusAudience, statusChat } from './chat-jid.js';
import { findRef, toMessageContent, type MediaBuilder } from './content.js';
import { eventAnswerMessage, liveLocationTurn, rememberSent } from './addon-sends.js';
import { MessagingError } from './errors.js';
import { IdempotentSends, type Remember } from './idempotency.js';
import type { Identities } from './identity.js';
import { pollRecord } from './inbound.js';
import { storeOwnSend, storeStatus } from './message-store.js';
import { sendPollVote } from './poll-vote.js';
import type { ProtocolMessageSink } from './message.js';
import { readReceipts } from './receipt.js';
import { messagingStats, wireMessaging, type MessagingParts } from './wiring.js';

export { MessagingError, type MessagingErrorCode } from './errors.js';
export { chatJid, MAX_STATUS_AUDIENCE } from './chat-jid.js';
export type { MediaBuilder } from './content.js';
export type { ProtocolMessageEffect, ProtocolMessageSink } from './message.js';

export interface MessagingOptions {
  readonly now?: () => number;
  readonly ackTimeoutMs?: number;
  readonly deviceTtlMs?: number;
  readonly media?: MediaBuilder;
  /** Makes link previews (fetching pages, uploading thumbnails); without it only given ones without an image are sent. */
  readonly linkPreviews?: LinkPreviewMaker;
  readonly onProtocolMessage?: (message: proto.IMessage, from: { id: string; author: string; category?: string | undefined }) => void;
  /** Protocol messages whose effect commits with the message (app state keys). */
  readonly protocolSink?: ProtocolMessageSink;
  /** Test seam: forces a decrypt failure for the messages it returns true for. */
  readonly failDecrypt?: (msg: { id: string; author: string }) => boolean;
}

/** What a relay of a built Message carries besides the message. */
interface RelayOptions {
  /** Sends a stored message again under its own id. */
  readonly id?: string;
  readonly edit?: string;
  readonly expiration?: number | undefined;
  /** Writes (an idempotency key's record) added to the send's first batch. */
  readonly remember?: Remember | undefined;
  /** A status post's audience. */
  readonly audience?: readonly string[] | undefined;
  /** A channel media post's upload handle. */
  readonly mediaHandle?: string | undefined;
  /**
   * Runs in the chat's mailbox just before the send: finishes what depends
   * on the chat's earlier sends (a live location update's number) and adds
   * writes to the send's first batch.
   */
  readonly inMailbox?: ((id: string, message: proto.IMessage) => Promise<{ message: proto.IMessage; write: (tx: Transaction) => void }>) | undefined;
}

/** What a channel post may be (its media is uploaded unencrypted). */
const CHANNEL_POSTS: ReadonlySet<string> = new Set(['text', 'poll', 'location', 'contact', 'image', 'video', 'audio', 'document', 'sticker']);

export class Messaging {
  readonly handlers: readonly StanzaHandler[];
  /** Communities: create, link and unlink groups, their tree. */
  readonly communities: Communities;
  readonly #deps: MessagingDeps;
  readonly #now: () => number;
  readonly #media: MediaBuilder | undefined;
  readonly #previews: LinkPreviewMaker | undefined;
  readonly #p: MessagingParts;
  readonly #idempotent: IdempotentSends;
  #closed = false;

  constructor(deps: MessagingDeps, options: MessagingOptions = {}) {
    this.#deps = deps;
    this.#now = options.now ?? Date.now;
    this.#media = options.media;
    this.#previews = options.linkPreviews;
    this.#p = wireMessaging(deps, {
      now: this.#now,
      ackTimeoutMs: options.ackTimeoutMs,
      deviceTtlMs: options.deviceTtlMs,
      onProtocolMessage: options.onProtocolMessage,
      protocolSink: options.protocolSink,
      failDecrypt: options.failDecrypt,
    });
    const p = this.#p;
    this.communities = new Communities(deps, p.groups, () => this.#assertReady(), chatJid);
    this.handlers = [p.receiver, p.receipts, p.notifications, p.channelPosts, p.acks, ...p.presence.handlers];
    this.#idempotent = new IdempotentSends({
      deps,
      now: this.#now,
      resend: async (chat, id, message, expiration) => void (await this.#relay(chat, message, { id, expiration })),
    });
  }

  /**
   * With `idempotencyKey`, at most one message per key (see idempotency.ts).
   * To `status@broadcast` with `audience` (user jids or numbers): a status
   * post that exactly those contacts receive.
   */
  async send(
    chatArg: string,
    content: OutgoingContent,
    opts: { expiration?: number | undefined; idempotencyKey?: string | undefined; audience?: readonly string[] | undefined } = {},
  ): Promise<SendResult> {
    this.#assertReady();
    const status = isStatusBroadcast(chatArg) || opts.audience !== undefined;
    const chat = status ? statusChat(chatArg) : chatJid(chatArg, true);
    const audience = status ? statusAudience(opts.audience) : undefined;
    // A preview is made inside the send, so a repeated idempotency key neither fetches nor uploads again.
    let previewError: string | undefined;
    const once = async (remember?: Remember): Promise<{ messageId: string }> => {
      const made = content.type === 'text' && content.linkPreview ? await makePreview(this.#previews, content.content, content.linkPreview) : {};
      if (made.error !== undefined) {
        previewError = made.error;
        this.#deps.logger.info({ chat, why: made.error }, made.preview ? 'link preview sent without its image' : 'text sent without its link preview');
      }
      return this.#sendOnce(chat, content, opts.expiration, remember, audience, made.preview);
    };
    const sent = opts.idempotencyKey === undefined ? await once() : await this.#idempotent.run(opts.idempotencyKey, chat, once);
    return previewError === undefined ? sent : { ...sent, linkPreviewError: previewError };
  }

  async edit(chatArg: string, id: string, text: string): Promise<{ messageId: string }> {
    this.#assertReady();
    const chat = chatJid(chatArg);
    const target = await findRef(this.#deps, this.#p.ids, chat, id);
    if (!target.fromMe) throw new MessagingError('BAD_CONTENT', 'only our own messages can be edited');
    const message = buildMessage({ type: 'edit', target, text, timestampMs: this.#now() });
    return this.#relay(chat, message, { edit: editAttribute(message, true) });
  }

  async revoke(chatArg: string, id: string): Promise<{ messageId: string }> {
    this.#assertReady();
    const chat = chatJid(chatArg);
    const target = await findRef(this.#deps, this.#p.ids, chat, id);
    const message = buildMessage({ type: 'revoke', target });
    return this.#relay(chat, message, { edit: editAttribute(message, target.fromMe) });
  }

  async react(chatArg: string, id: string, emoji: string): Promise<{ messageId: string }> {
    this.#assertReady();
    return this.#react(chatJid(chatArg, true), id, emoji);
  }

  /** Votes on a poll of the chat (options by name; none withdraws). @throws MessagingError NOT_FOUND (no such poll), BAD_CONTENT (not its options) */
  async vote(chatArg: string, pollId: string, chosen: readonly string[]): Promise<{ messageId: string }> {
    this.#assertReady();
    return this.#vote(chatJid(chatArg), pollId, chosen);
  }

  /** On status@broadcast: read receipts for contacts' statuses, each naming the status's author. */
  async markRead(chatArg: string, messageIds: readonly string[], type: 'read' | 'played' = 'read'): Promise<void> {
    this.#assertReady();
    const chat = isStatusBroadcast(chatArg) ? STATUS_BROADCAST_JID : chatJid(chatArg);
    const senders = new Map<string, string>();
    if (isGroup(chat) || isStatusBroadcast(chat)) {
      for (const id of messageIds) {
        const rec = await this.#deps.store.messages.get(chat, id);
        if (typeof rec?.sender === 'string') senders.set(id, rec.sender);
      }
    }
    for (const node of readReceipts(chat, messageIds, senders, type, Math.floor(this.#now() / 1000))) await this.#deps.port.send(node);
    // Read up to here: the chat list shows nothing unread (as the phone does once a chat is opened).
    const stored = await this.#p.ids.canonicalChat(chat);
    await this.#deps.store.transaction((tx) => tx.chats.patch(stored, { readAt: Math.floor(this.#now() / 1000), markedUnread: false }));
  }

  async chatState(chatArg: string, state: ChatState): Promise<void> {
    this.#assertReady();
    await this.#p.presence.chatState(chatJid(chatArg), state);
  }

  async presence(status: PresenceStatus): Promise<void> {
    this.#assertReady();
    await this.#p.presence.set(status);
  }

  async subscribePresence(jid: string): Promise<void> {
    this.#assertReady();
    await this.#p.presence.subscribe(chatJid(jid));
  }

  async createGroup(subject: string, participants: readonly string[]): Promise<GroupMetadata> {
    this.#assertReady();
    return this.#p.groups.create(subject, participants.map((j) => chatJid(j)));
  }

  async groupMetadata(group: string): Promise<GroupInfo & Omit<GroupMetadata, 'participants' | 'memberAddMode'>> {
    this.#assertReady();
    const meta = await this.#p.groups.metadata(chatJid(group), true);
    return {
      ...meta,
      participants: meta.participants.map((p) => ({
        jid: p.jid,
        ...(p.admin ? { admin: p.admin } : {}),
        ...(p.phoneNumber ? { phoneNumber: p.phoneNumber } : {}),
        ...(p.lid ? { lid: p.lid } : {}),
      })),
      memberAddMode: meta.memberAddMode === 'all_member_add' ? 'all' : 'admin',
    };
  }

  /**
   * Those the server would not add because of their privacy get the group's
   * invite as a message from us (what WhatsApp's apps do), so they can join.
   */
  async groupParticipants(group: string, action: ParticipantAction, participants: readonly string[]): Promise<GroupParticipantResult[]> {
    this.#assertReady();
    const g = chatJid(group);
    const out = await this.#p.groups.participants(g, action, participants.map((j) => chatJid(j)));
    // A removed member must not read what follows: the group's sender key changes, in the chat's order.
    if (action === 'remove' && out.some((r) => r.status === 200)) await this.#p.senders.run(g, () => this.#p.outbound.rotateSenderKey(g));
    return sendAddInvites(out, g, {
      subject: async () => (await this.#p.groups.metadata(g)).subject,
      send: async (to, message) => void (await this.send(to, { type: 'message', message })),
      warn: (err, jid) => this.#deps.logger.warn({ err, group: g, jid }, 'could not send the group invite to someone who cannot be added'),
    });
  }

  async listGroups(): Promise<GroupMetadata[]> {
    this.#assertReady();
    return this.#p.groups.list();
  }

  /** Applies each change given, one IQ each, in a fixed order; the first refusal stops the rest. */
  async updateGroup(group: string, update: GroupUpdate): Promise<void> {
    this.#assertReady();
    await applyGroupUpdate(this.#p.groups, chatJid(group), update);
  }

  async groupInvite(group: string, revoke: boolean): Promise<string> {
    this.#assertReady();
    return this.#p.groups.inviteCode(chatJid(group), revoke);
  }

  async joinGroup(codeOrLink: string): Promise<JoinResult> {
    this.#assertReady();
    return this.#p.groups.join(inviteCodeOf(codeOrLink));
  }

  /** Joins by a group invite message: its code, group, expiry, and the admin who sent it. */
  async acceptGroupInvite(code: string, invite: { group: string; admin: string; expiration: number }): Promise<JoinResult> {
    this.#assertReady();
    const group = chatJid(invite.group);
    await this.#p.groups.acceptInvite(group, inviteCodeOf(code), invite.expiration, chatJid(invite.admin));
    return { jid: group, pending: false };
  }

  async groupJoinRequests(group: string): Promise<JoinRequest[]> {
    this.#assertReady();
    return this.#p.groups.joinRequests(chatJid(group));
  }

  async answerGroupJoinRequests(group: string, action: 'approve' | 'reject', participants: readonly string[]): Promise<Array<{ jid: string; status: number }>> {
    this.#assertReady();
    return this.#p.groups.answerJoinRequests(chatJid(group), action, participants.map((j) => chatJid(j)));
  }

  async leaveGroup(group: string): Promise<void> {
    this.#assertReady();
    await this.#p.groups.leave(chatJid(group));
  }

  /** The one chat id consumers see for a jid (PN for a LID with a known PN). */
  canonicalChat(jid: string): Promise<string> {
    return this.#p.ids.canonicalChat(jid);
  }

  /** Records that a PN and a LID are one contact (sessions move to the LID), as history sync tells. */
  learnLid(pn: string, lid: string): Promise<void> {
    return this.#p.ids.learn(pn, lid);
  }

  /** Sends a protocol message to our own other devices (a peer data request to the phone); resolves once acked. */
  async sendToOwnDevices(message: proto.IMessage): Promise<{ messageId: string }> {
    this.#assertReady();
    return this.#relay(jidNormalizedUser(this.#deps.me().jid), message);
  }

  /** Whether we last told WhatsApp we are available. */
  get available(): boolean {
    return this.#p.presence.available;
  }

  /** PN↔LID knowledge, shared with the account's people side (lookups teach it mappings). */
  get identities(): Pick<Identities, 'learn' | 'pnOf' | 'lidOf'> {
    return this.#p.ids;
  }

  /** Whether a chat is our own ("message yourself"), by PN or LID. */
  isOwnChat(jid: string): boolean {
    return this.#p.ids.isMe(jid);
  }

  /** Counters for account:status: what an operator needs to see a failing account without its logs. */
  stats(): Record<string, number> {
    return messagingStats(this.#p);
  }

  /** Called each time the account comes online (first login and every reconnect). Never throws. */
  online(): void {
    if (this.#closed) return;
    this.#p.presence.renew().catch((err: unknown) => this.#deps.logger.warn({ err }, 'could not renew presence after reconnecting'));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#p.pacer?.close();
    this.#p.senders.close();
    this.#p.acks.close();
  }

  #assertReady(): void {
    if (this.#closed) throw new MessagingError('CLOSED', 'messaging is closed');
    if (!this.#deps.me().jid || !this.#deps.store.creds) throw new MessagingError('NOT_READY', 'the account is not paired');
  }

  /** Sends a built Message through the chat's mailbox; resolves with its id once the server acked it. */
  async #relay(chat: string, built: proto.IMessage, o: RelayOptions = {}): Promise<{ messageId: string }> {
    const { pacer, outbound, senders } = this.#p;
    const id = o.id ?? messageId(this.#deps.me().jid, Math.floor(this.#now() / 1000), randomBytes(16));
    // Every message we author carries its own secret (a stored one sent again keeps the one it has).
    const message = withMessageSecret(built, randomBytes(32));
    const stored = await this.#p.ids.canonicalChat(chat);
    const remember = o.remember?.(id, o.expiration);
    // Our send goes into the message store and the event log with the send's first batch (pending), and is `sent` once acked.
    let publish: (() => void) | undefined;
    // A message sent again under its first id (an idempotent retry) has its events in the log since the first try.
    const again = o.id !== undefined && (await this.#deps.store.sent.get(o.id)) !== undefined;
    let turn: { message: proto.IMessage; write: (tx: Transaction) => void } | undefined;
    const keep = (tx: Transaction): void => {
      remember?.(tx);
      turn?.write(tx);
      publish = storeOwnSend(tx, this.#deps, { id, chat: stored, message: turn?.message ?? message, t: Math.floor(this.#now() / 1000), log: !again });
    };
    await senders.run(chat, async () => {
      // Inside the chat's mailbox: the chat's order holds, and a send waiting for its token delays no other chat's queue.
      await pacer?.take();
      turn = await o.inMailbox?.(id, message);
      try {
        await outbound.relay(chat, id, turn?.message ?? message, { edit: o.edit, expiration: o.expiration, remember: keep, audience: o.audience, mediaHandle: o.mediaHandle });
      } catch (err) {
        if (err instanceof MessagingError && err.serverCode === 429) pacer?.rateLimited();
        // A send that failed after its first batch committed is in the log: live subscribers see it now, not at the next event.
        if (publish && (await this.#deps.store.sent.get(id).catch(() => undefined))) publish();
        throw err;
      }
      pacer?.accepted();
      publish?.();
    });
    await this.#deps.store.transaction((tx) => storeStatus(tx, stored, [id], 'sent')).catch((err: unknown) => this.#deps.logger.warn({ err, id }, 'sent status not stored'));
    return { messageId: id };
  }

  /** One send of any kind; `remember` (an idempotency key's record) rides in its first batch. */
  async #sendOnce(chat: string, content: OutgoingContent, expirationArg: number | undefined, remember?: Remember, audience?: readonly string[], preview?: LinkPreview): Promise<{ messageId: string }> {
    if (audience && ['reaction', 'poll-vote', 'poll', 'event-response', 'pin', 'keep'].includes(content.type)) throw new MessagingError('BAD_CONTENT', `a status cannot be a ${content.type}`);
    if (content.type === 'reaction') return this.#react(chat, content.messageId, content.emoji, remember);
    if (content.type === 'poll-vote') return this.#vote(chat, content.pollId, content.options, remember);
    const deps = this.#deps;
    const { ids, groups } = this.#p;
    if (content.type === 'event-response') {
      return this.#relay(chat, await eventAnswerMessage(deps, ids, chat, content.eventId, content.response, content.extraGuests, this.#now()), { remember });
    }
    // A group's timer is the group's setting (an IQ); no message carries it, so no message id answers it.
    if (content.type === 'disappearing' && isGroup(chat) && !audience) {
      await applyGroupUpdate(groups, chat, { ephemeral: content.expiration });
      return { messageId: '' };
    }
    if (isNewsletter(chat) && !CHANNEL_POSTS.has(content.type)) throw new MessagingError('BAD_CONTENT', `a channel post may be text, media, poll, location or contact, not ${content.type}`);
    // Statuses vanish after a day on their own: no chat timer applies.
    const expiration = audience ? undefined : (expirationArg ?? ((isGroup(chat) ? (await groups.metadata(chat)).ephemeral : (await deps.store.chats.get(await ids.canonicalChat(chat)))?.expiration) || undefined));
    const built = await toMessageContent(deps, ids, chat, content, this.#media, this.#now(), preview);
    let message: proto.IMessage;
    try {
      message = buildMessage(built, { expiration, viewOnce: 'viewOnce' in content ? content.viewOnce : undefined });
    } catch (err) {
      throw new MessagingError('BAD_CONTENT', (err as Error).message, { cause: err });
    }
    const inMailbox = content.type === 'live-location' ? (id: string, m: proto.IMessage) => liveLocationTurn(deps, chat, content.messageId, id, m, this.#now()) : undefined;
    const sent = await this.#relay(chat, message, { expiration, remember, audience, edit: built.type === 'pin' ? editAttribute(message, true) : undefined, mediaHandle: built.mediaHandle, inMailbox });
    await rememberSent(deps, chat, built, sent.messageId, this.#now());
    if (built.type === 'disappearing' && !isGroup(chat)) {
      const canonical = await ids.canonicalChat(chat);
      await deps.store.transaction((tx) => tx.chats.put(canonical, { expiration: built.expiration }));
    }
    if (built.type === 'poll') {
      const me = deps.me();
      const creators = [jidNormalizedUser(me.jid), jidNormalizedUser(me.lid)].filter((j) => j !== '');
      await deps.store.transaction((tx) => tx.messages.put(chat, sent.messageId, { ...pollRecord(built.options, built.messageSecret, creators), fromMe: true, t: Math.floor(this.#now() / 1000) }));
    }
    return sent;
  }

  async #react(chat: string, id: string, emoji: string, remember?: Remember): Promise<{ messageId: string }> {
    if (isNewsletter(chat)) return this.#reactToChannelPost(chat, id, emoji);
    const target = await findRef(this.#deps, this.#p.ids, chat, id);
    return this.#relay(chat, buildMessage({ type: 'reaction', target, emoji, senderTimestampMs: this.#now() }), { remember });
  }

  /** Channel reactions name the post by the server's number, kept with the stored post. @throws MessagingError NOT_FOUND */
  async #reactToChannelPost(chat: string, id: string, emoji: string): Promise<{ messageId: string }> {
    const post = await this.#deps.store.chatMessages.get(chat, id);
    const serverId = post?.serverId;
    if (typeof serverId !== 'string') throw new MessagingError('NOT_FOUND', `no channel post ${id} with a server id in ${chat}`);
    const reactionId = messageId(this.#deps.me().jid, Math.floor(this.#now() / 1000), randomBytes(16));
    await this.#p.senders.run(chat, () => this.#p.outbound.reactToChannelPost(chat, reactionId, serverId, emoji));
    return { messageId: reactionId };
  }

  #vote(chat: string, pollId: string, chosen: readonly string[], remember?: Remember): Promise<{ messageId: string }> {
    return sendPollVote({ deps: this.#deps, ids: this.#p.ids, now: this.#now, relay: (c, m) => this.#relay(c, m, { remember }) }, chat, pollId, chosen);
  }
}
