/**
 * Keeps the message store (what `message:list` and `chat:list` answer) in
 * step with the messages of the account: the writes that go into the same
 * transaction as a message's events. A new message is stored in the shape
 * of its `message:new` data; a reaction, an edit, a revoke, a poll's new
 * tally or a receipt changes the message it names; the chat's unread count
 * follows (up on someone else's message, 0 once we write in the chat, as
 * the phone counts it).
 *
 * Pure over the transaction: no reads (the store applies updates to what is
 * stored at commit), no I/O.
 */
import type { MessageStatus } from '../../protocol/history/index.js';
import type { StoredChatMessage, Transaction, ValueMap } from '../../store/index.js';
import { jidNormalizedUser } from '../../protocol/jid/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { AccountEvent } from '../events.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { interpret } from './inbound.js';

/** Kinds that are changes of another message, or not chat lines at all. */
const NOT_LINES: ReadonlySet<string> = new Set(['reaction', 'poll-vote', 'edit', 'revoke', 'protocol', 'sender-key', 'disappearing']);

const STATUS_RANK: Readonly<Record<string, number>> = { error: 0, pending: 1, sent: 2, delivered: 3, read: 4, played: 5 };

/** Event fields that describe the delivery, not the message. */
const TRANSIENT = ['offline', 'seq'] as const;

interface Reaction {
  sender: string;
  fromMe: boolean;
  emoji: string;
  senderTimestampMs?: number;
}

export interface StoreOptions {
  /** Count someone else's new message as unread (live messages; not our own sends). */
  readonly unread: boolean;
  /** Status of our own new message (`pending` until the server acked it). */
  readonly status?: MessageStatus;
}

/** Queues the message-store writes for the events one message produced. */
export function storeMessageEvents(tx: Transaction, events: readonly AccountEvent[], options: StoreOptions): void {
  for (const ev of events) {
    const d = ev.data as Record<string, unknown>;
    const chat = typeof d.chat === 'string' ? d.chat : ev.conversationId;
    if (!chat) continue;
    if (ev.type === 'message:new') storeNew(tx, chat, d, options);
    else if (ev.type === 'message:deleted' && typeof d.messageId === 'string') {
      tx.chatMessages.update(chat, d.messageId, (m) => {
        const { content: _c, media: _m, quoted: _q, ...rest } = m;
        return { ...rest, deleted: true, ...(typeof d.by === 'string' ? { deletedBy: d.by } : {}) };
      });
    } else if (ev.type === 'message:updated' && typeof d.messageId === 'string') {
      if (d.edited === true && typeof d.content === 'string') {
        const content = d.content;
        tx.chatMessages.update(chat, d.messageId, (m) => ({ ...m, content, edited: true }));
      } else if (d.poll && typeof d.poll === 'object') {
        const tally = (d.poll as ValueMap).tally;
        if (tally !== undefined) tx.chatMessages.update(chat, d.messageId, (m) => ({ ...m, poll: { ...((m.poll as ValueMap | undefined) ?? {}), tally } }));
      }
    }
  }
}

function storeNew(tx: Transaction, chat: string, d: Record<string, unknown>, options: StoreOptions): void {
  const type = typeof d.type === 'string' ? d.type : undefined;
  const id = typeof d.id === 'string' ? d.id : undefined;
  const t = typeof d.t === 'number' ? d.t : undefined;
  if (type === 'reaction') {
    const r = d.reaction as { target?: { id?: string }; emoji?: string; senderTimestampMs?: number } | undefined;
    const target = r?.target?.id;
    if (!target || typeof d.sender !== 'string') return;
    const reaction: Reaction = { sender: d.sender, fromMe: d.fromMe === true, emoji: r.emoji ?? '' };
    if (r.senderTimestampMs !== undefined) reaction.senderTimestampMs = r.senderTimestampMs;
    tx.chatMessages.update(chat, target, (m) => withReaction(m, reaction));
    return;
  }
  if (!type || !id || t === undefined || NOT_LINES.has(type) || d.undecrypted === true) return;
  const record: Record<string, unknown> = { ...d, chat };
  for (const k of TRANSIENT) delete record[k];
  if (d.fromMe === true && options.status) record.status = options.status;
  tx.chatMessages.put(record as StoredChatMessage);
  if (d.fromMe === true) tx.chats.patch(chat, { readAt: t, markedUnread: false });
  else if (options.unread) tx.chats.patch(chat, { addUnread: 1 });
}

/** One reaction per sender, the latest; an empty one takes it back. */
export function withReaction(m: StoredChatMessage, r: Reaction): StoredChatMessage {
  const list = ((m.reactions as Reaction[] | undefined) ?? []).filter((x) => x.sender !== r.sender);
  const prev = ((m.reactions as Reaction[] | undefined) ?? []).find((x) => x.sender === r.sender);
  if (prev?.senderTimestampMs !== undefined && r.senderTimestampMs !== undefined && prev.senderTimestampMs > r.senderTimestampMs) return m;
  const next = r.emoji === '' ? list : [...list, r];
  const { reactions: _r, ...rest } = m;
  return (next.length > 0 ? { ...rest, reactions: next as unknown as ValueMap[string] } : rest) as StoredChatMessage;
}

/** How far a delivery status is along (-1 for none or an unknown one). */
export function statusRank(status: unknown): number {
  return typeof status === 'string' ? (STATUS_RANK[status] ?? -1) : -1;
}

/**
 * Where a receipt about our message stands before it is applied: in a 1:1
 * chat the message's own status (any of the recipient's devices moves it),
 * in a group or status the participant's (`receipts`, per participant).
 */
export function receiptStepOf(m: StoredChatMessage, by: string, perParticipant: boolean): number {
  if (!perParticipant) return statusRank(m.status);
  const receipts = m.receipts as ValueMap | undefined;
  return statusRank(receipts?.[by]);
}

/** Records a participant's receipt on our group or status message (forward only). */
export function storeParticipantReceipt(tx: Transaction, chat: string, ids: readonly string[], by: string, status: string): void {
  const rank = statusRank(status);
  if (rank < 0) return;
  for (const id of ids) {
    tx.chatMessages.update(chat, id, (m) => {
      if (m.fromMe !== true) return m;
      const receipts = (m.receipts as ValueMap | undefined) ?? {};
      return statusRank(receipts[by]) < rank ? { ...m, receipts: { ...receipts, [by]: status } } : m;
    });
  }
}

/** Moves our message's status forward only (a late `delivered` after `read` changes nothing). */
export function storeStatus(tx: Transaction, chat: string, ids: readonly string[], status: string): void {
  const rank = STATUS_RANK[status];
  if (rank === undefined) return;
  for (const id of ids) {
    tx.chatMessages.update(chat, id, (m) => {
      if (m.fromMe !== true) return m;
      const now = typeof m.status === 'string' ? (STATUS_RANK[m.status] ?? -1) : -1;
      return rank > now ? { ...m, status } : m;
    });
  }
}

/**
 * Our own send, stored as its `message:new` would read had another of our
 * devices sent it (status `pending` until the server acks it); a reaction,
 * edit or revoke of ours changes its target. Its events (`message:new` with
 * `fromMe: true`, or the `message:updated`/`message:deleted` an edit or revoke
 * makes) go into the same transaction, so the event log holds both sides of a
 * chat. Returns their `publish`, for once the transaction has committed.
 * `log: false`: the same message sent again (its events are logged already).
 */
export function storeOwnSend(tx: Transaction, deps: Pick<MessagingDeps, 'me' | 'events'>, send: { id: string; chat: string; message: proto.IMessage; t: number; log?: boolean }): () => void {
  const me = jidNormalizedUser(deps.me().jid);
  const { events } = interpret(send.message, { id: send.id, chat: send.chat, sender: me, senderAlts: [], fromMe: true, t: send.t, offline: false, me: [me] }, undefined);
  storeMessageEvents(tx, events, { unread: false, status: 'pending' });
  // A protocol message for our own devices (a peer data request) is the account's business, as it is received.
  const told = send.log === false ? [] : events.filter((e) => !(e.type === 'message:new' && (e.data as Record<string, unknown>).type === 'protocol'));
  return told.length > 0 ? deps.events.stage(tx, told) : () => undefined;
}
