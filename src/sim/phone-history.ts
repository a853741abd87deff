/**
 * The contract between the simulator's admin API (admin-history.ts) and a
 * simulated phone's chat history: what the phone holds (every message it sent
 * or received, with its chats, push names and LID↔PN mappings, plus what a
 * test seeds), how it sends that history to a newly linked companion, and what
 * it sent. The phone (src/sim/phone/history/) implements it; the server only
 * routes admin requests to it and persists its snapshot.
 *
 * Times are unix seconds here, as WhatsApp's history carries them.
 */

/** One chat as the admin API lists it. */
export interface HistoryChatView {
  jid: string;
  name?: string;
  unreadCount: number;
  archived: boolean;
  /** When the chat was pinned; absent when it is not. */
  pinnedAt?: number;
  /** -1: muted with no end. */
  mutedUntil?: number;
  lastMessageAt?: number;
  /** Messages held for the chat. */
  messages: number;
}

export interface HistoryView {
  chats: HistoryChatView[];
  /** Messages held, all chats. */
  messages: number;
  pushNames: Array<{ jid: string; name: string }>;
  mappings: Array<{ lid: string; pn: string }>;
  /** Status posts held (GET /phones/:phone/history/status@broadcast lists them). */
  statuses: number;
}

/** One held message, as GET /phones/:phone/history/:chat lists it (newest first). */
export interface HistoryMessageView {
  id: string;
  fromMe: boolean;
  /** The author of someone else's message in a group (user jid). */
  participant?: string;
  t: number;
  /** The text or caption ('' for other kinds). */
  text: string;
  /** The kind, as the protocol core names it (text, image, revoke, …). */
  type: string;
  /** The whole Message as protobuf JSON; absent for a revoked message. */
  message?: Record<string, unknown>;
  pushName?: string;
  status?: string;
  /** One per sender, the latest. */
  reactions?: Array<{ fromMe: boolean; sender?: string; emoji: string }>;
}

/** Totals after a seed. */
export interface HistoryTotals {
  chats: number;
  messages: number;
  pushNames: number;
  mappings: number;
  statuses: number;
}

/**
 * How the phone sends its history to a new companion. The companion's own
 * DeviceProps (recent-sync days, full sync, inline bootstrap) narrow it.
 */
export interface HistorySyncPolicy {
  /** Uncompressed bytes per chunk. */
  chunkBytes: number;
  /** The chats (most recent first) whose last messages go in the initial bootstrap. */
  bootstrapChats: number;
  /** Messages per such chat in the bootstrap. */
  bootstrapMessages: number;
  /** Messages newer than this many days go in RECENT (unless the companion asks for fewer); older ones only in FULL or on demand. */
  recentDays: number;
  /** The bootstrap rides inside its notification when the companion allows it and it compresses to at most this (0: never). */
  inlineBootstrapBytes: number;
  /** How long the phone waits for a chunk's `hist_sync` receipt before it sends the next one anyway. */
  receiptWaitMs: number;
}

/** One history notification the phone sent, for tests and diagnosis. */
export interface HistorySendRecord {
  /** The companion it went to. */
  device: string;
  /** The id of the message carrying the notification. */
  messageId: string;
  syncType: string;
  chunkOrder: number;
  progress: number;
  chats: number;
  messages: number;
  pushNames: number;
  mappings: number;
  statuses: number;
  /** Compressed bytes (inline or uploaded). */
  bytes: number;
  inline: boolean;
  /** ON_DEMAND: the id of the request message this answers. */
  requestId?: string;
  /** Unix ms. */
  sentAt: number;
  /** Unix ms the companion's hist_sync receipt came, if it did. */
  receiptAt?: number;
}

export interface PhoneHistoryApi {
  /**
   * Adds chats, messages, push names, mappings and status posts (JSON as documented in
   * docs/simulator.md), or generates them (`generate`).
   * @throws PhoneError BAD_HISTORY (shape), HISTORY_FULL (past the phone's bounds)
   */
  seed(body: unknown): HistoryTotals;
  view(): HistoryView;
  /** A chat's messages, newest first, older than `before` (a message id) when given. */
  messages(chat: string, opts?: { limit?: number; before?: string }): HistoryMessageView[];
  clear(): void;
  /** The policy, after applying `update` (a partial policy) when given. @throws PhoneError BAD_HISTORY */
  policy(update?: unknown): HistorySyncPolicy;
  /** Notifications sent, oldest first (bounded). */
  sends(): HistorySendRecord[];
  /** Changes whenever the history does: the persister writes it only then. */
  readonly version: number;
  /** A JSON-serialisable copy, given back to the phone factory as `restore.history`. */
  snapshot(): unknown;
}
