/**
 * One history chunk's items, gathered, and the store writes they become:
 * chats (what the phone says of each), contacts and push names, LID↔PN
 * mappings, the messages (in `message:new`'s shape, `history: true`) and
 * status posts. All of a chunk goes into one transaction, with the chunk's
 * `history:sync` event and the change of its pending record, so a chunk is
 * either wholly stored or not at all.
 *
 * Chats are stored under the id consumers see: a LID chat whose phone number
 * the chunk names goes under the number (as live messages do).
 */
import type { HistoryChat, HistoryContact, HistoryItem, HistoryMessage } from '../../protocol/history/index.js';
import { isLid, isPn, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { ChatPatch, StoredChatMessage, Transaction } from '../../store/index.js';

export const STATUS_CHAT = 'status@broadcast';

export class ChunkItems {
  readonly chats: HistoryChat[] = [];
  readonly contacts: HistoryContact[] = [];
  readonly messages: HistoryMessage[] = [];
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
        for (const m of item.messages) this.messages.push(m);
        return;
      case 'status':
        this.messages.push({ ...item.message, chat: STATUS_CHAT });
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

/** Queues the chunk's writes into `tx` (pure over the transaction). */
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
  for (const m of items.messages) {
    const chat = m.chat === STATUS_CHAT ? STATUS_CHAT : items.canonical(m.chat);
    const sender = m.sender ? items.canonical(m.sender) : m.sender;
    tx.chatMessages.put({ ...(m as unknown as StoredChatMessage), chat, sender, history: true });
  }
  return { chats: items.chats.length, messages: items.messages.length, contacts: people.size };
}

function isPerson(jid: string): boolean {
  return isPn(jid) || isLid(jid);
}

function chatPatch(c: HistoryChat): ChatPatch {
  const p: { -readonly [K in keyof ChatPatch]: ChatPatch[K] } = {
    historyUnread: { count: c.unreadCount, ...(c.lastMessageAt !== undefined ? { lastMessageAt: c.lastMessageAt } : {}) },
    archived: c.archived,
    pinned: c.pinned,
  };
  if (c.name) p.name = c.name;
  if (c.markedAsUnread !== undefined) p.markedUnread = c.markedAsUnread;
  if (c.pinnedAt !== undefined) p.pinnedAt = c.pinnedAt;
  if (c.mutedUntil !== undefined) p.mutedUntil = c.mutedUntil;
  if (c.lastMessageAt !== undefined) p.lastMessageAt = c.lastMessageAt;
  if (c.ephemeralExpiration !== undefined) p.expiration = c.ephemeralExpiration;
  return p;
}
