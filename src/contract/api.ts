/**
 * The control contract: what the daemon core offers to the control plane
 * (src/ipc, WadClient, the CLI), and the shapes of what it reports. The IPC
 * server validates a frame, then calls exactly one method here; it never
 * reaches into accounts or the store by itself. Tests of the IPC layer run
 * against a fake DaemonApi; the real one is built by createDaemon.
 *
 * A leaf: types only, importing nothing of wad's but src/protocol, so every
 * layer (account, ipc, client, daemon) may name these shapes without
 * reaching up into the daemon.
 *
 * Errors: methods reject with DaemonError (errors.ts), whose `code` is one
 * of the contract's error codes, so the IPC layer maps them 1:1.
 */
import type { proto } from '../protocol/proto/index.js';
import type { CallApi } from './calls.js';
import type { NewsletterApi } from './newsletters.js';
import type { PeopleApi } from './people.js';
import type { CommunityApi } from './communities.js';

export type ConnectionState = 'connecting' | 'qr' | 'online' | 'reconnecting' | 'stopped' | 'loggedOut';

/**
 * An account's state in account:list and account:status: its connection's,
 * or `failed` when its records could not be loaded (quarantined: the others
 * run; `reason` says what is damaged; `wad store check` tells more).
 */
export type AccountState = ConnectionState | 'failed';

export type EventType =
  | 'connection:update'
  | 'message:new'
  | 'message:updated'
  | 'message:deleted'
  | 'message:receipt'
  | 'typing:update'
  | 'presence:update'
  | 'call:incoming'
  | 'call:ended'
  | 'group:update'
  | 'chat:updated'
  | 'contact:updated'
  | 'label:updated'
  | 'privacy:updated'
  | 'block:updated'
  | 'history:sync'
  | 'account:status'
  | 'error';

/** One event of an account's durable log (every event frame carries data.seq, the consumer's resume cursor). */
export interface WadEvent {
  account: string;
  /** Grows per account; the durable cursor. */
  seq: number;
  type: EventType;
  /** Unix ms when the event was logged. */
  t: number;
  conversationId?: string;
  data: Record<string, unknown>;
}

export interface AccountSummary {
  id: string;
  state: AccountState;
  jid?: string;
  lid?: string;
  name?: string;
  reason?: string;
  /** With `reason: "connection lost"`: what the socket said (a DNS failure, a refused connection, a TLS error). */
  cause?: string;
  /** account:status only: counters since the daemon started (starts, reconnects and reconnects:<cause>, received, decryptFailures, retryReceiptsSent, serverError<code>…). */
  counters?: Record<string, number>;
}

/** What account ids look like: they name store namespaces, log fields and socket frames' tenantId. */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** What a media send may say besides its bytes: the same on the socket, in the daemon API and in WadClient. */
export interface MediaFields {
  mimeType?: string;
  caption?: string;
  fileName?: string;
  ptt?: boolean;
  quoted?: string;
  /** Optional metadata the sender knows (left out of the message when absent). */
  width?: number;
  height?: number;
  /** Duration of audio and video, in seconds. */
  seconds?: number;
  /** video: play as a GIF. */
  gifPlayback?: boolean;
  viewOnce?: boolean;
}

/**
 * The bytes of a media send, already open (a checked local file, a finished
 * upload): their size, and a fresh read of them from the start each time
 * `read()` is called (an image is read once for its thumbnail, once to send).
 */
export interface MediaFile {
  readonly size: number;
  /** The name the caller knows it by (a document's default file name). */
  readonly name?: string | undefined;
  read(): AsyncIterable<Uint8Array>;
}

/**
 * A media send: the bytes and what a consumer may say about them.
 * `ptv`, `waveform` and a stream as `media` are for in-process callers (the
 * socket's message:send has no field for them).
 */
export type MediaContent = MediaFields & {
  type: MediaKind;
  /** `{path}`: a file the caller names; the daemon opens it only if its path policy allows (media.allowedRoots). A stream is read once. */
  media: Uint8Array | { path: string } | MediaFile | AsyncIterable<Uint8Array>;
  /** A small JPEG preview (image, video, document). */
  jpegThumbnail?: Uint8Array;
  /** video: a round video note. */
  ptv?: boolean;
  /** audio: the voice note's waveform, as the message carries it. */
  waveform?: Uint8Array;
};

/**
 * The one shape of outgoing content a consumer names; the account turns it
 * into the protocol's MessageContent, the other shape. The socket's
 * message:send carries the kinds up to `poll-vote` (text with `linkPreview`);
 * `viewOnce` on text, `contacts`, `disappearing` and `message` (a built
 * Message, sent as is) are for in-process callers.
 */
export type OutgoingContent =
  | { type: 'text'; content: string; quoted?: string; mentions?: string[]; linkPreview?: LinkPreviewRequest; viewOnce?: boolean; backgroundArgb?: number; font?: number }
  | { type: 'reply'; content: string; quoted: string; mentions?: string[] }
  | MediaContent
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contact'; displayName: string; vcard: string }
  | { type: 'poll'; name: string; options: string[]; selectableCount?: number }
  | { type: 'reaction'; messageId: string; emoji: string }
  /** A vote on a poll of this chat: the options chosen by name; none withdraws the vote. */
  | { type: 'poll-vote'; pollId: string; options: string[] }
  | { type: 'contacts'; displayName?: string; contacts: Array<{ displayName: string; vcard: string }> }
  /** Sets the chat's disappearing-messages timer (seconds; 0 turns it off). */
  | { type: 'disappearing'; expiration: number }
  | { type: 'message'; message: proto.IMessage; viewOnce?: boolean }
  | LiveLocationContent
  /** A message of `fromChat` (default: this chat) sent again, marked forwarded. */
  | { type: 'forward'; messageId: string; fromChat?: string }
  /** Pins a message of the chat for everyone for `duration` seconds (86400, 604800 or 2592000; default 86400), or unpins it. */
  | { type: 'pin'; messageId: string; unpin?: boolean; duration?: number }
  /** Keeps a message of a disappearing chat (or, with `undo`, lets it disappear again). */
  | { type: 'keep'; messageId: string; undo?: boolean }
  | EventContent
  /** An answer to an event of the chat (encrypted with the event's secret, as poll votes are). */
  | { type: 'event-response'; eventId: string; response: EventAnswer; extraGuests?: number };

/** `going`, `not-going` or `maybe`. */
export type EventAnswer = 'going' | 'not-going' | 'maybe';

/**
 * A live location: without `messageId` it starts a share (sequence 1);
 * with the share's `messageId` it is the share's next position (the
 * daemon numbers the updates and says how long after the start).
 */
export interface LiveLocationContent {
  type: 'live-location';
  latitude: number;
  longitude: number;
  /** Metres. */
  accuracy?: number;
  /** Metres per second. */
  speed?: number;
  /** Degrees clockwise from magnetic north. */
  bearing?: number;
  caption?: string;
  messageId?: string;
}

/** An event invitation; members answer it with `event-response`. Times are unix seconds. */
export interface EventContent {
  type: 'event';
  name: string;
  description?: string;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  startTime: number;
  endTime?: number;
  /** A call link for the event. */
  joinLink?: string;
  extraGuestsAllowed?: boolean;
  canceled?: boolean;
}

/**
 * A text's link preview: `true` has the daemon make it from the text's
 * first http(s) link (the page's Open Graph title, description and image),
 * a LinkPreviewSpec gives it, `false` (or none) sends the text without one.
 */
export type LinkPreviewRequest = boolean | LinkPreviewSpec;

/** A link preview the caller gives. */
export interface LinkPreviewSpec {
  /** The link as the text has it (the preview's matchedText). */
  url: string;
  title: string;
  description?: string;
  /**
   * An image (JPEG, PNG, WebP, GIF): the daemon makes the small inline
   * thumbnail from it and uploads a larger one, as WhatsApp does for
   * high-quality previews.
   */
  thumbnail?: Uint8Array;
}

/** What a send answers. */
export interface SendResult {
  messageId: string;
  /**
   * Why the link preview asked for was not sent, or was sent without its
   * image (the text went anyway): "CODE: what happened".
   */
  linkPreviewError?: string;
}

/**
 * The plaintext of a received (or sent) media file, verified (MAC and hashes)
 * before the first byte is handed out, as chunks; with what the message says
 * about it. Iterate it to the end, or break out, so its temp file is removed.
 */
export interface MediaDownload extends AsyncIterable<Uint8Array> {
  /** image, video, audio, document, sticker. */
  type?: string;
  mimeType?: string;
  /** Plaintext bytes. */
  fileLength?: number;
  fileName?: string;
}

/** How to send (beyond the content itself). */
export interface SendOptions {
  /**
   * At most 64 characters. The same key on the same account within 24 h
   * (config idempotency.ttlMs) returns the first send's messageId and sends
   * nothing again; while that first send runs, a repeat waits for its result.
   */
  idempotencyKey?: string;
  /**
   * With the chat `status@broadcast`: the contacts (jids or numbers, at most
   * 5,000) who receive the status; exactly they and our own devices get it.
   */
  audience?: string[];
}

export interface GroupInfo {
  jid: string;
  subject: string;
  owner?: string;
  /**
   * "lid": members are named by LID (as WhatsApp makes new groups), each with
   * `phoneNumber` when the member shows it; "pn": by phone number, with `lid`.
   */
  addressingMode?: 'pn' | 'lid';
  participants: Array<{ jid: string; admin?: 'admin' | 'superadmin'; phoneNumber?: string; lid?: string }>;
  description?: string;
  /** Only admins send. */
  announce?: boolean;
  /** Only admins edit the group's info. */
  locked?: boolean;
  /** Disappearing timer, seconds (0: off). */
  ephemeral?: number;
  /** Joining needs an admin's approval. */
  joinApproval?: boolean;
  /** Who may add members. */
  memberAddMode?: GroupMemberAddMode;
  size?: number;
  isCommunity?: boolean;
  /** The community this group is linked to. */
  parent?: string;
}

export type GroupAction = 'add' | 'remove' | 'promote' | 'demote';

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

/** A webhook as webhook:add takes it. */
export interface WebhookSpec {
  /** http(s) URL each event is POSTed to. */
  url: string;
  /** Event types it takes; absent: all. */
  events?: EventType[];
  /** Accounts it takes; absent: all (a scoped token must name its own). */
  accounts?: string[];
  /** HMAC-SHA256 key of X-Wad-Signature; absent: the daemon makes one and answers it. */
  secret?: string;
  /** Deliver from this seq on (one for every account, or per account) instead of from now. */
  since?: number | Record<string, number>;
}

/** A webhook as webhook:list shows it (never its secret). */
export interface WebhookInfo {
  id: string;
  url: string;
  /** null: every type. */
  events: EventType[] | null;
  /** null: every account. */
  accounts: string[] | null;
  /** `paused` once the retry limit ran out (lastError says why) until webhook:resume. */
  state: 'active' | 'paused';
  /** Events logged but not yet delivered (or skipped as not wanted), over its accounts. */
  lag: number;
  /** Deliveries answered 2xx since the daemon started. */
  delivered: number;
  /** Failed attempts since the daemon started. */
  failures: number;
  lastError?: string;
}

export interface WebhookTestResult {
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  error?: string;
}

/** `admin`: only admins add members; `all`: every member may. */
export type GroupMemberAddMode = 'admin' | 'all';

/** group:list: one line per group we are in. */
export interface GroupSummary {
  jid: string;
  subject: string;
  /** How many members. */
  participants: number;
  isCommunity?: boolean;
  /** The community a group is linked to. */
  parent?: string;
  /** The announcements group of a community. */
  isAnnouncements?: boolean;
}

/** group:update: each field given is one change, applied in this order; absent fields stay as they are. */
export interface GroupUpdate {
  subject?: string;
  /** "" deletes it. */
  description?: string;
  announce?: boolean;
  locked?: boolean;
  /** Seconds; 0 turns disappearing messages off. */
  ephemeral?: number;
  joinApproval?: boolean;
  memberAddMode?: GroupMemberAddMode;
}

/**
 * One participant's outcome: `status` is the server's code (200 done, 403
 * not allowed by their privacy, 404 no such user, 408 left recently, 409
 * already a member). With `inviteSent`, they could not be added and were
 * sent the group's invite as a message instead.
 */
export interface GroupParticipantResult {
  jid: string;
  status: number;
  inviteSent?: boolean;
}

export interface GroupInvite {
  code: string;
  /** https://chat.whatsapp.com/<code> */
  link: string;
}

/**
 * group:join by a group invite message (one an admin sent us in particular,
 * `message:new` of type `group-invite`): its group, the admin who sent it,
 * and its expiry. The code is group:join's `code`.
 */
export interface GroupInviteMessageRef {
  group: string;
  /** Who sent the invite (the message's sender). */
  admin: string;
  /** Unix seconds, as the message says. */
  expiration: number;
}

/** group:join: the group joined, or `pending` while an admin decides (join approval). */
export interface GroupJoinResult {
  jid: string;
  pending?: boolean;
}

export interface GroupJoinRequest {
  jid: string;
  /** invite_link, … */
  method?: string;
  /** Unix seconds. */
  t?: number;
}

export interface DaemonApi extends PeopleApi, CallApi, NewsletterApi, CommunityApi {
  // accounts
  addAccount(id: string, opts: { phone?: string }): Promise<{ pairCode?: string }>;
  requestPairCode(id: string, phone: string): Promise<{ pairCode: string }>;
  removeAccount(id: string): Promise<void>;
  listAccounts(): AccountSummary[];
  accountStatus(id: string): AccountSummary;
  startAccount(id: string): Promise<void>;
  stopAccount(id: string): Promise<void>;
  restartAccount(id: string): Promise<void>;
  logoutAccount(id: string): Promise<void>;

  // messaging (chat = conversationId)
  sendMessage(id: string, chat: string, content: OutgoingContent, options?: SendOptions): Promise<SendResult>;
  editMessage(id: string, chat: string, messageId: string, content: string): Promise<{ messageId: string }>;
  deleteMessage(id: string, chat: string, messageId: string): Promise<{ messageId: string }>;
  react(id: string, chat: string, messageId: string, emoji: string): Promise<{ messageId: string }>;
  /** `played`: played receipts (a voice note heard), which also mean read. */
  markRead(id: string, chat: string, messageIds: string[], played?: boolean): Promise<void>;
  sendChatState(id: string, chat: string, state: 'composing' | 'recording' | 'paused'): Promise<void>;
  sendPresence(id: string, status: 'available' | 'unavailable'): Promise<void>;
  /** The file of a media message in `chat` (received, or sent by this account). */
  downloadMedia(id: string, chat: string, messageId: string): Promise<MediaDownload>;

  // groups
  createGroup(id: string, subject: string, participants: string[]): Promise<{ jid: string }>;
  groupMetadata(id: string, group: string): Promise<GroupInfo>;
  groupParticipants(id: string, group: string, action: GroupAction, participants: string[]): Promise<GroupParticipantResult[]>;
  listGroups(id: string): Promise<GroupSummary[]>;
  updateGroup(id: string, group: string, update: GroupUpdate): Promise<void>;
  /** The invite code (`revoke`: a new one, the old stops working). */
  groupInvite(id: string, group: string, action: 'get' | 'revoke'): Promise<GroupInvite>;
  /** Joins by an invite code or link. */
  /** By a link's code, or with `invite` by an invite message's. */
  joinGroup(id: string, code: string, invite?: GroupInviteMessageRef): Promise<GroupJoinResult>;
  groupRequests(id: string, group: string, action: 'list'): Promise<GroupJoinRequest[]>;
  answerGroupRequests(id: string, group: string, action: 'approve' | 'reject', participants: string[]): Promise<Array<{ jid: string; status: number }>>;
  leaveGroup(id: string, group: string): Promise<void>;

  // stored chats, contacts and messages (read from the account's store: also while it is stopped)
  listChats(id: string, opts: ChatListOptions): Promise<ChatInfo[]>;
  listContacts(id: string): Promise<ContactInfo[]>;
  /** A chat's stored messages, newest first. */
  listMessages(id: string, chat: string, opts: MessageListOptions): Promise<StoredMessage[]>;
  /**
   * Asks the phone for `count` (default 50) messages of the chat older than the oldest stored one;
   * they arrive as a `history:sync` of type ON_DEMAND. Resolves once the request is sent.
   */
  requestHistory(id: string, chat: string, count?: number): Promise<HistoryRequestResult>;

  // chats, messages and labels through app state (seen on every device of the account)
  /** @param until for `mute`: unix seconds when it ends; absent: for ever */
  modifyChat(id: string, chat: string, action: ChatAction, until?: number): Promise<void>;
  starMessage(id: string, chat: string, messageId: string, starred: boolean): Promise<void>;
  /** Deletes a message on our own devices only. */
  deleteMessageForMe(id: string, chat: string, messageId: string): Promise<{ messageId: string }>;
  /** The account's labels (deleted ones left out); read from its store, so a stopped account answers too. */
  listLabels(id: string): Promise<LabelInfo[]>;
  editLabel(id: string, edit: LabelEdit): Promise<{ id: string }>;
  labelChat(id: string, chat: string, labelId: string, labelled: boolean): Promise<void>;

  // durable events
  /** Events of one account with seq >= fromSeq, oldest first, at most `limit`. */
  readEvents(account: string, fromSeq: number, limit: number): Promise<WadEvent[]>;
  /** The first seq still retained for an account (to detect gaps). */
  firstRetainedSeq(account: string): Promise<number>;
  /** The seq the account's next event will take (its last seq + 1). */
  nextEventSeq(account: string): Promise<number>;
  /** Events the account's log holds now (what retention has not trimmed). */
  eventLogSize(account: string): Promise<number>;
  /** Moves a named subscriber's cursor (events up to seq are confirmed). */
  ackEvents(subscriber: string, account: string, seq: number): Promise<void>;
  /** A named subscriber's last acked seq per account (0 when none). */
  subscriberCursor(subscriber: string, account: string): Promise<number>;
  /** Live events after they were persisted. Returns the unsubscribe function. */
  onEvent(listener: (event: WadEvent) => void): () => void;

  // webhooks (each a durable subscriber of the accounts it takes)
  addWebhook(spec: WebhookSpec): Promise<{ id: string; secret: string }>;
  listWebhooks(): Promise<WebhookInfo[]>;
  removeWebhook(id: string): Promise<void>;
  /** Restarts a paused webhook where it stopped. */
  resumeWebhook(id: string): Promise<void>;
  /** POSTs one `webhook:test` frame (not from the log) and reports the answer. */
  testWebhook(id: string): Promise<WebhookTestResult>;
}
