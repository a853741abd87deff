/**
 * The messaging side of one account: createMessaging(deps) returns
 * the stanza handlers the connection actor dispatches to (message, receipt,
 * notification, ack, presence, chatstate) and the operations the daemon API
 * needs per account: send every kind, edit, revoke, react, mark read, chat
 * states, presence, groups. Sends run in per-chat sender mailboxes (order per
 * chat, chats in parallel) and resolve when the server acked the message.
 *
 * Owns wiring only; each part lives in the file of its stanza family.
 */
import { randomBytes } from 'node:crypto';
import { buildMessage, editAttribute, messageId } from '../../protocol/message/index.js';
import type { GroupMetadata, ParticipantAction } from '../../protocol/iq/groups.js';
import { isGroup, isLid, isPn, jidDecode, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { ChatState, PresenceStatus } from '../../protocol/stanza/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { GroupInfo } from '../../contract/api.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { StanzaHandler } from '../ports.js';
import { AckWaiter } from './acks.js';
import { findRef, toMessageContent, type MediaBuilder, type SendContent } from './content.js';
import { DeviceDirectory } from './devices.js';
import { MessagingError } from './errors.js';
import { Groups } from './groups.js';
import { IdempotentSends, type Remember } from './idempotency.js';
import { Identities } from './identity.js';
import { pollRecord } from './inbound.js';
import { MessageReceiver } from './message.js';
import { NotificationHandler } from './notification.js';
import { Outbound } from './outbound.js';
import { SendPacer } from './pacer.js';
import { sendPollVote } from './poll-vote.js';
import { PresenceService } from './presence.js';
import { readReceipts, ReceiptHandler } from './receipt.js';
import { Retries } from './retry.js';
import { ChatSenders } from './sender.js';
import { SessionCrypto } from './sessions.js';

export { MessagingError, type MessagingErrorCode } from './errors.js';
export type { SendContent, ExtraContent, MediaBuilder } from './content.js';

export interface MessagingOptions {
  readonly now?: () => number;
  readonly ackTimeoutMs?: number;
  readonly deviceTtlMs?: number;
  readonly media?: MediaBuilder;
  readonly onProtocolMessage?: (message: proto.IMessage, from: { id: string; author: string; category?: string | undefined }) => void;
  /** Test seam: forces a decrypt failure for the messages it returns true for. */
  readonly failDecrypt?: (msg: { id: string; author: string }) => boolean;
}

export interface Messaging {
  readonly handlers: readonly StanzaHandler[];
  /** With `idempotencyKey`, at most one message per key (see idempotency.ts). */
  send(chat: string, content: SendContent, options?: { expiration?: number | undefined; idempotencyKey?: string | undefined }): Promise<{ messageId: string }>;
  edit(chat: string, messageId: string, text: string): Promise<{ messageId: string }>;
  revoke(chat: string, messageId: string): Promise<{ messageId: string }>;
  react(chat: string, messageId: string, emoji: string): Promise<{ messageId: string }>;
  /** Votes on a poll of the chat (options by name; none withdraws). @throws MessagingError NOT_FOUND (no such poll), BAD_CONTENT (not its options) */
  vote(chat: string, pollId: string, options: readonly string[]): Promise<{ messageId: string }>;
  markRead(chat: string, messageIds: readonly string[], type?: 'read' | 'played'): Promise<void>;
  chatState(chat: string, state: ChatState): Promise<void>;
  presence(status: PresenceStatus): Promise<void>;
  subscribePresence(jid: string): Promise<void>;
  createGroup(subject: string, participants: readonly string[]): Promise<GroupMetadata>;
  groupMetadata(group: string): Promise<GroupInfo & Omit<GroupMetadata, 'participants'>>;
  groupParticipants(group: string, action: ParticipantAction, participants: readonly string[]): Promise<Array<{ jid: string; status: number }>>;
  /** The one chat id consumers see for a jid (PN for a LID with a known PN). */
  canonicalChat(jid: string): Promise<string>;
  /** Whether a chat is our own ("message yourself"), by PN or LID. */
  isOwnChat(jid: string): boolean;
  /** Counters for account:status: what an operator needs to see a failing account without its logs. */
  stats(): Record<string, number>;
  /** Called each time the account comes online (first login and every reconnect). Never throws. */
  online(): void;
  close(): Promise<void>;
}

/** A chat argument: a user or group JID, or a bare phone number. @throws MessagingError BAD_JID */
export function chatJid(chat: string): string {
  if (/^\+?[0-9]{5,20}$/.test(chat)) return `${chat.replace('+', '')}@s.whatsapp.net`;
  const j = jidNormalizedUser(chat);
  if (!j || !(isPn(j) || isLid(j) || isGroup(j)) || !jidDecode(j)?.user) throw new MessagingError('BAD_JID', `not a user or group jid: ${JSON.stringify(chat)}`);
  return j;
}

export function createMessaging(deps: MessagingDeps, options: MessagingOptions = {}): Messaging {
  const now = options.now ?? Date.now;
  const ids = new Identities(deps);
  const devices = new DeviceDirectory(deps, ids, { ttlMs: options.deviceTtlMs, now });
  const sessions = new SessionCrypto(deps, ids);
  const groups = new Groups(deps, ids);
  const acks = new AckWaiter({ timeoutMs: options.ackTimeoutMs });
  const senders = new ChatSenders();
  const outbound = new Outbound({ deps, ids, devices, sessions, groups, acks, now });
  const retries = new Retries({ deps, sessions, outbound });
  const receiver = new MessageReceiver({
    deps,
    ids,
    devices,
    sessions,
    retries,
    now,
    onProtocolMessage: options.onProtocolMessage,
    failDecrypt: options.failDecrypt,
  });
  const receipts = new ReceiptHandler(deps, ids, retries);
  const notifications = new NotificationHandler({ deps, ids, devices, sessions, groups, outbound, senders });
  const presence = new PresenceService(deps, ids);
  const pacer = deps.sendRate ? new SendPacer(deps.sendRate, { now }) : undefined;
  let closed = false;

  const assertReady = (): void => {
    if (closed) throw new MessagingError('CLOSED', 'messaging is closed');
    if (!deps.me().jid || !deps.store.creds) throw new MessagingError('NOT_READY', 'the account is not paired');
  };

  /**
   * Sends a built Message through the chat's mailbox; resolves with its id once the
   * server acked it. `id` sends a stored message again under its own id;
   * `remember` adds writes to the send's first batch.
   */
  const relay = async (chat: string, message: proto.IMessage, o: { id?: string; edit?: string; expiration?: number | undefined; remember?: Remember } = {}): Promise<{ messageId: string }> => {
    const id = o.id ?? messageId(deps.me().jid, Math.floor(now() / 1000), randomBytes(16));
    await senders.run(chat, async () => {
      // Inside the chat's mailbox: the chat's order holds, and a send waiting for its token delays no other chat's queue.
      await pacer?.take();
      try {
        await outbound.relay(chat, id, message, { edit: o.edit, expiration: o.expiration, remember: o.remember?.(id, o.expiration) });
      } catch (err) {
        if (err instanceof MessagingError && err.serverCode === 429) pacer?.rateLimited();
        throw err;
      }
      pacer?.accepted();
    });
    return { messageId: id };
  };

  const idempotent = new IdempotentSends({
    deps,
    now,
    resend: async (chat, id, message, expiration) => void (await relay(chat, message, { id, expiration })),
  });

  /** One send of any kind; `remember` (an idempotency key's record) rides in its first batch. */
  const sendOnce = async (chat: string, content: SendContent, expirationArg: number | undefined, remember?: Remember): Promise<{ messageId: string }> => {
    if (content.type === 'reaction') return reactOnce(chat, content.messageId, content.emoji, remember);
    if (content.type === 'poll-vote') return voteOnce(chat, content.pollId, content.options, remember);
    const expiration = expirationArg ?? ((isGroup(chat) ? (await groups.metadata(chat)).ephemeral : (await deps.store.chats.get(await ids.canonicalChat(chat)))?.expiration) || undefined);
    const built = await toMessageContent(deps, ids, chat, content, options.media);
    let message: proto.IMessage;
    try {
      message = buildMessage(built, { expiration, viewOnce: 'viewOnce' in content ? content.viewOnce : undefined });
    } catch (err) {
      throw new MessagingError('BAD_CONTENT', (err as Error).message, { cause: err });
    }
    const sent = await relay(chat, message, { expiration, ...(remember ? { remember } : {}) });
    if (built.type === 'disappearing' && !isGroup(chat)) {
      const canonical = await ids.canonicalChat(chat);
      await deps.store.transaction((tx) => tx.chats.put(canonical, { expiration: built.expiration }));
    }
    if (built.type === 'poll') {
      const me = deps.me();
      const creators = [jidNormalizedUser(me.jid), jidNormalizedUser(me.lid)].filter((j) => j !== '');
      await deps.store.transaction((tx) => tx.messages.put(chat, sent.messageId, { ...pollRecord(built.options, built.messageSecret, creators), fromMe: true, t: Math.floor(now() / 1000) }));
    }
    return sent;
  };

  const reactOnce = async (chat: string, id: string, emoji: string, remember?: Remember): Promise<{ messageId: string }> => {
    const target = await findRef(deps, ids, chat, id);
    return relay(chat, buildMessage({ type: 'reaction', target, emoji, senderTimestampMs: now() }), remember ? { remember } : {});
  };

  const voteOnce = (chat: string, pollId: string, chosen: readonly string[], remember?: Remember): Promise<{ messageId: string }> =>
    sendPollVote({ deps, ids, now, relay: (c, m) => relay(c, m, remember ? { remember } : {}) }, chat, pollId, chosen);

  const api: Messaging = {
    handlers: [receiver, receipts, notifications, acks, ...presence.handlers],

    async send(chatArg, content, opts = {}) {
      assertReady();
      const chat = chatJid(chatArg);
      if (opts.idempotencyKey === undefined) return sendOnce(chat, content, opts.expiration);
      return idempotent.run(opts.idempotencyKey, chat, (remember) => sendOnce(chat, content, opts.expiration, remember));
    },

    async edit(chatArg, id, text) {
      assertReady();
      const chat = chatJid(chatArg);
      const target = await findRef(deps, ids, chat, id);
      if (!target.fromMe) throw new MessagingError('BAD_CONTENT', 'only our own messages can be edited');
      const message = buildMessage({ type: 'edit', target, text, timestampMs: now() });
      return relay(chat, message, { edit: editAttribute(message, true) });
    },

    async revoke(chatArg, id) {
      assertReady();
      const chat = chatJid(chatArg);
      const target = await findRef(deps, ids, chat, id);
      const message = buildMessage({ type: 'revoke', target });
      return relay(chat, message, { edit: editAttribute(message, target.fromMe) });
    },

    async react(chatArg, id, emoji) {
      assertReady();
      return reactOnce(chatJid(chatArg), id, emoji);
    },

    async vote(chatArg, pollId, chosen) {
      assertReady();
      return voteOnce(chatJid(chatArg), pollId, chosen);
    },

    async markRead(chatArg, messageIds, type = 'read') {
      assertReady();
      const chat = chatJid(chatArg);
      const senders = new Map<string, string>();
      if (isGroup(chat)) {
        for (const id of messageIds) {
          const rec = await deps.store.messages.get(chat, id);
          if (typeof rec?.sender === 'string') senders.set(id, rec.sender);
        }
      }
      for (const node of readReceipts(chat, messageIds, senders, type, Math.floor(now() / 1000))) await deps.port.send(node);
    },

    async chatState(chatArg, state) {
      assertReady();
      await presence.chatState(chatJid(chatArg), state);
    },

    async presence(status) {
      assertReady();
      await presence.set(status);
    },

    async subscribePresence(jid) {
      assertReady();
      await presence.subscribe(chatJid(jid));
    },

    async createGroup(subject, participants) {
      assertReady();
      return groups.create(subject, participants.map(chatJid));
    },

    async groupMetadata(group) {
      assertReady();
      const meta = await groups.metadata(chatJid(group), true);
      return { ...meta, participants: meta.participants.map((p) => (p.admin ? { jid: p.jid, admin: p.admin } : { jid: p.jid })) };
    },

    async groupParticipants(group, action, participants) {
      assertReady();
      const g = chatJid(group);
      const out = await groups.participants(g, action, participants.map(chatJid));
      if (action === 'remove' && out.some((r) => r.status === 200)) await senders.run(g, () => outbound.rotateSenderKey(g));
      return out;
    },

    canonicalChat: (jid) => ids.canonicalChat(jid),
    isOwnChat: (jid) => ids.isMe(jid),

    stats() {
      const out: Record<string, number> = {
        received: receiver.stats.received,
        duplicates: receiver.stats.duplicates,
        decryptFailures: receiver.stats.failures,
        retryReceiptsSent: retries.stats.receiptsSent,
        retryResends: retries.stats.resends,
        retriesGivenUp: retries.stats.givenUp,
        damagedSessionsDropped: sessions.stats.damagedSessionsDropped,
        senderActors: senders.size,
        sendsWaitingForRate: pacer?.waiting ?? 0,
        sendPausedForMs: pacer?.pausedForMs ?? 0,
      };
      for (const [code, n] of acks.errors) out[`serverError${code}`] = n;
      return out;
    },

    online() {
      if (closed) return;
      presence.renew().catch((err: unknown) => deps.logger.warn({ err }, 'could not renew presence after reconnecting'));
    },

    async close() {
      closed = true;
      pacer?.close();
      senders.close();
      acks.close();
    },
  };
  return api;
}

