/**
 * One history chunk's items and the store writes they become: chats (what
 * the phone says of each), contacts and push names, LID↔PN mappings, and the
 * messages (in `message:new`'s shape, `history: true`) and status posts.
 *
 * The small items (chats, people, mappings) are gathered whole; messages are
 * only counted here and staged in batches by the caller, so a chunk's memory
 * does not grow with its message count. Message writes are keyed by chat and
 * id (writing one again changes nothing, counts included), which is what
 * lets them go before the chunk's last batch.
 *
 * Chats are stored under the id consumers see: a LID chat whose phone number
 * the chunk names goes under the number (as live messages do).
 */
import type { HistoryChat, HistoryContact, HistoryItem, HistoryMessage } from '../../protocol/history/index.js';
import { isLid, isPn, jidNormalizedUser, STATUS_BROADCAST_JID } from '../../protocol/jid/index.js';
import type { ChatPatch, StoredChatMessage, Transaction } from '../../store/index.js';

export class ChunkItems {
  readonly chats: HistoryChat[] = [];
  readonly contacts: HistoryContact[] = [];
  /** Messages and status posts seen (they are not kept). */
  messages = 0;
  readonly pushNames: Array<{ jid: string; name: string }> = [];
  readonly mappings: Array<{ lid: string; pn: string }> = [];
  /** LID user jid → PN user jid, from mappings and chats of this chunk. */
  readonly #pnOfLid = new Map<string, string>();

  add(item: HistoryItem): void {
    switch (item.kind) {
      case 'chat':
        this.chats.push(item.chat);
        this.contacts.push(item.contact);
        if (item.chat.pn && isLid(item.chat.jid)) this.#learn(item.chat.jid, item.chat.pn);
        if (item.chat.lid && isPn(item.chat.jid)) this.#learn(item.chat.lid, item.chat.jid);
        return;
      case 'messages':
        this.messages += item.messages.length;
        return;
      case 'status':
        this.messages++;
        return;
      case 'pushName':
        this.pushNames.push({ jid: item.jid, name: item.name });
        return;
      case 'mapping':
        this.#learn(item.lid, item.pn);
        return;
      case 'pastParticipants':
        return;
    }
  }

  #learn(lid: string, pn: string): void {
    const l = jidNormalizedUser(lid);
    const p = jidNormalizedUser(pn);
    if (!isLid(l) || !isPn(p) || this.#pnOfLid.get(l) === p) return;
    this.#pnOfLid.set(l, p);
    this.mappings.push({ lid: l, pn: p });
  }

  /** The id consumers see for a chat or person of this chunk. */
  canonical(jid: string): string {
    const user = jidNormalizedUser(jid) || jid;
    return this.#pnOfLid.get(user) ?? user;
  }
}

/** What one chunk brought, as `history:sync` counts it. */
export interface ChunkCounts {
  readonly chats: number;
  readonly messages: number;
  readonly contacts: number;
}

/** The messages an item carries (status posts under the status chat), none for other kinds. */
export function messagesOf(item: HistoryItem): readonly HistoryMessage[] {
  if (item.kind === 'messages') return item.messages;
  if (item.kind === 'status') return [{ ...item.message, chat: STATUS_BROADCAST_JID }];
  return [];
}

/**
 * Queues a batch of the chunk's messages into `tx`, under the ids consumers
 * see: `items` must hold the whole chunk's mappings, which may come after
 * the messages that use them.
 */
export function stageMessages(tx: Transaction, items: ChunkItems, messages: readonly HistoryMessage[]): void {
  for (const m of messages) {
    const chat = m.chat === STATUS_BROADCAST_JID ? STATUS_BROADCAST_JID : items.canonical(m.chat);
    const sender = m.sender ? items.canonical(m.sender) : m.sender;
    tx.chatMessages.put({ ...(m as unknown as StoredChatMessage), chat, sender, history: true });
  }
}

/** Queues the chunk's chats, people and mappings into `tx` (pure over the transaction). */
export function stageChunk(tx: Transaction, items: ChunkItems): ChunkCounts {
  for (const chat of items.chats) tx.chats.patch(items.canonical(chat.jid), chatPatch(chat));
  const people = new Set<string>();
  for (const c of items.contacts) {
    const jid = items.canonical(c.jid);
    if (!isPerson(jid)) continue;
    const patch: { name?: string; lid?: string; username?: string } = {};
    if (c.name) patch.name = c.name;
    if (c.username) patch.username = c.username;
    const lid = c.lid ?? (isLid(c.jid) ? jidNormalizedUser(c.jid) : undefined);
    if (lid && lid !== jid) patch.lid = lid;
    if (Object.keys(patch).length === 0) continue;
    tx.contacts.patch(jid, patch);
    people.add(jid);
  }
  for (const p of items.pushNames) {
    const jid = items.canonical(p.jid);
    if (!isPerson(jid)) continue;
    tx.contacts.patch(jid, { pushName: p.name });
    people.add(jid);
  }
  for (const m of items.mappings) {
    tx.contacts.patch(m.pn, { lid: m.lid });
    people.add(m.pn);
  }
  return { chats: items.chats.length, messages: items.messages, contacts: people.size };
}

function isPerson(jid: string): boolean {
  return isPn(jid) || isLid(jid);
}

function chatPatch(c: HistoryChat): ChatPatch {
  const p: { -readonly [K in keyof ChatPatch]: ChatPatch[K] } = {
    historyUnread: { count: c.unreadCount, ...(c.lastMessageAt !== undefined ? { lastMessageAt: c.lastMessageAt } : {}) },
    historySettings: {
      archived: c.archived,
      pinned: c.pinned,
      ...(c.pinnedAt !== undefined ? { pinnedAt: c.pinnedAt } : {}),
      ...(c.mutedUntil !== undefined ? { mutedUntil: c.mutedUntil } : {}),
    },
  };
  if (c.name) p.name = c.name;
  if (c.markedAsUnread !== undefined) p.markedUnread = c.markedAsUnread;
  if (c.lastMessageAt !== undefined) p.lastMessageAt = c.lastMessageAt;
  if (c.ephemeralExpiration !== undefined) p.expiration = c.ephemeralExpiration;
  return p;
}
