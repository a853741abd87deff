/**
 * The shapes a decoded message comes out in: its type, what it refers to
 * (a quoted, edited, reacted-to message), and every kind-specific field.
 * Types only; decode.ts and decode-kinds.ts fill them in.
 */

export type DecodedType =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'live-location'
  | 'contact'
  | 'contacts'
  | 'poll'
  | 'poll-vote'
  | 'group-invite'
  | 'reaction'
  | 'edit'
  | 'revoke'
  | 'disappearing'
  | 'sender-key'
  | 'protocol'
  | 'pin'
  | 'keep'
  | 'event'
  | 'event-response'
  | 'unknown';

export interface DecodedRef {
  id: string;
  chat?: string;
  fromMe?: boolean;
  participant?: string;
}

/** JSON-safe (no Uint8Array, no undefined values once serialised). */
export interface DecodedContent {
  type: DecodedType;
  /** Text or caption. */
  content?: string;
  quoted?: { id: string; participant?: string; chat?: string; type?: DecodedType; content?: string };
  mentions?: string[];
  linkPreview?: {
    matchedText?: string;
    title?: string;
    description?: string;
    /** The small inline JPEG, base64. */
    jpegThumbnail?: string;
    /** The high-quality thumbnail's location and keys (media type thumbnail-link), base64 byte fields. */
    thumbnail?: { directPath: string; mediaKey?: string; fileSha256?: string; fileEncSha256?: string; width?: number; height?: number; mediaKeyTimestamp?: number };
  };
  /** Disappearing timer the sender's content carried (seconds). */
  expiration?: number;
  viewOnce?: boolean;
  /** Wrapper names passed through (ephemeralMessage, viewOnceMessageV2…). */
  wrappers?: string[];
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  contacts?: Array<{ displayName: string; vcard: string }>;
  poll?: { name: string; options: string[]; selectableCount: number; secret?: string };
  vote?: { poll: DecodedRef; encPayload: string; encIv: string; senderTimestampMs?: number };
  reaction?: { target: DecodedRef; emoji: string; senderTimestampMs?: number };
  edit?: { target: DecodedRef; content?: string; timestampMs?: number };
  revoke?: { target: DecodedRef };
  disappearing?: { expiration: number };
  /** A group invite an admin sent to us in particular: group:join takes its code with group, sender (admin) and expiration. */
  groupInvite?: { group: string; code: string; expiration: number; name?: string };
  media?: {
    mimetype?: string;
    fileLength?: number;
    fileName?: string;
    url?: string;
    directPath?: string;
    mediaKey?: string;
    fileSha256?: string;
    fileEncSha256?: string;
    seconds?: number;
    ptt?: boolean;
    width?: number;
    height?: number;
  };
  /** The senderKeyDistributionMessage a message carried (group key delivery; handled by the account). */
  senderKey?: { groupId: string };
  /** The whole Message (base64) for kinds wad does not decode, so nothing is lost. */
  raw?: string;
  /** Marked forwarded by its sender, with how many times it was (WhatsApp says "forwarded many times" from 5). */
  forwarded?: boolean;
  forwardingScore?: number;
  /** A live location: `location` is where; which update this is (the highest sequenceNumber is the newest). */
  liveLocation?: { sequenceNumber: number; timeOffset: number; accuracy?: number; speed?: number; bearing?: number };
  /** A message pinned (for `duration` seconds) or unpinned for everyone in the chat. */
  pin?: { target: DecodedRef; pinned: boolean; duration?: number };
  /** A message kept (or no longer kept) in a disappearing chat. */
  keep?: { target: DecodedRef; kept: boolean };
  /** An event invitation (times in unix seconds); `secret` (base64) decrypts its answers. */
  event?: {
    name: string;
    startTime: number;
    description?: string;
    endTime?: number;
    joinLink?: string;
    canceled?: boolean;
    extraGuestsAllowed?: boolean;
    location?: { latitude: number; longitude: number; name?: string; address?: string };
    secret?: string;
  };
  /** An answer to an event, still encrypted with the event's secret (the account decrypts it into `response`). */
  eventResponse?: { event: DecodedRef; encPayload: string; encIv: string; response?: string; extraGuestCount?: number };
}
