/**
 * The checks of `message:send`'s kinds beyond text, media, location, contact,
 * poll, reaction and vote: several contacts, live locations, forwards, pins,
 * keeps, events and their answers, a chat's disappearing timer, and any
 * other Message as protobuf JSON (bounded, and refused when it names a
 * field the schema lacks). requests.ts adds them to its table.
 */
import type { RequestMap } from '../contract/frames.js';
import { MessageContentError, messageFromJson, PIN_DURATIONS } from '../protocol/message/index.js';
import { IpcError } from './errors.js';
import { normalizeJid } from './jid.js';
import { arrayOf, bool, described, int, num, object, oneOf, optional, str, type Check } from './schema.js';

type SendCheck = Check<RequestMap['message:send']['data']>;

const messageId = str({ max: 128, pattern: /^[\x21-\x2e\x30-\x7e]+$/, what: "a message id (printable ASCII without spaces or '/')" });
const latitude = num({ min: -90, max: 90 });
const longitude = num({ min: -180, max: 180 });
/** Unix seconds up to the year 2100. */
const unixSeconds = int(0, 4_102_444_800);

/** A Message as protobuf JSON is at most this long (as JSON): WhatsApp's own messages stay far below. */
export const MAX_RAW_MESSAGE_JSON = 64 * 1024;

const rawMessage: Check<Record<string, unknown>> = described(
  (v, path) => {
    const where = path === '' ? 'data' : path;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new IpcError('INVALID_PAYLOAD', `${where} must be a proto Message as protobuf JSON (an object)`, { field: where });
    if (JSON.stringify(v).length > MAX_RAW_MESSAGE_JSON) throw new IpcError('INVALID_PAYLOAD', `${where} is longer than ${MAX_RAW_MESSAGE_JSON} characters of JSON`, { field: where });
    try {
      messageFromJson(v);
    } catch (err) {
      if (err instanceof MessageContentError) throw new IpcError('INVALID_PAYLOAD', `${where}: ${err.message}`, { field: where });
      throw err;
    }
    return v as Record<string, unknown>;
  },
  { type: 'object', description: `a proto Message as protobuf JSON (field names of WhatsApp's Message, bytes as base64), at most ${MAX_RAW_MESSAGE_JSON} characters` },
);

const pinDuration: Check<number> = described(
  (v, path) => {
    const n = int(1, PIN_DURATIONS[PIN_DURATIONS.length - 1])(v, path);
    if (!(PIN_DURATIONS as readonly number[]).includes(n)) throw new IpcError('INVALID_PAYLOAD', `${path || 'data'} must be one of ${PIN_DURATIONS.join(', ')} (seconds)`, { field: path || 'data' });
    return n;
  },
  { type: 'integer', enum: [...PIN_DURATIONS] },
);

const chat: Check<string> = described(
  (v, path) => {
    const j = normalizeJid(str({ max: 128 })(v, path));
    if (j === undefined) throw new IpcError('INVALID_PAYLOAD', `${path} must be a jid, a phone number or a group id`, { field: path });
    return j;
  },
  { type: 'string', maxLength: 128, description: 'a jid, a phone number or a group id' },
);

export const SEND_KINDS: Record<string, SendCheck> = {
  contacts: object({
    type: oneOf(['contacts'] as const),
    displayName: optional(str({ max: 1024 })),
    contacts: arrayOf(object({ displayName: str({ max: 1024 }), vcard: str({ max: 65_536 }) }), { min: 1, max: 64 }),
  }),
  'live-location': object({
    type: oneOf(['live-location'] as const),
    latitude,
    longitude,
    accuracy: optional(int(0, 100_000)),
    speed: optional(num({ min: 0, max: 1_000 })),
    bearing: optional(int(0, 359)),
    caption: optional(str({ max: 1024 })),
    messageId: optional(messageId),
  }),
  forward: object({ type: oneOf(['forward'] as const), messageId, fromChat: optional(chat) }),
  pin: object({ type: oneOf(['pin'] as const), messageId, unpin: optional(bool), duration: optional(pinDuration) }),
  keep: object({ type: oneOf(['keep'] as const), messageId, undo: optional(bool) }),
  event: object({
    type: oneOf(['event'] as const),
    name: str({ max: 256 }),
    description: optional(str({ min: 0, max: 4096 })),
    location: optional(object({ latitude, longitude, name: optional(str({ max: 1024 })), address: optional(str({ max: 1024 })) })),
    startTime: unixSeconds,
    endTime: optional(unixSeconds),
    joinLink: optional(str({ max: 2048, pattern: /^https:\/\/[^\s]+$/, what: 'an https:// link' })),
    extraGuestsAllowed: optional(bool),
    canceled: optional(bool),
  }),
  'event-response': object({
    type: oneOf(['event-response'] as const),
    eventId: messageId,
    response: oneOf(['going', 'not-going', 'maybe'] as const),
    extraGuests: optional(int(0, 100)),
  }),
  disappearing: object({ type: oneOf(['disappearing'] as const), expiration: int(0, 0x7fff_ffff) }),
  message: object({ type: oneOf(['message'] as const), message: rawMessage, viewOnce: optional(bool) }),
};
