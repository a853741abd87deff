/**
 * The sends that need what the account keeps about another message: a
 * forward (the original's content and score), a live location update (the
 * share's sequence and start, numbered in the chat's mailbox), an event
 * answer (the event's secret and creator), and the bookkeeping of a share
 * or an event sent, so that later updates and answers find them. Received events are kept by the
 * receive path (inbound.ts) in the same shape.
 *
 * Owns these lookups and records; building is src/protocol's, sending the
 * caller's relay.
 */
import { randomBytes } from 'node:crypto';
import type { EventAnswer, LiveLocationContent } from '../../contract/api.js';
import { eventResponseMessage, numberedLiveLocation, type MessageContent } from '../../protocol/message/index.js';
import { isGroup, isLid, jidNormalizedUser } from '../../protocol/jid/index.js';
import { proto } from '../../protocol/proto/index.js';
import type { Transaction, ValueMap } from '../../store/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { MessagingError } from './errors.js';
import type { Identities } from './identity.js';

/** A stored event as an answer needs it: the secret and who may have created it. */
export interface StoredEvent {
  readonly secret: Uint8Array;
  /** Candidate creator JIDs (user JIDs). */
  readonly creators: readonly string[];
}

export function eventRecord(secret: Uint8Array, creators: readonly string[]): ValueMap {
  return { type: 'event', event: { secret, creators: [...creators] } };
}

export function readEvent(record: ValueMap | undefined): StoredEvent | undefined {
  const ev = record?.event as ValueMap | undefined;
  if (!ev || !(ev.secret instanceof Uint8Array)) return undefined;
  return { secret: ev.secret, creators: (ev.creators as string[] | undefined) ?? [] };
}

/** A received message's own record may keep its content for a forward, up to this size. */
export const MAX_FORWARDABLE_BYTES = 64 * 1024;

/**
 * Where a message is kept: received ones under the canonical chat, our own
 * (polls, events, shares) under the chat as we sent them.
 */
async function findRecord(deps: MessagingDeps, ids: Identities, chat: string, id: string): Promise<{ key: string; record: ValueMap } | undefined> {
  const canonical = await ids.canonicalChat(chat);
  for (const key of canonical === chat ? [chat] : [canonical, chat]) {
    const record = await deps.store.messages.get(key, id);
    if (record) return { key, record };
  }
  return undefined;
}

/** The content of a message to forward, and whether it was ours. @throws MessagingError NOT_FOUND */
export async function forwardOriginal(deps: MessagingDeps, ids: Identities, chat: string, id: string): Promise<MessageContent> {
  const sent = await deps.store.sent.get(id);
  if (sent) return { type: 'forward', original: proto.Message.decode(sent.message), ownMessage: true };
  const found = await findRecord(deps, ids, chat, id);
  const bytes = found?.record.message;
  if (!(bytes instanceof Uint8Array)) throw new MessagingError('NOT_FOUND', `no message ${id} in ${chat} with content to forward`);
  return { type: 'forward', original: proto.Message.decode(bytes), ownMessage: found!.record.fromMe === true };
}

/**
 * A share (sequence 1) or an update of one of ours. An update's number and
 * offset are given when its turn to be sent comes (liveLocationTurn); this
 * only checks that the share is ours. @throws MessagingError NOT_FOUND (no such share of ours)
 */
export async function liveLocationContent(deps: MessagingDeps, ids: Identities, chat: string, c: LiveLocationContent): Promise<MessageContent> {
  const base = { type: 'live-location' as const, latitude: c.latitude, longitude: c.longitude, accuracyInMeters: c.accuracy, speedInMps: c.speed, bearing: c.bearing, caption: c.caption, sequenceNumber: 1, timeOffset: 0 };
  if (c.messageId === undefined) return base;
  if (!(await deps.store.messages.get(chat, c.messageId))?.live) throw new MessagingError('NOT_FOUND', `no live location share ${c.messageId} of ours in ${chat}`);
  return { ...base, share: { id: c.messageId, participant: ids.ownUserFor(chat) } };
}

/**
 * Runs in the chat's mailbox just before the send (nothing else of the chat
 * runs meanwhile): an update gets one more than the share's last number,
 * and the share's record with that number goes into the send's first batch,
 * before the server acks it. Two updates asked for at once then never
 * share a number, and a restart never reuses one. A share (`share`
 * undefined) is recorded under its own id as number 1.
 * @throws MessagingError NOT_FOUND (the share's record is gone)
 */
export async function liveLocationTurn(deps: MessagingDeps, chat: string, share: string | undefined, messageId: string, message: proto.IMessage, now: number): Promise<{ message: proto.IMessage; write: (tx: Transaction) => void }> {
  if (share === undefined) {
    const record: ValueMap = { type: 'live-location', fromMe: true, t: Math.floor(now / 1000), live: { seq: 1, startedAt: now } };
    return { message, write: (tx) => tx.messages.put(chat, messageId, record) };
  }
  const prev = await deps.store.messages.get(chat, share);
  const live = prev?.live as ValueMap | undefined;
  if (!prev || !live) throw new MessagingError('NOT_FOUND', `no live location share ${share} of ours in ${chat}`);
  const seq = Number(live.seq ?? 1) + 1;
  const startedAt = Number(live.startedAt ?? now);
  const timeOffset = Math.max(0, Math.floor((now - startedAt) / 1000));
  return { message: numberedLiveLocation(message, seq, timeOffset), write: (tx) => tx.messages.put(chat, share, { ...prev, live: { seq, startedAt } }) };
}

/** After an event is sent: what answers to it need. */
export async function rememberSent(deps: MessagingDeps, chat: string, built: MessageContent, messageId: string, now: number): Promise<void> {
  if (built.type !== 'event') return;
  const me = deps.me();
  const creators = [jidNormalizedUser(me.jid), jidNormalizedUser(me.lid)].filter((j) => j !== '');
  await deps.store.transaction((tx) => tx.messages.put(chat, messageId, { ...eventRecord(built.messageSecret, creators), fromMe: true, t: Math.floor(now / 1000) }));
}

/** Our answer to an event of the chat, encrypted with its secret. @throws MessagingError NOT_FOUND (no such event, or no known creator) */
export async function eventAnswerMessage(deps: MessagingDeps, ids: Identities, chat: string, eventId: string, answer: EventAnswer, extraGuests: number | undefined, now: number): Promise<proto.IMessage> {
  const found = await findRecord(deps, ids, chat, eventId);
  const event = readEvent(found?.record);
  const creator = event?.creators[0];
  if (!event || !creator) throw new MessagingError('NOT_FOUND', `no event ${eventId} in ${chat}`);
  const me = deps.me();
  // Keyed by the identities the event was made under: our LID for a LID creator, else our number.
  const responder = jidNormalizedUser(isLid(creator) && me.lid ? me.lid : me.jid);
  const fromMe = event.creators.some((c) => ids.isMe(c));
  const key = { remoteJid: chat, fromMe, id: eventId, ...(isGroup(chat) && !fromMe ? { participant: creator } : {}) };
  const ctx = { eventId, creatorJid: jidNormalizedUser(creator), responderJid: responder, messageSecret: event.secret };
  return eventResponseMessage(key, answer, extraGuests, ctx, now, randomBytes(12));
}
