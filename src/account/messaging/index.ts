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
 * and each lives in the file of its stanza family; a send's content is
 * chosen in content-sends.ts and every send leaves through relay.ts.
 */
import { buildMessage, editAttribute } from '../../protocol/message/index.js';
import type { GroupMetadata, ParticipantAction } from '../../protocol/iq/groups.js';
import { isStatusBroadcast, jidNormalizedUser, STATUS_BROADCAST_JID } from '../../protocol/jid/index.js';
import type { ChatState, PresenceStatus } from '../../protocol/stanza/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { GroupParticipantResult, GroupUpdate, OutgoingContent, SendResult } from '../../contract/api.js';
import { makePreview, type LinkPreviewMaker } from '../link-preview/maker.js';
import type { JoinRequest, JoinResult } from '../../protocol/iq/group-admin.js';
import { applyGroupUpdate, groupInfoOf, inviteCodeOf, sendAddInvites, type GroupInfoWithMetadata } from './group-admin.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { StanzaHandler } from '../ports.js';
import { Communities } from './communities.js';
import { chatJid, statusAudience, statusChat } from './chat-jid.js';
import { findRef, type MediaBuilder } from './content.js';
import { react, sendContent, vote, type ContentContext } from './content-sends.js';
import { MessagingError } from './errors.js';
import { IdempotentSends, type Remember } from './idempotency.js';
import type { Identities } from './identity.js';
import type { ProtocolMessageSink } from './message.js';
import { markChatRead } from './receipt.js';
import { relay, type RelayOptions } from './relay.js';
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


export class Messaging {
  readonly handlers: readonly StanzaHandler[];
  /** Communities: create, link and unlink groups, their tree. */
  readonly communities: Communities;
  readonly #deps: MessagingDeps;
  readonly #now: () => number;
  readonly #previews: LinkPreviewMaker | undefined;
  readonly #p: MessagingParts;
  readonly #idempotent: IdempotentSends;
  /** What the sends need of this account (relay.ts, content-sends.ts). */
  readonly #ctx: ContentContext;
  #closed = false;

  constructor(deps: MessagingDeps, options: MessagingOptions = {}) {
    this.#deps = deps;
    this.#now = options.now ?? Date.now;
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
    this.#ctx = { deps, parts: p, now: this.#now, media: options.media };
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
      return sendContent(this.#ctx, chat, content, opts.expiration, remember, audience, made.preview);
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
    return react(this.#ctx, chatJid(chatArg, true), id, emoji);
  }

  /** Votes on a poll of the chat (options by name; none withdraws). @throws MessagingError NOT_FOUND (no such poll), BAD_CONTENT (not its options) */
  async vote(chatArg: string, pollId: string, chosen: readonly string[]): Promise<{ messageId: string }> {
    this.#assertReady();
    return vote(this.#ctx, chatJid(chatArg), pollId, chosen);
  }

  /** On status@broadcast: read receipts for contacts' statuses, each naming the status's author. */
  async markRead(chatArg: string, messageIds: readonly string[], type: 'read' | 'played' = 'read'): Promise<void> {
    this.#assertReady();
    const chat = isStatusBroadcast(chatArg) ? STATUS_BROADCAST_JID : chatJid(chatArg);
    await markChatRead(this.#deps, this.#p.ids, chat, messageIds, type, this.#now());
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

  async groupMetadata(group: string): Promise<GroupInfoWithMetadata> {
    this.#assertReady();
    return groupInfoOf(await this.#p.groups.metadata(chatJid(group), true));
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
  #relay(chat: string, built: proto.IMessage, o: RelayOptions = {}): Promise<{ messageId: string }> {
    return relay(this.#ctx, chat, built, o);
  }
}
