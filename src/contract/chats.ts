/**
 * The control contract's stored chats, contacts, messages and labels: what
 * the account's store answers (also while the account is stopped) and what
 * app state changes on every device of the account. Types only.
 */

/** A chat in `chat:list`: the phone's chats (history sync, app state) and every chat with messages since. */
export interface ChatInfo {
  jid: string;
  name?: string;
  unreadCount: number;
  archived: boolean;
  pinned: boolean;
  /** Unix seconds; -1: muted with no end. */
  mutedUntil?: number;
  /** Unix seconds of the newest message. */
  lastMessageAt?: number;
  /** Disappearing-messages timer, seconds. */
  ephemeralExpiration?: number;
  /** Label ids. */
  labels: string[];
  /** Marked unread by hand. */
  markedUnread?: boolean;
  /** When it was pinned (unix s). */
  pinnedAt?: number;
}

export interface ChatListOptions {
  /** Only archived (true) or only not archived (false) chats. */
  archived?: boolean;
  /** At most this many (default and most 1,000). */
  limit?: number;
  /** Chats whose last message is older than this (unix s): the next page. */
  before?: number;
}

/** A person in `contact:list`. */
export interface ContactInfo {
  jid: string;
  lid?: string;
  /** As saved in the phone's address book. */
  name?: string;
  /** As they named themselves. */
  pushName?: string;
}

/**
 * A stored message in `message:list`: `message:new`'s data (id, chat, sender,
 * fromMe, t, type, content, media…), with `history: true` when a history
 * sync brought it, and what happened since: `status` of our sends (sent,
 * delivered, read, played), `reactions`, `edited`, `deleted`.
 */
export type StoredMessage = Record<string, unknown> & { id: string; chat: string; t: number };

export interface HistoryRequestResult {
  /** The request's message id: the ON_DEMAND `history:sync` names it as `requestId`. */
  requestId: string;
  count: number;
  /** The id of the oldest stored message, the anchor the phone pages back from. */
  oldest: string;
}

export interface MessageListOptions {
  /** Default 50, at most 1,000. */
  limit?: number;
  /** Messages older than this one (its id). */
  before?: string;
}

/** What `chat:modify` does to a chat (on every device of the account, through app state). */
export type ChatAction = 'archive' | 'unarchive' | 'pin' | 'unpin' | 'mute' | 'unmute' | 'markRead' | 'markUnread' | 'clear' | 'delete';

/** A label in `label:list`. */
export interface LabelInfo {
  id: string;
  name: string;
  /** WhatsApp's palette index. */
  color: number;
  predefinedId?: number;
}

/** `label:edit`: without `id` a new label. */
export interface LabelEdit {
  id?: string;
  name: string;
  color?: number;
  deleted?: boolean;
}

/** The daemon API's reads of an account's store (id = the account). */
export interface StoredChatApi {
  listChats(id: string, opts: ChatListOptions): Promise<ChatInfo[]>;
  listContacts(id: string): Promise<ContactInfo[]>;
  /** A chat's stored messages, newest first. */
  listMessages(id: string, chat: string, opts: MessageListOptions): Promise<StoredMessage[]>;
  /**
   * Asks the phone for `count` (default 50) messages of the chat older than the oldest stored one;
   * they arrive as a `history:sync` of type ON_DEMAND. Resolves once the request is sent.
   */
  requestHistory(id: string, chat: string, count?: number): Promise<HistoryRequestResult>;
}

/** The daemon API's chat, message and label changes through app state (id = the account). */
export interface ChatActionApi {
  /** @param until for `mute`: unix seconds when it ends; absent: for ever */
  modifyChat(id: string, chat: string, action: ChatAction, until?: number): Promise<void>;
  starMessage(id: string, chat: string, messageId: string, starred: boolean): Promise<void>;
  /** Deletes a message on our own devices only. */
  deleteMessageForMe(id: string, chat: string, messageId: string): Promise<{ messageId: string }>;
  /** The account's labels (deleted ones left out); read from its store, so a stopped account answers too. */
  listLabels(id: string): Promise<LabelInfo[]>;
  editLabel(id: string, edit: LabelEdit): Promise<{ id: string }>;
  labelChat(id: string, chat: string, labelId: string, labelled: boolean): Promise<void>;
}
