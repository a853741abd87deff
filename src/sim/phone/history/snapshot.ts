/**
 * The history's JSON form for --data-dir: compact rows (a message is an
 * array, its content base64) so a phone holding its bound of messages writes
 * in a fraction of a second. Restoring checks the shape and skips rows that
 * do not have it rather than failing the whole simulator.
 */
import type { MessageStatus } from '../../../protocol/history/index.js';
import type { HistorySyncPolicy } from '../../phone-history.js';
import type { HistoryStore, StoredMessage } from './store.js';

export const HISTORY_SNAPSHOT_VERSION = 1;

/** [id, fromMe (1/0), participant or '', t, content base64, pushName or '', status or '', stub or 0] */
type MessageRow = [string, number, string, number, string, string, string, number];

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
  return [m.id, m.fromMe ? 1 : 0, m.participant ?? '', m.t, Buffer.from(m.content).toString('base64'), m.pushName ?? '', m.status ?? '', m.stub ?? 0];
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
  if (!Array.isArray(row) || row.length !== 8) return undefined;
  const [id, fromMe, participant, t, content, pushName, status, stub] = row as MessageRow;
  if (typeof id !== 'string' || !id || typeof t !== 'number' || typeof content !== 'string') return undefined;
  const m: StoredMessage = { id, fromMe: fromMe === 1, t, content: new Uint8Array(Buffer.from(content, 'base64')) };
  if (participant) m.participant = participant;
  if (pushName) m.pushName = pushName;
  if (STATUSES.has(status)) m.status = status as MessageStatus;
  if (stub) m.stub = stub;
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
