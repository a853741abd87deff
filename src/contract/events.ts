/**
 * What each event type's `data` holds, as a union over `type`: checking
 * `ev.type === 'message:new'` gives `ev.data` the fields of a message.
 * Every data object also carries `seq` and may carry fields added after
 * this version (hence the open index); an event of a type this version does
 * not know is an `UnknownWadEvent`, its data untyped.
 * Types only: the daemon writes these shapes (src/account, src/daemon), the
 * client hands them out (WadClient.subscribe).
 */
import type { ConnectionState } from './accounts.js';
import type { EventType } from './event-log.js';
import type { MediaFields } from './media.js';

/** What every event's data has: the account's cursor, and room for fields added later. */
export interface EventDataBase {
  /** The event's seq (as on the event). */
  seq: number;
  [field: string]: unknown;
}

/** A message's delivery status, as our sends move through it. */
export type MessageStatus = 'error' | 'pending' | 'sent' | 'delivered' | 'read' | 'played';

export interface ConnectionUpdateData extends EventDataBase {
  state: ConnectionState;
  /** A login QR's text (state `qr`). */
  qr?: string;
  /** The pairing code to type on the phone. */
  pairCode?: string;
  reason?: string;
  /** With `reason: "connection lost"`: what the socket said (ECONNREFUSED, ENOTFOUND …). */
  cause?: string;
  /** Before a reconnect: how long it waits. */
  delayMs?: number;
  attempt?: number;
}

export interface AccountStatusData extends EventDataBase {
  /** The account's new state (a state change). */
  state?: string;
  /** `identity-changed`: a contact's identity key changed (reinstalled WhatsApp). */
  kind?: string;
  jid?: string;
  reason?: string;
}

/** `message:new`: a message arrived, or we sent one (`fromMe: true`). */
export interface MessageNewData extends EventDataBase {
  id: string;
  chat: string;
  sender: string;
  fromMe: boolean;
  /** Unix seconds. */
  t: number;
  /** text image video audio document sticker location contact poll reaction … (`unknown` for kinds not decoded). */
  type: string;
  /** The text, or a media caption. */
  content?: string;
  quoted?: { id: string; [field: string]: unknown };
  media?: Partial<MediaFields> & { mimetype?: string; fileLength?: number; [field: string]: unknown };
  /** Delivered from the offline backlog. */
  offline?: true;
  pushName?: string;
  /** A channel post's number. */
  serverId?: string;
}

/** `message:updated`: an edit, a star, a poll's tally or a channel post's reaction counts. */
export interface MessageUpdatedData extends EventDataBase {
  chat: string;
  messageId?: string;
  content?: string;
  edited?: true;
  starred?: boolean;
  poll?: { tally: Record<string, unknown> };
  serverId?: string;
  reactions?: Record<string, number>;
}

export interface MessageDeletedData extends EventDataBase {
  chat: string;
  messageId: string;
  /** Who deleted it for everyone. */
  by?: string;
  /** Deleted on our devices only. */
  forMe?: true;
}

/**
 * `message:receipt`: for our message (`fromMe`), the recipient moved it on: one event per message, participant
 * and step however many devices the recipient has (a 1:1 message is delivered when the first device has it).
 */
export interface MessageReceiptData extends EventDataBase {
  chat: string;
  messageIds: string[];
  status: MessageStatus;
  /** The receipt as WhatsApp named it (delivery, read, read-self, played …). */
  type: string;
  by: string;
  fromMe: boolean;
  t: number;
}

export interface TypingUpdateData extends EventDataBase {
  chat: string;
  by: string;
  state: string;
}

export interface PresenceUpdateData extends EventDataBase {
  jid: string;
  status: string;
  lastSeen?: number;
  participant?: string;
}

export interface CallIncomingData extends EventDataBase {
  callId: string;
  from: string;
  video: boolean;
  isGroup?: boolean;
  t: number;
}

export interface CallEndedData extends EventDataBase {
  callId: string;
  from: string;
  reason: string;
  video?: boolean;
  isGroup?: boolean;
}

export interface GroupUpdateData extends EventDataBase {
  group: string;
  actor: string | null;
  t: number | null;
  changes: Array<{ action: string; participants: string[]; [field: string]: unknown }>;
  /** We left the group (or were removed). */
  left?: true;
}

export interface ChatUpdatedData extends EventDataBase {
  jid: string;
  archived?: boolean;
  pinned?: boolean;
  mutedUntil?: number;
  unreadCount?: number;
  labels?: string[];
}

export interface ContactUpdatedData extends EventDataBase {
  jid: string;
  name?: string;
  pushName?: string;
  about?: string;
  aboutSetAt?: number;
  picture?: { pictureId: string } | { removed: true };
}

export interface LabelUpdatedData extends EventDataBase {
  id: string;
  name?: string;
  color?: number;
  deleted?: boolean;
}

export interface PrivacyUpdatedData extends EventDataBase {
  settings: Record<string, string>;
}

export interface BlockUpdatedData extends EventDataBase {
  jid: string;
  action: 'block' | 'unblock';
}

export interface HistorySyncData extends EventDataBase {
  /** INITIAL_BOOTSTRAP, RECENT, PUSH_NAME, FULL, ON_DEMAND … */
  type: string;
  chats: number;
  messages: number;
  contacts: number;
  progress?: number;
  chunkOrder?: number;
  /** ON_DEMAND: the history:request's requestId. */
  requestId?: string;
}

/** `error`: something a consumer must know that answers no request (a gap in the log, damaged events). */
export interface ErrorEventData extends EventDataBase {
  code: string;
  message: string;
  kind?: string;
  gap?: { account: string; from: number; to: number };
}

/** Each event type's data. */
export interface EventDataMap {
  'connection:update': ConnectionUpdateData;
  'account:status': AccountStatusData;
  'message:new': MessageNewData;
  'message:updated': MessageUpdatedData;
  'message:deleted': MessageDeletedData;
  'message:receipt': MessageReceiptData;
  'typing:update': TypingUpdateData;
  'presence:update': PresenceUpdateData;
  'call:incoming': CallIncomingData;
  'call:ended': CallEndedData;
  'group:update': GroupUpdateData;
  'chat:updated': ChatUpdatedData;
  'contact:updated': ContactUpdatedData;
  'label:updated': LabelUpdatedData;
  'privacy:updated': PrivacyUpdatedData;
  'block:updated': BlockUpdatedData;
  'history:sync': HistorySyncData;
  error: ErrorEventData;
}

/** One event of type T, its data typed. */
export interface WadEventOf<T extends EventType> {
  account: string;
  seq: number;
  type: T;
  /** Unix ms when the event was logged. */
  t: number;
  conversationId?: string;
  data: EventDataMap[T];
}

declare const unknownEventType: unique symbol;
/**
 * The `type` of an event this version does not know (a newer daemon's). At run time it is the
 * type's string (`String(ev.type)`); typed apart from strings so that comparing `ev.type` with a
 * known type narrows to that type's event alone.
 */
export interface UnknownEventType {
  readonly [unknownEventType]: 'an event type this version of wad does not know';
}

export interface UnknownWadEvent {
  account: string;
  seq: number;
  type: UnknownEventType;
  t: number;
  conversationId?: string;
  data: EventDataBase;
}

/** An event as WadClient hands it out: `ev.type` narrows `ev.data`. */
export type TypedWadEvent = { [T in EventType]: WadEventOf<T> }[EventType] | UnknownWadEvent;
