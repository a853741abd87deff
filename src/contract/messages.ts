/**
 * The control contract's outgoing messages: the content a consumer sends,
 * how, what a send answers, and the daemon API's messaging methods
 * (chat = conversationId). Types only.
 */
import type { proto } from '../protocol/proto/index.js';
import type { MediaContent, MediaDownload } from './media.js';

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

/** The daemon API's messaging methods (id = the account, chat = conversationId). */
export interface MessagingApi {
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
}
