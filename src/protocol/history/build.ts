/**
 * The phone's side of history sync, for the simulator: chats, messages,
 * statuses, push names and mappings → HistorySync chunks of bounded size, in
 * field-number order, byte for byte what protobufjs (Baileys' encoder)
 * writes for the same object, then zlib and media encryption of a chunk.
 * A chat too large for one chunk is split: every part repeats the chat's
 * metadata and carries the next messages, newest first, as phones send them.
 */
import { deflateSync } from 'node:zlib';
import protobuf from 'protobufjs/minimal.js';
import { encryptMedia } from '../media/index.js';
import { proto } from '../proto/index.js';
import { HISTORY_MEDIA_TYPE } from './notification.js';
import { syncTypeValue, type HistoryChat, type HistorySyncTypeName, type MessageStatus } from './types.js';
import { lenTag } from './wire.js';

const F = { SYNC_TYPE: 1, CONVERSATIONS: 2, STATUS_V3: 3, CHUNK_ORDER: 5, PROGRESS: 6, PUSHNAMES: 7, PN_TO_LID: 15 } as const;
/** Conversation.messages. */
const CONVERSATION_MESSAGES = 2;
/** Room for syncType, chunkOrder and progress in every chunk. */
const SCALARS_RESERVE = 32;
export const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;

export interface HistoryChatInput {
  jid: string;
  name?: string;
  username?: string;
  unreadCount?: number;
  archived?: boolean;
  pinnedAt?: number;
  /** Unix seconds; -1 for no end. */
  mutedUntil?: number;
  readOnly?: boolean;
  ephemeralExpiration?: number;
  ephemeralSettingTimestamp?: number;
  lastMessageAt?: number;
  lid?: string;
  pn?: string;
  endOfHistory?: HistoryChat['endOfHistory'];
  participants?: HistoryChat['participants'];
  description?: string;
  /** Newest first, as phones send them. */
  messages?: proto.IWebMessageInfo[];
}

export interface HistoryBuildInput {
  syncType: HistorySyncTypeName;
  chats?: HistoryChatInput[];
  statuses?: proto.IWebMessageInfo[];
  pushNames?: Array<{ jid: string; name: string }>;
  mappings?: Array<{ lid: string; pn: string }>;
}

export interface HistoryBuildOptions {
  /** Uncompressed bytes per chunk; a single message larger than this still gets a chunk of its own. Default 2 MiB. */
  maxChunkBytes?: number;
  /** Default 1. */
  firstChunkOrder?: number;
}

export interface HistoryChunk {
  chunkOrder: number;
  /** Percent of the whole sync done once this chunk is in. */
  progress: number;
  /** The encoded HistorySync (not compressed). */
  bytes: Uint8Array;
  /** Conversation entries (a split chat counts once per chunk it is in). */
  chats: number;
  messages: number;
  statuses: number;
  pushNames: number;
  mappings: number;
  /** The oldest message time in the chunk (unix s), for the notification. */
  oldestMessageAt?: number;
}

interface Entry {
  field: number;
  bytes: Uint8Array;
  messages: number;
  oldest?: number;
}

const varint = (n: number): Uint8Array => protobuf.Writer.create().uint64(n).finish();
const framed = (field: number, bytes: Uint8Array): Uint8Array[] => [varint(lenTag(field)), varint(bytes.length), bytes];
const framedSize = (field: number, length: number): number => varint(lenTag(field)).length + varint(length).length + length;

const ROLE_RANK = { member: 0, admin: 1, superadmin: 2 } as const;
const END_OF_HISTORY = { 'more-on-phone': 0, complete: 1, 'more-on-phone-on-demand': 2 } as const;
/** An all-ones uint64: what -1 becomes in the field. */
const NO_END = -1;

function conversationFields(c: HistoryChatInput): proto.IConversation {
  const conv: proto.IConversation = {};
  if (c.name) conv.name = c.name;
  if (c.username) conv.username = c.username;
  if (c.unreadCount) conv.unreadCount = c.unreadCount;
  if (c.archived) conv.archived = true;
  if (c.pinnedAt) conv.pinned = c.pinnedAt;
  if (c.mutedUntil) conv.muteEndTime = c.mutedUntil === NO_END ? NO_END : c.mutedUntil;
  if (c.readOnly) conv.readOnly = true;
  if (c.ephemeralExpiration) conv.ephemeralExpiration = c.ephemeralExpiration;
  if (c.ephemeralSettingTimestamp) conv.ephemeralSettingTimestamp = c.ephemeralSettingTimestamp;
  if (c.lastMessageAt) conv.conversationTimestamp = c.lastMessageAt;
  if (c.lid) conv.lidJid = c.lid;
  if (c.pn) conv.pnJid = c.pn;
  if (c.endOfHistory) {
    conv.endOfHistoryTransfer = true;
    conv.endOfHistoryTransferType = END_OF_HISTORY[c.endOfHistory];
  }
  if (c.participants?.length) conv.participant = c.participants.map((p) => ({ userJid: p.jid, rank: ROLE_RANK[p.role] }));
  if (c.description) conv.description = c.description;
  return conv;
}

/** One chat's conversation entries: its metadata with the next messages that fit, part after part. */
function conversationEntries(c: HistoryChatInput, budget: number): Entry[] {
  // Canonical order: id (1), then messages (2), then the rest.
  const head = proto.Conversation.encode({ id: c.jid }).finish();
  const tail = proto.Conversation.encode(conversationFields(c)).finish();
  const messages = (c.messages ?? []).map((m) => ({ bytes: proto.HistorySyncMsg.encode({ message: m }).finish(), t: Number(m.messageTimestamp ?? 0) }));
  const entries: Entry[] = [];
  let i = 0;
  do {
    const parts: Uint8Array[] = [head];
    let size = head.length + tail.length;
    let count = 0;
    let oldest: number | undefined;
    while (i < messages.length) {
      const m = messages[i]!;
      const add = framedSize(CONVERSATION_MESSAGES, m.bytes.length);
      if (count > 0 && framedSize(F.CONVERSATIONS, size + add) > budget) break;
      parts.push(...framed(CONVERSATION_MESSAGES, m.bytes));
      size += add;
      count++;
      i++;
      if (m.t > 0 && (oldest === undefined || m.t < oldest)) oldest = m.t;
    }
    parts.push(tail);
    const entry: Entry = { field: F.CONVERSATIONS, bytes: Buffer.concat(parts), messages: count };
    if (oldest !== undefined) entry.oldest = oldest;
    entries.push(entry);
  } while (i < messages.length);
  return entries;
}

/**
 * Splits a history into chunks of at most maxChunkBytes (uncompressed),
 * numbered from firstChunkOrder, with progress rising to 100 on the last.
 * An empty input still yields one chunk (a phone with nothing to send says so).
 */
export function buildHistoryChunks(input: HistoryBuildInput, options: HistoryBuildOptions = {}): HistoryChunk[] {
  const budget = Math.max(1024, options.maxChunkBytes ?? DEFAULT_CHUNK_BYTES) - SCALARS_RESERVE;
  const entries: Entry[] = [
    ...(input.chats ?? []).flatMap((c) => conversationEntries(c, budget)),
    ...(input.statuses ?? []).map((s) => ({ field: F.STATUS_V3, bytes: proto.WebMessageInfo.encode(s).finish(), messages: 0 })),
    ...(input.pushNames ?? []).map((p) => ({ field: F.PUSHNAMES, bytes: proto.Pushname.encode({ id: p.jid, pushname: p.name }).finish(), messages: 0 })),
    ...(input.mappings ?? []).map((m) => ({ field: F.PN_TO_LID, bytes: proto.PhoneNumberToLIDMapping.encode({ pnJid: m.pn, lidJid: m.lid }).finish(), messages: 0 })),
  ];
  const groups: Entry[][] = [[]];
  let size = 0;
  for (const e of entries) {
    const add = framedSize(e.field, e.bytes.length);
    if (groups[groups.length - 1]!.length > 0 && size + add > budget) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1]!.push(e);
    size += add;
  }
  const first = options.firstChunkOrder ?? 1;
  return groups.map((group, i) => chunkOf(input.syncType, group, first + i, Math.round(((i + 1) * 100) / groups.length)));
}

function chunkOf(syncType: HistorySyncTypeName, group: Entry[], chunkOrder: number, progress: number): HistoryChunk {
  // Fields in number order; syncType written even when 0 (INITIAL_BOOTSTRAP), as protobufjs encoders write a set field.
  const parts: Uint8Array[] = [varint(F.SYNC_TYPE << 3), varint(syncTypeValue(syncType))];
  for (const e of group.filter((g) => g.field < F.CHUNK_ORDER)) parts.push(...framed(e.field, e.bytes));
  parts.push(varint(F.CHUNK_ORDER << 3), varint(chunkOrder), varint(F.PROGRESS << 3), varint(progress));
  for (const e of group.filter((g) => g.field > F.PROGRESS)) parts.push(...framed(e.field, e.bytes));
  const chunk: HistoryChunk = {
    chunkOrder,
    progress,
    bytes: Buffer.concat(parts),
    chats: group.filter((e) => e.field === F.CONVERSATIONS).length,
    messages: group.reduce((n, e) => n + e.messages, 0),
    statuses: group.filter((e) => e.field === F.STATUS_V3).length,
    pushNames: group.filter((e) => e.field === F.PUSHNAMES).length,
    mappings: group.filter((e) => e.field === F.PN_TO_LID).length,
  };
  const oldest = group.flatMap((e) => (e.oldest === undefined ? [] : [e.oldest]));
  if (oldest.length > 0) chunk.oldestMessageAt = Math.min(...oldest);
  return chunk;
}

/** zlib (with its header, as phones upload it). */
export function compressHistory(bytes: Uint8Array): Uint8Array {
  return deflateSync(bytes);
}

/** The compressed chunk encrypted as an `md-msg-hist` media blob: upload `blob`, then name it in the notification. */
export function encryptHistoryBlob(compressed: Uint8Array, mediaKey?: Uint8Array): {
  blob: Uint8Array;
  mediaKey: Uint8Array;
  fileSha256: Uint8Array;
  fileEncSha256: Uint8Array;
  fileLength: number;
} {
  const { blob, mediaKey: key, fileSha256, fileEncSha256, fileLength } = encryptMedia(compressed, HISTORY_MEDIA_TYPE, mediaKey);
  return { blob, mediaKey: key, fileSha256, fileEncSha256, fileLength };
}

const STATUS_VALUE: Record<MessageStatus, number> = { error: 0, pending: 1, sent: 2, delivered: 3, read: 4, played: 5 };

export interface HistoryWebMessageInput {
  id: string;
  chat: string;
  fromMe: boolean;
  /** The author in a group (and of a status). */
  participant?: string;
  /** Unix seconds. */
  t: number;
  message?: proto.IMessage;
  pushName?: string;
  status?: MessageStatus;
  /** A system line instead of (or with) content: the StubType number and its parameters. */
  stub?: { type: number; params?: string[] };
  messageSecret?: Uint8Array;
}

/** A stored message as a phone keeps it, for buildHistoryChunks. */
export function webMessageInfo(m: HistoryWebMessageInput): proto.IWebMessageInfo {
  const key: proto.IMessageKey = { remoteJid: m.chat, fromMe: m.fromMe, id: m.id };
  if (m.participant) key.participant = m.participant;
  const info: proto.IWebMessageInfo = { key, messageTimestamp: m.t };
  if (m.message) info.message = m.message;
  if (m.participant) info.participant = m.participant;
  if (m.pushName) info.pushName = m.pushName;
  if (m.status) info.status = STATUS_VALUE[m.status];
  if (m.stub) {
    info.messageStubType = m.stub.type;
    if (m.stub.params?.length) info.messageStubParameters = m.stub.params;
  }
  if (m.messageSecret) info.messageSecret = m.messageSecret;
  return info;
}
