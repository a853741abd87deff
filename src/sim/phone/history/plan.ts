/**
 * What the phone sends a new companion, and in which order, decided from its
 * history, its policy and what the companion asked for in its DeviceProps:
 *
 *   INITIAL_BOOTSTRAP  every chat's metadata (most recent first), the last
 *                      messages of the most recent chats, the LID↔PN mappings;
 *   INITIAL_STATUS_V3  the status posts of the last 24 hours (they expire then);
 *   PUSH_NAME          the push names the phone knows;
 *   RECENT             the other messages newer than the recent window;
 *   FULL               older ones, only when the companion required a full
 *                      sync (within its days and size limits).
 *
 * Each message goes out once; what is left stays on the phone for on-demand
 * requests, and the last entry of a chat says whether more remain. Also the
 * answer to one on-demand request. Pure: stages build their chunk input
 * only when asked, so a large history is not decoded all at once.
 */
import { webMessageInfo, type HistoryBuildInput, type HistoryChatInput, type HistoryRequest, type HistorySyncTypeName } from '../../../protocol/history/index.js';
import { STATUS_BROADCAST_JID } from '../../../protocol/jid/index.js';
import { proto } from '../../../protocol/proto/index.js';
import type { HistorySyncPolicy } from '../../phone-history.js';
import type { CompanionHistoryConfig } from '../../phone-host.js';
import type { HistoryStore, StoredChat, StoredMessage } from './store.js';

export interface SyncStage {
  syncType: HistorySyncTypeName;
  /** The chunk input (decoded on demand). */
  build(): HistoryBuildInput;
}

const DAY = 86_400;
/** WebMessageInfo.StubType REVOKE. */
const STUB_REVOKE = 1;

/** One stored message as the phone sends it in a chunk (its reactions keyed as the reaction messages were). */
export function wireMessage(chat: string, m: StoredMessage): proto.IWebMessageInfo {
  const info = webMessageInfo({
    id: m.id,
    chat,
    fromMe: m.fromMe,
    t: m.t,
    ...(m.participant ? { participant: m.participant } : {}),
    ...(m.content.length > 0 ? { message: proto.Message.decode(m.content) } : {}),
    ...(m.pushName ? { pushName: m.pushName } : {}),
    ...(m.status ? { status: m.status } : {}),
    ...(m.stub ? { stub: { type: m.stub } } : m.content.length === 0 ? { stub: { type: STUB_REVOKE } } : {}),
  });
  if (m.reactions?.length) {
    info.reactions = m.reactions.map((r) => ({
      key: { remoteJid: chat, fromMe: r.fromMe, id: r.id, ...(r.sender && chat.endsWith('@g.us') ? { participant: r.sender } : {}) },
      text: r.emoji,
      senderTimestampMs: r.t,
    }));
  }
  return info;
}

/** A chat's metadata (and the other identity of a 1:1 chat, when a mapping names it). */
function chatInput(store: HistoryStore, c: StoredChat): HistoryChatInput {
  const input: HistoryChatInput = { jid: c.jid };
  if (c.name) input.name = c.name;
  if (c.unreadCount) input.unreadCount = c.unreadCount;
  if (c.archived) input.archived = true;
  if (c.pinnedAt) input.pinnedAt = c.pinnedAt;
  if (c.mutedUntil) input.mutedUntil = c.mutedUntil;
  const last = c.messages[c.messages.length - 1];
  if (last) input.lastMessageAt = last.t;
  if (c.jid.endsWith('@s.whatsapp.net')) {
    const lid = store.lidOf(c.jid);
    if (lid) input.lid = lid;
  } else if (c.jid.endsWith('@lid')) {
    const pn = store.pnOf(c.jid);
    if (pn) input.pn = pn;
  }
  return input;
}

/** Messages newest first, as phones send them. */
function newestFirst(jid: string, oldestFirst: StoredMessage[]): proto.IWebMessageInfo[] {
  const out: proto.IWebMessageInfo[] = [];
  for (let i = oldestFirst.length - 1; i >= 0; i--) out.push(wireMessage(jid, oldestFirst[i]!));
  return out;
}

/** The first index at or after which every message is at least `t`. */
function firstAtOrAfter(messages: StoredMessage[], t: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (messages[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Per chat, the messages each stage sends (oldest first). Taken as lists of
 * the stored messages when the sync starts, so messages arriving meanwhile
 * (which reach the companion live) do not shift what a later stage sends.
 */
interface Split {
  chat: StoredChat;
  bootstrap: StoredMessage[];
  recent: StoredMessage[];
  full: StoredMessage[];
  /** Whether older messages stay on the phone after all stages. */
  more: boolean;
}

function splitChats(store: HistoryStore, policy: HistorySyncPolicy, companion: CompanionHistoryConfig | undefined, nowSeconds: number): Split[] {
  const chats = store.chats().sort((a, b) => (b.messages[b.messages.length - 1]?.t ?? 0) - (a.messages[a.messages.length - 1]?.t ?? 0));
  const recentDays = Math.min(policy.recentDays, companion?.recentSyncDaysLimit ?? Infinity);
  const recentCutoff = nowSeconds - recentDays * DAY;
  const full = companion?.requireFullSync === true;
  const fullCutoff = companion?.fullSyncDaysLimit ? nowSeconds - companion.fullSyncDaysLimit * DAY : -Infinity;
  let fullBudget = companion?.fullSyncSizeMbLimit ? companion.fullSyncSizeMbLimit * 1024 * 1024 : Infinity;
  return chats.map((chat, rank) => {
    const list = chat.messages;
    const bootstrapFrom = rank < policy.bootstrapChats ? Math.max(0, list.length - policy.bootstrapMessages) : list.length;
    const recentFrom = Math.min(bootstrapFrom, firstAtOrAfter(list, recentCutoff));
    let fullFrom = recentFrom;
    if (full) {
      // The size limit takes the newest of the older messages first, chat by chat in recency order.
      const floor = firstAtOrAfter(list, fullCutoff);
      while (fullFrom > floor && fullBudget - (list[fullFrom - 1]!.content.length + 32) >= 0) {
        fullFrom--;
        fullBudget -= list[fullFrom]!.content.length + 32;
      }
    }
    return {
      chat,
      bootstrap: list.slice(bootstrapFrom),
      recent: list.slice(recentFrom, bootstrapFrom),
      full: list.slice(fullFrom, recentFrom),
      more: fullFrom > 0,
    };
  });
}

export function planInitialSync(store: HistoryStore, policy: HistorySyncPolicy, companion: CompanionHistoryConfig | undefined, nowSeconds: number): SyncStage[] {
  const splits = splitChats(store, policy, companion, nowSeconds);
  const mappings = store.mappings();
  const pushNames = store.pushNames();
  // The last stage that carries a chat says whether the phone holds more of it.
  const endOf = (s: Split, stage: 'bootstrap' | 'recent' | 'full'): Pick<HistoryChatInput, 'endOfHistory'> => {
    const last = s.full.length > 0 ? 'full' : s.recent.length > 0 ? 'recent' : 'bootstrap';
    return last === stage ? { endOfHistory: s.more ? 'more-on-phone' : 'complete' } : {};
  };
  const stages: SyncStage[] = [
    {
      syncType: 'INITIAL_BOOTSTRAP',
      build: () => ({
        syncType: 'INITIAL_BOOTSTRAP',
        chats: splits.map((s) => ({ ...chatInput(store, s.chat), ...endOf(s, 'bootstrap'), messages: newestFirst(s.chat.jid, s.bootstrap) })),
        mappings,
      }),
    },
  ];
  const statuses = store.statuses().filter((m) => m.t > nowSeconds - DAY);
  if (statuses.length > 0) {
    stages.push({ syncType: 'INITIAL_STATUS_V3', build: () => ({ syncType: 'INITIAL_STATUS_V3', statuses: newestFirst(STATUS_BROADCAST_JID, statuses) }) });
  }
  if (pushNames.length > 0) stages.push({ syncType: 'PUSH_NAME', build: () => ({ syncType: 'PUSH_NAME', pushNames }) });
  // RECENT goes out even when empty: its last chunk (progress 100) tells the companion the recent sync is done.
  stages.push({
    syncType: 'RECENT',
    build: () => ({
      syncType: 'RECENT',
      chats: splits
        .filter((s) => s.recent.length > 0)
        .map((s) => ({ ...chatInput(store, s.chat), ...endOf(s, 'recent'), messages: newestFirst(s.chat.jid, s.recent) })),
    }),
  });
  if (companion?.requireFullSync === true) {
    stages.push({
      syncType: 'FULL',
      build: () => ({
        syncType: 'FULL',
        chats: splits
          .filter((s) => s.full.length > 0)
          .map((s) => ({ ...chatInput(store, s.chat), ...endOf(s, 'full'), messages: newestFirst(s.chat.jid, s.full) })),
      }),
    });
  }
  return stages;
}

/** The chat an on-demand request names, also when it names the other identity of a 1:1 chat. */
function requestedChat(store: HistoryStore, jid: string): StoredChat | undefined {
  const other = jid.endsWith('@lid') ? store.pnOf(jid) : store.lidOf(jid);
  return store.chat(jid) ?? (other ? store.chat(other) : undefined);
}

/**
 * The ON_DEMAND answer: up to `count` messages older than the anchor (found by
 * id, else by time), newest first; the chat says whether older ones remain.
 */
export function planOnDemand(store: HistoryStore, req: HistoryRequest): SyncStage {
  return {
    syncType: 'ON_DEMAND',
    build: () => {
      const chat = requestedChat(store, req.chat);
      if (!chat) return { syncType: 'ON_DEMAND', chats: [{ jid: req.chat, endOfHistory: 'complete', messages: [] }] };
      const at = chat.messages.findIndex((m) => m.id === req.oldestMsgId && m.fromMe === req.oldestMsgFromMe);
      const end = at >= 0 ? at : firstAtOrAfter(chat.messages, req.oldestMsgTimestamp);
      const from = Math.max(0, end - req.count);
      const messages = newestFirst(chat.jid, chat.messages.slice(from, end));
      return {
        syncType: 'ON_DEMAND',
        chats: [{ ...chatInput(store, chat), endOfHistory: from === 0 ? 'complete' : 'more-on-phone-on-demand', messages }],
      };
    },
  };
}
