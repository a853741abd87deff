/**
 * The control socket's wire vocabulary, shared by the IPC
 * server and WadClient: the frame envelope, every request type with its data
 * and result, the events the daemon pushes, close codes. Types and constants
 * only: no I/O, nothing the browser-less client could not load.
 */
import type {
  AccountSummary,
  ChatAction,
  ChatInfo,
  ChatListOptions,
  ContactInfo,
  EventType,
  GroupAction,
  GroupInfo,
  HistoryRequestResult,
  LabelInfo,
  MediaFields,
  MediaKind,
  MessageListOptions,
  StoredMessage,
  WebhookInfo,
  WebhookSpec,
  WebhookTestResult,
  GroupInvite,
  GroupJoinRequest,
  GroupJoinResult,
  GroupParticipantResult,
  GroupSummary,
  GroupUpdate,
  EventAnswer,
  EventContent,
  LiveLocationContent,
} from './api.js';
import type { ErrorCode } from './errors.js';
import { CALL_REQUEST_TYPES, type CallRequestMap } from './calls.js';
import { NEWSLETTER_REQUEST_TYPES, type NewsletterRequestMap } from './newsletters.js';
import { PEOPLE_REQUEST_TYPES, type PeopleRequestMap } from './people.js';
import { COMMUNITY_REQUEST_TYPES, type CommunityRequestMap } from './communities.js';

export type { ErrorCode };

export const PROTOCOL_VERSION = 1;

/** Every text frame, both directions. */
export interface Frame<T extends string = string, D = Record<string, unknown>> {
  id: string;
  type: T;
  version: number;
  timestamp: number;
  tenantId?: string;
  conversationId?: string;
  data: D;
  ack?: boolean;
  replyTo?: string;
  /** On event frames: the subscription that delivered it (an addition to the seed's envelope). */
  subscription?: string;
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  /** Milliseconds to wait before retrying (RATE_LIMITED). */
  retryAfter?: number;
}

export type AckData = ({ success: true } & Record<string, unknown>) | { success: false; error: ErrorPayload };

/**
 * `message:send` data as it travels on the socket. Media bytes come from a
 * binary upload, a local path (Unix socket only) or base64. Every kind takes
 * `idempotencyKey` (≤ 64 characters): the same key on the same account
 * within 24 h answers the first send's messageId and sends nothing again.
 * To `status@broadcast`, `audience` (jids or numbers) names who gets the status.
 */
export type SendData = SendContentData & { idempotencyKey?: string; audience?: string[] };

type SendContentData =
  /**
   * `backgroundArgb` (0xAARRGGBB) and `font` (0–9): a text status's colour and typeface.
   * `linkPreview`: `true` has the daemon make it from the first link, or given (`thumbnail`: an image, base64).
   */
  | { type: 'text'; content: string; quoted?: string; mentions?: string[]; backgroundArgb?: number; font?: number; linkPreview?: boolean | LinkPreviewData }
  | { type: 'reply'; content: string; quoted: string; mentions?: string[] }
  | (MediaFields & {
      type: MediaKind;
      /** The binary frames' sequence number that carried the bytes (see src/contract/binary.ts). */
      upload?: number;
      path?: string;
      base64?: string;
      /** A small JPEG preview, base64. */
      jpegThumbnail?: string;
    })
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contact'; displayName: string; vcard: string }
  | { type: 'poll'; name: string; options: string[]; selectableCount?: number }
  | { type: 'reaction'; messageId: string; emoji: string }
  /** A vote on a poll of the chat, options by name (none withdraws). */
  | { type: 'poll-vote'; pollId: string; options: string[] }
  | { type: 'contacts'; displayName?: string; contacts: Array<{ displayName: string; vcard: string }> }
  | LiveLocationContent
  | { type: 'forward'; messageId: string; fromChat?: string }
  | { type: 'pin'; messageId: string; unpin?: boolean; duration?: number }
  | { type: 'keep'; messageId: string; undo?: boolean }
  | EventContent
  | { type: 'event-response'; eventId: string; response: EventAnswer; extraGuests?: number }
  /** Seconds (0: off); in a group, the group's setting. */
  | { type: 'disappearing'; expiration: number }
  /** Any Message, as protobuf JSON (at most 64 KiB of JSON; a field the schema lacks is refused). */
  | { type: 'message'; message: Record<string, unknown>; viewOnce?: boolean };

/** A link preview the caller gives on the socket (the thumbnail as base64). */
export interface LinkPreviewData {
  url: string;
  title: string;
  description?: string;
  thumbnail?: string;
}

export interface SubscribeData {
  /** A durable subscriber's name: delivery resumes from its last events:ack. Absent: live only. */
  name?: string;
  accounts?: string[];
  types?: EventType[];
  /** First seq to deliver: one number for every account, or per account; 0 means the oldest retained. */
  since?: number | Record<string, number>;
  /**
   * Where delivery starts in every account, said in words (not with a single-number `since`; a per-account `since` wins for the accounts it names):
   * `'now'` only events logged from now on (a named subscriber's cursor moves to now, so its backlog is skipped and
   * a later resubscribe without `from` resumes from there), `'start'` the oldest event still retained, a number that seq.
   * Absent: a named subscriber resumes after its last `events:ack`, and a name never seen before starts at the oldest
   * retained event (every event still in the log is delivered); without a name, live only (as `'now'`).
   */
  from?: SubscribeFrom;
}

/** `events:subscribe`'s `from`. */
export type SubscribeFrom = 'now' | 'start' | number;

type Empty = Record<string, never>;

/**
 * `media:download` (conversationId = the chat): the daemon sends the file's
 * verified plaintext as binary DOWNLOAD_CHUNK frames whose sequence number is
 * `data.download` (chosen by the client, like an upload's), then the ack with
 * the totals. A failure is the ack's error; chunks already sent are void.
 */
export interface MediaDownloadData {
  messageId: string;
  download: number;
}

export interface MediaDownloadResult {
  download: number;
  /** image, video, audio, document, sticker. */
  type: string;
  mimeType: string;
  /** Plaintext bytes sent. */
  fileLength: number;
  totalChunks: number;
  fileName?: string;
}
type IdData = { id?: string };

/** Client → daemon requests: the data each takes and what a successful ack adds to `{success: true}`. */
export interface RequestMap extends PeopleRequestMap, CallRequestMap, CommunityRequestMap, NewsletterRequestMap {
  'account:add': { data: { id?: string; phone?: string }; result: { pairCode?: string } };
  'account:remove': { data: IdData; result: Empty };
  'account:list': { data: Empty; result: { accounts: AccountSummary[] } };
  'account:status': { data: IdData; result: AccountSummary };
  'account:start': { data: IdData; result: Empty };
  'account:stop': { data: IdData; result: Empty };
  'account:restart': { data: IdData; result: Empty };
  'account:logout': { data: IdData; result: Empty };
  'account:pair-code': { data: { id?: string; phone: string }; result: { pairCode: string } };
  /** `linkPreviewError`: why the link preview asked for was not sent (or went without its image); the text was sent. */
  'message:send': { data: SendData; result: { messageId: string; linkPreviewError?: string } };
  'message:edit': { data: { messageId: string; content: string }; result: { messageId: string } };
  /** With `forMe`, deleted on our own devices only (app state); without, revoked for everyone. */
  'message:delete': { data: { messageId: string; forMe?: boolean }; result: { messageId: string } };
  'message:react': { data: { messageId: string; emoji: string }; result: { messageId: string } };
  /** `played`: played receipts (voice notes heard) instead of read receipts. */
  'message:read': { data: { messageIds: string[]; played?: boolean }; result: Empty };
  'media:download': { data: MediaDownloadData; result: MediaDownloadResult };
  /** `disappearing` sets the chat's timer to `expiration` seconds (0: off), a group's as its setting. */
  'chat:modify': { data: { action: ChatAction | 'disappearing'; until?: number; expiration?: number }; result: Empty };
  'message:star': { data: { messageId: string; starred: boolean }; result: Empty };
  'label:list': { data: Empty; result: { labels: LabelInfo[] } };
  'label:edit': { data: { id?: string; name: string; color?: number; deleted?: boolean }; result: { id: string } };
  'label:chat': { data: { labelId: string; action: 'add' | 'remove' }; result: Empty };
  'typing:start': { data: { recording?: boolean }; result: Empty };
  'typing:stop': { data: Empty; result: Empty };
  'presence:update': { data: { status: 'available' | 'unavailable' }; result: Empty };
  'group:create': { data: { subject: string; participants: string[] }; result: { jid: string } };
  'group:metadata': { data: Empty; result: GroupInfo };
  'chat:list': { data: ChatListOptions; result: { chats: ChatInfo[] } };
  'contact:list': { data: Empty; result: { contacts: ContactInfo[] } };
  'message:list': { data: MessageListOptions; result: { messages: StoredMessage[] } };
  'history:request': { data: { count?: number }; result: HistoryRequestResult };
  /** `participants` as first offered ({jid, status}); `results` adds whether an invite was sent. */
  'group:participants': {
    data: { action: GroupAction; participants: string[] };
    result: { participants: Array<{ jid: string; status: number }>; results: GroupParticipantResult[] };
  };
  'group:list': { data: Empty; result: { groups: GroupSummary[] } };
  'group:update': { data: GroupUpdate; result: Empty };
  'group:invite': { data: { action: 'get' | 'revoke' }; result: GroupInvite };
  /** `code`: the invite code or the whole https://chat.whatsapp.com/… link. */
  /** With `group`, `admin` and `expiration` (a group invite message's), joins by that message. */
  'group:join': { data: { code: string; group?: string; admin?: string; expiration?: number }; result: GroupJoinResult };
  /** list → `requests`; approve/reject (with `participants`) → `results`. */
  'group:requests': {
    data: { action: 'list' | 'approve' | 'reject'; participants?: string[] };
    result: { requests?: GroupJoinRequest[]; results?: Array<{ jid: string; status: number }> };
  };
  'group:leave': { data: Empty; result: Empty };
  'events:subscribe': { data: SubscribeData; result: { subscription: string } };
  'events:unsubscribe': { data: { subscription: string }; result: Empty };
  'events:ack': { data: { name: string; account: string; seq: number }; result: { cursor: number } };
  'webhook:add': { data: WebhookSpec; result: { id: string; secret: string } };
  'webhook:list': { data: Empty; result: { webhooks: WebhookInfo[] } };
  'webhook:remove': { data: { id: string }; result: Empty };
  'webhook:resume': { data: { id: string }; result: Empty };
  'webhook:test': { data: { id: string }; result: WebhookTestResult };
}

export type RequestType = keyof RequestMap;

export const REQUEST_TYPES: readonly RequestType[] = [
  'account:add',
  'account:remove',
  'account:list',
  'account:status',
  'account:start',
  'account:stop',
  'account:restart',
  'account:logout',
  'account:pair-code',
  'message:send',
  'message:edit',
  'message:delete',
  'message:react',
  'message:read',
  'media:download',
  'chat:modify',
  'message:star',
  'label:list',
  'label:edit',
  'label:chat',
  'typing:start',
  'typing:stop',
  'presence:update',
  'group:create',
  'group:metadata',
  'group:participants',
  'chat:list',
  'contact:list',
  'message:list',
  'history:request',
  'group:list',
  'group:update',
  'group:invite',
  'group:join',
  'group:requests',
  'group:leave',
  'events:subscribe',
  'events:unsubscribe',
  'events:ack',
  'webhook:add',
  'webhook:list',
  'webhook:remove',
  'webhook:resume',
  'webhook:test',
  ...PEOPLE_REQUEST_TYPES,
  ...CALL_REQUEST_TYPES,
  ...NEWSLETTER_REQUEST_TYPES,
  ...COMMUNITY_REQUEST_TYPES,
];

export const EVENT_TYPES: readonly EventType[] = [
  'connection:update',
  'message:new',
  'message:updated',
  'message:deleted',
  'message:receipt',
  'typing:update',
  'presence:update',
  'call:incoming',
  'call:ended',
  'group:update',
  'chat:updated',
  'contact:updated',
  'label:updated',
  'privacy:updated',
  'block:updated',
  'history:sync',
  'account:status',
  'error',
];

/**
 * Daemon → client frames that are not events of the log: `ack` answers,
 * `error` answers to malformed frames (they carry `replyTo`, durable `error`
 * events do not), and `events:synced` once a subscription has caught up with
 * the log (data: `{subscription, accounts: {<id>: <last seq delivered>}}`).
 */
/** `chat:modify`'s actions. */
export const CHAT_ACTIONS: readonly ChatAction[] = ['archive', 'unarchive', 'pin', 'unpin', 'mute', 'unmute', 'markRead', 'markUnread', 'clear', 'delete'];

export const CONTROL_TYPES = ['ack', 'error', 'events:synced'] as const;

/** Close codes the server uses beyond RFC 6455's. */
export const CLOSE = {
  /** Frame over maxFrameBytes (set by ws). */
  TOO_BIG: 1009,
  /** A binary frame that breaks the binary layout. */
  BAD_BINARY: 1007,
  /** Send buffer over its hard bound, or paused longer than allowed. */
  SLOW_CONSUMER: 1008,
  /** Daemon stopping. */
  GOING_AWAY: 1001,
  /** Pushed out for a newcomer, or idle past the idle deadline: reconnect when there is something to do. */
  TRY_AGAIN_LATER: 1013,
  /** Token expired while connected. */
  TOKEN_EXPIRED: 4001,
} as const;

/** Binary frame message types (the header's third uint32): client → daemon uploads, daemon → client downloads. */
export const BINARY_TYPE = { UPLOAD_CHUNK: 1, DOWNLOAD_CHUNK: 2 } as const;
export const BINARY_HEADER_BYTES = 16;

export interface BinaryChunkHeader {
  type: MediaKind | 'file_chunk';
  conversationId: string;
  chunkIndex: number;
  totalChunks: number;
  mimeType: string;
}
