/**
 * Messages that act on another message or carry a state over time: pins and
 * keeps (of a message in the chat), live locations (a share and its
 * numbered updates), events (an invitation, and the encrypted answers to
 * it), and forwards of an existing message. Shapes follow WhatsApp Web as
 * Baileys 7 sends them (generateWAMessageContent's pin, event and
 * generateForwardMessageContent). Pure: times, secrets and ivs come in as
 * arguments.
 */
import { proto } from '../proto/index.js';
import { encryptAddon, decryptAddon, type AddonContext } from './addon-crypto.js';
import { MessageContentError } from './errors.js';
import { unwrap } from './kind.js';

type Key = proto.IMessageKey;

/** How long a pin lasts, as WhatsApp offers it: 24 hours, 7 days, 30 days (seconds). */
export const PIN_DURATIONS = [86_400, 604_800, 2_592_000] as const;

/**
 * Pins (or unpins) a message for everyone in the chat. The duration rides in
 * messageContextInfo.messageAddOnDurationInSecs (0 on an unpin).
 */
export function pinMessage(target: Key, pin: boolean, durationSeconds: number, senderTimestampMs: number): proto.IMessage {
  const T = proto.Message.PinInChatMessage.Type;
  return {
    pinInChatMessage: { key: target, type: pin ? T.PIN_FOR_ALL : T.UNPIN_FOR_ALL, senderTimestampMs },
    messageContextInfo: { messageAddOnDurationInSecs: pin ? durationSeconds : 0 },
  };
}

/** Keeps a message of a disappearing chat from disappearing (or undoes it), for everyone. */
export function keepMessage(target: Key, keep: boolean, timestampMs: number): proto.IMessage {
  return { keepInChatMessage: { key: target, keepType: keep ? proto.KeepType.KEEP_FOR_ALL : proto.KeepType.UNDO_KEEP_FOR_ALL, timestampMs } };
}

export interface LiveLocation {
  readonly latitude: number;
  readonly longitude: number;
  readonly accuracyInMeters?: number | undefined;
  readonly speedInMps?: number | undefined;
  /** Degrees clockwise from magnetic north. */
  readonly bearing?: number | undefined;
  readonly caption?: string | undefined;
  /** 1 for the share, each update one more: receivers keep the highest. */
  readonly sequenceNumber: number;
  /** Seconds since the share started. */
  readonly timeOffset: number;
  /** For an update: the share's message (its position is what moves). */
  readonly share?: { readonly id: string; readonly participant: string } | undefined;
}

export function liveLocationMessage(l: LiveLocation): proto.IMessage {
  const m: proto.Message.ILiveLocationMessage = {
    degreesLatitude: l.latitude,
    degreesLongitude: l.longitude,
    sequenceNumber: l.sequenceNumber,
    timeOffset: l.timeOffset,
  };
  if (l.accuracyInMeters !== undefined) m.accuracyInMeters = l.accuracyInMeters;
  if (l.speedInMps !== undefined) m.speedInMps = l.speedInMps;
  if (l.bearing !== undefined) m.degreesClockwiseFromMagneticNorth = l.bearing;
  if (l.caption !== undefined) m.caption = l.caption;
  if (l.share) m.contextInfo = { stanzaId: l.share.id, participant: l.share.participant };
  return { liveLocationMessage: m };
}

/**
 * The same built live location with its update number and offset set: the
 * number is only known when the update's turn to be sent comes, so that two
 * updates asked for at once never share one.
 */
export function numberedLiveLocation(message: proto.IMessage, sequenceNumber: number, timeOffset: number): proto.IMessage {
  const live = message.liveLocationMessage;
  if (!live) return message;
  return { ...message, liveLocationMessage: { ...live, sequenceNumber, timeOffset } };
}

export interface EventDetails {
  readonly name: string;
  readonly description?: string | undefined;
  readonly location?: { readonly latitude: number; readonly longitude: number; readonly name?: string | undefined; readonly address?: string | undefined } | undefined;
  /** Unix seconds. */
  readonly startTime: number;
  readonly endTime?: number | undefined;
  readonly joinLink?: string | undefined;
  readonly extraGuestsAllowed?: boolean | undefined;
  readonly canceled?: boolean | undefined;
}

/** An event invitation; its 32-byte secret is what the answers are encrypted with. */
export function eventMessage(e: EventDetails, messageSecret: Uint8Array): proto.IMessage {
  if (messageSecret.length !== 32) throw new MessageContentError('BAD_CONTENT', 'an event secret is 32 bytes');
  if (e.endTime !== undefined && e.endTime < e.startTime) throw new MessageContentError('BAD_CONTENT', 'an event ends after it starts');
  const ev: proto.Message.IEventMessage = { name: e.name, startTime: e.startTime, isCanceled: e.canceled ?? false };
  if (e.description !== undefined) ev.description = e.description;
  if (e.endTime !== undefined) ev.endTime = e.endTime;
  if (e.joinLink !== undefined) ev.joinLink = e.joinLink;
  if (e.extraGuestsAllowed !== undefined) ev.extraGuestsAllowed = e.extraGuestsAllowed;
  if (e.location) {
    ev.location = { degreesLatitude: e.location.latitude, degreesLongitude: e.location.longitude };
    if (e.location.name !== undefined) ev.location.name = e.location.name;
    if (e.location.address !== undefined) ev.location.address = e.location.address;
  }
  return { eventMessage: ev, messageContextInfo: { messageSecret } };
}

export type EventAnswer = 'going' | 'not-going' | 'maybe';
const ANSWERS: Record<EventAnswer, number> = { going: 1, 'not-going': 2, maybe: 3 };

/** What an answer decrypts to. */
export interface EventResponse {
  readonly response: EventAnswer | 'unknown';
  readonly timestampMs?: number;
  readonly extraGuestCount?: number;
}

export interface EventResponseContext {
  readonly eventId: string;
  /** The event's creator (user JID). */
  readonly creatorJid: string;
  readonly responderJid: string;
  readonly messageSecret: Uint8Array;
}

const addon = (c: EventResponseContext): AddonContext => ({ targetId: c.eventId, creatorJid: c.creatorJid, senderJid: c.responderJid, messageSecret: c.messageSecret });

/** An answer to an event, encrypted with the event's secret (as poll votes are). @param iv 12 random bytes */
export function eventResponseMessage(event: Key, answer: EventAnswer, extraGuestCount: number | undefined, ctx: EventResponseContext, timestampMs: number, iv: Uint8Array): proto.IMessage {
  const plain = proto.Message.EventResponseMessage.encode({ response: ANSWERS[answer], timestampMs, ...(extraGuestCount !== undefined ? { extraGuestCount } : {}) }).finish();
  const enc = encryptAddon(plain, addon(ctx), 'Event Response', iv);
  return { encEventResponseMessage: { eventCreationMessageKey: event, encPayload: enc.encPayload, encIv: enc.encIv } };
}

/** The answer, or undefined when it does not decrypt with these JIDs and secret. */
export function decryptEventResponse(encPayload: Uint8Array, encIv: Uint8Array, ctx: EventResponseContext): EventResponse | undefined {
  const plain = decryptAddon(encPayload, encIv, addon(ctx), 'Event Response');
  if (!plain) return undefined;
  let r: proto.Message.EventResponseMessage;
  try {
    r = proto.Message.EventResponseMessage.decode(plain);
  } catch {
    return undefined;
  }
  const name = (Object.keys(ANSWERS) as EventAnswer[]).find((k) => ANSWERS[k] === r.response);
  const out: { response: EventAnswer | 'unknown'; timestampMs?: number; extraGuestCount?: number } = { response: name ?? 'unknown' };
  if (r.timestampMs != null) out.timestampMs = Number(r.timestampMs);
  if (r.extraGuestCount != null && r.extraGuestCount !== 0) out.extraGuestCount = r.extraGuestCount;
  return out;
}

/**
 * A forward of `original`: its content without wrappers, quote, mentions or
 * secret, marked forwarded with the original's score plus one (WhatsApp
 * shows "forwarded many times" from a score of 5). A message we wrote
 * ourselves keeps its score (0: not marked), as WhatsApp does.
 * @throws MessageContentError BAD_CONTENT for a message with nothing to forward
 */
export function forwardMessage(original: proto.IMessage, ownMessage: boolean): proto.IMessage {
  const inner = unwrap(original).message;
  const copy = proto.Message.decode(proto.Message.encode(inner).finish());
  copy.messageContextInfo = null;
  copy.senderKeyDistributionMessage = null;
  if (copy.protocolMessage || copy.reactionMessage || copy.pollUpdateMessage || copy.encEventResponseMessage) throw new MessageContentError('BAD_CONTENT', 'that message cannot be forwarded');
  if (typeof copy.conversation === 'string') {
    copy.extendedTextMessage = { text: copy.conversation };
    copy.conversation = null;
  }
  const entry = Object.entries(copy).find(([, v]) => v && typeof v === 'object' && !(v instanceof Uint8Array));
  if (!entry) throw new MessageContentError('BAD_CONTENT', 'that message has no content to forward');
  const content = entry[1] as { contextInfo?: proto.IContextInfo | null };
  const score = (content.contextInfo?.forwardingScore ?? 0) + (ownMessage ? 0 : 1);
  content.contextInfo = score > 0 ? { forwardingScore: score, isForwarded: true } : null;
  return copy;
}
