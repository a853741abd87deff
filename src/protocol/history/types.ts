/**
 * What a history sync chunk decodes into: chats, their messages in the shape
 * the receive path gives `message:new` (plus what only a stored copy knows:
 * status, receipts, reactions, votes), contacts, push names, LID↔PN mappings,
 * statuses and past group participants, and the summary of a chunk with what
 * was skipped. JSON-safe throughout (bytes as base64), so records can be stored
 * and sent on as they are.
 */
import type { DecodedContent, DecodedType } from '../message/index.js';
import { proto } from '../proto/index.js';

/** Message.HistorySyncType names; HistorySync.HistorySyncType is the same list up to ON_DEMAND. */
export type HistorySyncTypeName =
  | 'INITIAL_BOOTSTRAP'
  | 'INITIAL_STATUS_V3'
  | 'FULL'
  | 'RECENT'
  | 'PUSH_NAME'
  | 'NON_BLOCKING_DATA'
  | 'ON_DEMAND'
  | 'NO_HISTORY'
  | 'MESSAGE_ACCESS_STATUS';

const SYNC_TYPES = proto.Message.HistorySyncType;

/** The name of a sync type number; 'UNKNOWN' for a number newer than our schema. */
export function syncTypeName(value: number | null | undefined): HistorySyncTypeName | 'UNKNOWN' {
  const name = SYNC_TYPES[value ?? 0] as string | undefined;
  return name === undefined ? 'UNKNOWN' : (name as HistorySyncTypeName);
}

export function syncTypeValue(name: HistorySyncTypeName): number {
  return SYNC_TYPES[name];
}

/** A chat as the phone lists it, in `chat:list` terms. */
export interface HistoryChat {
  /** The conversation id the phone keys the chat by (user, LID, group, broadcast or newsletter jid). */
  jid: string;
  /** The phone's display name, else its saved name, else the username (as Baileys picks a contact's name). */
  name?: string;
  username?: string;
  unreadCount: number;
  unreadMentionCount?: number;
  markedAsUnread?: boolean;
  archived: boolean;
  pinned: boolean;
  /** When it was pinned (unix s): WhatsApp orders pinned chats by it. */
  pinnedAt?: number;
  /** Unix seconds; -1 = muted with no end. */
  mutedUntil?: number;
  readOnly?: boolean;
  /** Disappearing-message timer in seconds (0 or absent: off). */
  ephemeralExpiration?: number;
  ephemeralSettingTimestamp?: number;
  /** Unix seconds of the chat's last activity. */
  lastMessageAt?: number;
  /** The other identity of a 1:1 chat: its LID when keyed by phone number, and the reverse. */
  lid?: string;
  pn?: string;
  newJid?: string;
  oldJid?: string;
  /** Set when the phone says this chunk ends the chat's transfer. */
  endOfHistory?: 'more-on-phone' | 'complete' | 'more-on-phone-on-demand';
  /** Group members as the phone knew them. */
  participants?: Array<{ jid: string; role: 'member' | 'admin' | 'superadmin' }>;
  description?: string;
  createdAt?: number;
  createdBy?: string;
  /** A community's sub-group names its parent. */
  parentGroup?: string;
  isCommunity?: boolean;
  /** The trusted-contact token the phone holds for this user (sent back on some stanzas). */
  tcToken?: { token: string; timestamp?: number; senderTimestamp?: number };
  /** Message entries the conversation carried in this chunk (skipped ones included). */
  messages: number;
}

/** What a conversation says about the person or group behind it (Baileys' contacts from history). */
export interface HistoryContact {
  jid: string;
  name?: string;
  username?: string;
  lid?: string;
  pn?: string;
}

export type MessageStatus = 'error' | 'pending' | 'sent' | 'delivered' | 'read' | 'played';

export interface HistoryReaction {
  /** The reaction message's id. */
  id: string;
  sender: string;
  fromMe: boolean;
  emoji: string;
  /** Sender clock, ms. */
  senderTimestampMs?: number;
}

/** One recipient's receipts on a message we sent (unix s). */
export interface HistoryReceipt {
  jid: string;
  deliveredAt?: number;
  readAt?: number;
  playedAt?: number;
}

/** A poll vote the phone already decrypted: options by name (hashes no option matches are dropped). */
export interface HistoryPollVote {
  voter: string;
  options: string[];
  senderTimestampMs?: number;
}

/** DecodedContent, where a message with no content but a system line is of type `stub`. */
export type HistoryContent = Omit<DecodedContent, 'type'> & { type: DecodedType | 'stub' };

/**
 * One stored message: `message:new`'s fields (id, chat, sender, fromMe, t,
 * pushName and the decoded content, decoded by the same decodeContent as a
 * live message, without `senderKey` and `wrappers`, which only live handling
 * uses; `poll.secret` stays for the store) plus what the phone's copy knows.
 */
export interface HistoryMessage extends HistoryContent {
  id: string;
  /** The chat as the conversation names it (jid without device). */
  chat: string;
  /** The author's user jid (no device); ours (`me`, or the original self author) for fromMe. */
  sender: string;
  fromMe: boolean;
  /** Unix seconds. */
  t: number;
  pushName?: string;
  history: true;
  status?: MessageStatus;
  starred?: boolean;
  /** The system line a message is or carries ("X added Y", "waiting for this message", a revoke...). */
  stub?: { type: string; params?: string[] };
  reactions?: HistoryReaction[];
  receipts?: HistoryReceipt[];
  pollVotes?: HistoryPollVote[];
  /** The message secret (base64): poll votes, event responses and edits of it are keyed to it. */
  messageSecret?: string;
  /** Disappearing timer the message was sent under (s). */
  ephemeralDuration?: number;
}

export interface PastParticipant {
  jid: string;
  reason: 'left' | 'removed';
  /** Unix seconds. */
  at?: number;
}

/** One unit of a decoded chunk, in stream order. */
export type HistoryItem =
  | { kind: 'chat'; chat: HistoryChat; contact: HistoryContact }
  /** A batch of one chat's messages (a chat's messages come in one or more batches after its `chat` item). */
  | { kind: 'messages'; chat: string; messages: HistoryMessage[] }
  | { kind: 'status'; message: HistoryMessage }
  | { kind: 'pushName'; jid: string; name: string }
  /** A LID and the phone number it stands for (explicit, or learnt from a conversation). */
  | { kind: 'mapping'; lid: string; pn: string }
  | { kind: 'pastParticipants'; group: string; participants: PastParticipant[] };

export interface HistoryCounts {
  chats: number;
  messages: number;
  statuses: number;
  pushNames: number;
  mappings: number;
  pastParticipants: number;
}

/** A chunk's scalars and what was decoded and skipped, complete once end() has been drained. */
export interface HistorySummary {
  syncType: HistorySyncTypeName | 'UNKNOWN';
  chunkOrder?: number;
  progress?: number;
  /** Inflated bytes read. */
  bytes: number;
  counts: HistoryCounts;
  /**
   * Entries that did not decode or lacked what makes them usable (a chat
   * without id, a message without id or sender, a mapping without both
   * sides), per kind; `tooLarge`: top-level entries over maxEntryBytes;
   * `wrongType`: known fields with the wrong wire type.
   */
  skipped: HistoryCounts & { tooLarge: number; wrongType: number };
}

export function emptyCounts(): HistoryCounts {
  return { chats: 0, messages: 0, statuses: 0, pushNames: 0, mappings: 0, pastParticipants: 0 };
}
