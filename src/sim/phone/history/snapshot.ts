/**
 * The history's JSON form for --data-dir: compact rows (a message is an
 * array, its content base64) so a phone holding its bound of messages writes
 * in a fraction of a second. Restoring checks the shape and skips rows that
 * do not have it rather than failing the whole simulator.
 */
import type { MessageStatus } from '../../../protocol/history/index.js';
import type { HistorySyncPolicy } from '../../phone-history.js';
import type { HistoryStore, StoredMessage, StoredReaction } from './store.js';

export const HISTORY_SNAPSHOT_VERSION = 1;

/** [id, fromMe (1/0), sender or '', emoji, t ms] */
type ReactionRow = [string, number, string, string, number];
/** [id, fromMe (1/0), participant or '', t, content base64, pushName or '', status or '', stub or 0, reactions?] */
type MessageRow = [string, number, string, number, string, string, string, number, ReactionRow[]?];

interface ChatRow {
  jid: string;
  name?: string;
  unreadCount: number;
  archived: boolean;
  pinnedAt?: number;
  mutedUntil?: number;
  messages: MessageRow[];
}

export interface HistorySnapshot {
  version: typeof HISTORY_SNAPSHOT_VERSION;
  chats: ChatRow[];
  pushNames: Array<[string, string]>;
  mappings: Array<[string, string]>;
  /** Absent in snapshots from before statuses were kept. */
  statuses?: MessageRow[];
  policy: HistorySyncPolicy;
}

function rowOf(m: StoredMessage): MessageRow {
  const row: MessageRow = [m.id, m.fromMe ? 1 : 0, m.participant ?? '', m.t, Buffer.from(m.content).toString('base64'), m.pushName ?? '', m.status ?? '', m.stub ?? 0];
  if (m.reactions?.length) row.push(m.reactions.map((r): ReactionRow => [r.id, r.fromMe ? 1 : 0, r.sender ?? '', r.emoji, r.t]));
  return row;
}

function reactionOf(row: unknown): StoredReaction[] {
  if (!Array.isArray(row) || row.length !== 5) return [];
  const [id, fromMe, sender, emoji, t] = row as ReactionRow;
  if (typeof id !== 'string' || typeof emoji !== 'string' || !emoji || typeof t !== 'number') return [];
  return [{ id, fromMe: fromMe === 1, ...(sender ? { sender } : {}), emoji, t }];
}

export function snapshotHistory(store: HistoryStore, policy: HistorySyncPolicy): HistorySnapshot {
  return {
    version: HISTORY_SNAPSHOT_VERSION,
    chats: store.chats().map((c) => ({
      jid: c.jid,
      ...(c.name !== undefined ? { name: c.name } : {}),
      unreadCount: c.unreadCount,
      archived: c.archived,
      ...(c.pinnedAt !== undefined ? { pinnedAt: c.pinnedAt } : {}),
      ...(c.mutedUntil !== undefined ? { mutedUntil: c.mutedUntil } : {}),
      messages: c.messages.map(rowOf),
    })),
    pushNames: store.pushNames().map((p) => [p.jid, p.name]),
    mappings: store.mappings().map((m) => [m.lid, m.pn]),
    statuses: store.statuses().map(rowOf),
    policy,
  };
}

function isSnapshot(v: unknown): v is HistorySnapshot {
  const s = v as HistorySnapshot | null;
  return !!s && s.version === HISTORY_SNAPSHOT_VERSION && Array.isArray(s.chats) && Array.isArray(s.pushNames) && Array.isArray(s.mappings);
}

const STATUSES: ReadonlySet<string> = new Set<MessageStatus>(['error', 'pending', 'sent', 'delivered', 'read', 'played']);

function messageOf(row: unknown): StoredMessage | undefined {
  if (!Array.isArray(row) || (row.length !== 8 && row.length !== 9)) return undefined;
  const [id, fromMe, participant, t, content, pushName, status, stub, reactions] = row as MessageRow;
  if (typeof id !== 'string' || !id || typeof t !== 'number' || typeof content !== 'string') return undefined;
  const m: StoredMessage = { id, fromMe: fromMe === 1, t, content: new Uint8Array(Buffer.from(content, 'base64')) };
  if (participant) m.participant = participant;
  if (pushName) m.pushName = pushName;
  if (STATUSES.has(status)) m.status = status as MessageStatus;
  if (stub) m.stub = stub;
  const kept = Array.isArray(reactions) ? reactions.flatMap(reactionOf) : [];
  if (kept.length > 0) m.reactions = kept;
  return m;
}

/** Fills an empty store from a snapshot; answers the policy it held, if any. Malformed rows are skipped; past the store's bounds the oldest go. */
export function restoreHistory(store: HistoryStore, value: unknown): HistorySyncPolicy | undefined {
  if (!isSnapshot(value)) return undefined;
  for (const row of value.chats) {
    if (typeof row?.jid !== 'string' || store.chats().length >= store.limits.chats) continue;
    const chat = store.ensureChat(row.jid);
    store.updateChat(chat, {
      ...(typeof row.name === 'string' ? { name: row.name } : {}),
      unreadCount: typeof row.unreadCount === 'number' ? row.unreadCount : 0,
      archived: row.archived === true,
      ...(typeof row.pinnedAt === 'number' ? { pinnedAt: row.pinnedAt } : {}),
      ...(typeof row.mutedUntil === 'number' ? { mutedUntil: row.mutedUntil } : {}),
    });
    for (const r of Array.isArray(row.messages) ? row.messages : []) {
      const m = messageOf(r);
      if (m) store.add(chat, m);
    }
  }
  for (const [jid, name] of value.pushNames) if (typeof jid === 'string' && typeof name === 'string') tryAdd(() => store.setPushName(jid, name));
  for (const [lid, pn] of value.mappings) if (typeof lid === 'string' && typeof pn === 'string') tryAdd(() => store.setMapping(lid, pn));
  for (const row of Array.isArray(value.statuses) ? value.statuses : []) {
    const m = messageOf(row);
    if (m) store.addStatus(m);
  }
  return typeof value.policy === 'object' && value.policy !== null ? value.policy : undefined;
}

function tryAdd(add: () => void): void {
  try {
    add();
  } catch {
    // Past the bound: the rest of the names are dropped, as a phone with a full table would.
  }
}
