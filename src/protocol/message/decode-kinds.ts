/**
 * Decoding of the kinds that act on another message or carry a state over
 * time (pins, keeps, live locations, events and their encrypted answers),
 * and of the forwarded mark, into `message:new`'s fields. Pure; decode.ts
 * calls these for the kinds they name.
 */
import type { proto } from '../proto/index.js';
import type { DecodedContent, DecodedRef } from './decoded.js';

export function ref(k: proto.IMessageKey | null | undefined): DecodedRef {
  const out: DecodedRef = { id: k?.id ?? '' };
  if (k?.remoteJid) out.chat = k.remoteJid;
  if (typeof k?.fromMe === 'boolean') out.fromMe = k.fromMe;
  if (k?.participant) out.participant = k.participant;
  return out;
}

const b64 = (b: Uint8Array | null | undefined): string => (b && b.length > 0 ? Buffer.from(b).toString('base64') : '');

/** The forwarded mark and score of a content's contextInfo. */
export function applyForwarded(out: DecodedContent, ctx: proto.IContextInfo): void {
  if (ctx.isForwarded) out.forwarded = true;
  if (ctx.forwardingScore) out.forwardingScore = ctx.forwardingScore;
}

/** A live location share or update: where, how precisely, and which update it is. */
export function decodeLiveLocation(out: DecodedContent, l: proto.Message.ILiveLocationMessage): void {
  out.type = 'live-location';
  out.location = { latitude: l.degreesLatitude ?? 0, longitude: l.degreesLongitude ?? 0 };
  const live: NonNullable<DecodedContent['liveLocation']> = { sequenceNumber: Number(l.sequenceNumber ?? 0), timeOffset: l.timeOffset ?? 0 };
  if (l.accuracyInMeters) live.accuracy = l.accuracyInMeters;
  if (l.speedInMps) live.speed = l.speedInMps;
  if (l.degreesClockwiseFromMagneticNorth) live.bearing = l.degreesClockwiseFromMagneticNorth;
  out.liveLocation = live;
  if (l.caption) out.content = l.caption;
}

/**
 * The kinds about another message or with their own state; false when `m`
 * is none of them. `whole` is the message with its messageContextInfo (a
 * pin's duration, an event's secret).
 */
export function decodeAddonKind(out: DecodedContent, m: proto.IMessage, whole: proto.IMessage): boolean {
  const info = whole.messageContextInfo ?? m.messageContextInfo;
  if (m.pinInChatMessage) {
    const p = m.pinInChatMessage;
    out.type = 'pin';
    out.pin = { target: ref(p.key), pinned: p.type !== 2 /* UNPIN_FOR_ALL */ };
    if (out.pin.pinned && info?.messageAddOnDurationInSecs) out.pin.duration = info.messageAddOnDurationInSecs;
    return true;
  }
  if (m.keepInChatMessage) {
    const k = m.keepInChatMessage;
    out.type = 'keep';
    out.keep = { target: ref(k.key), kept: k.keepType !== 2 /* UNDO_KEEP_FOR_ALL */ };
    return true;
  }
  if (m.eventMessage) {
    const e = m.eventMessage;
    out.type = 'event';
    out.content = e.name ?? '';
    const ev: NonNullable<DecodedContent['event']> = { name: e.name ?? '', startTime: Number(e.startTime ?? 0) };
    if (e.description) ev.description = e.description;
    if (e.endTime) ev.endTime = Number(e.endTime);
    if (e.joinLink) ev.joinLink = e.joinLink;
    if (e.isCanceled) ev.canceled = true;
    if (e.extraGuestsAllowed) ev.extraGuestsAllowed = true;
    if (e.location) {
      ev.location = { latitude: e.location.degreesLatitude ?? 0, longitude: e.location.degreesLongitude ?? 0 };
      if (e.location.name) ev.location.name = e.location.name;
      if (e.location.address) ev.location.address = e.location.address;
    }
    const secret = b64(info?.messageSecret);
    if (secret) ev.secret = secret;
    out.event = ev;
    return true;
  }
  if (m.encEventResponseMessage) {
    const r = m.encEventResponseMessage;
    out.type = 'event-response';
    out.eventResponse = { event: ref(r.eventCreationMessageKey), encPayload: b64(r.encPayload), encIv: b64(r.encIv) };
    return true;
  }
  return false;
}
