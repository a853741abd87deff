/**
 * Builds the frames the daemon sends: acks, error answers,
 * events (with data.seq), gap reports and events:synced markers, each one
 * JSON string. Owns the outbound shapes; must not decide when to send.
 */
import type { WadEvent } from '../contract/api.js';
import { PROTOCOL_VERSION, type ErrorPayload } from '../contract/frames.js';

let counter = 0;
const prefix = `d${process.pid.toString(36)}-`;

function nextId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return prefix + counter.toString(36);
}

/** An answer frame of the daemon's own (ack or error): a fresh id, and the request it answers when known. */
function controlFrame(type: 'ack' | 'error', replyTo: string | undefined, data: unknown, tenantId?: string): string {
  // JSON.stringify leaves out the fields that are undefined.
  return JSON.stringify({ id: nextId(), type, version: PROTOCOL_VERSION, timestamp: Date.now(), tenantId, replyTo, data });
}

/**
 * A copy of `fields` with one more field. Not `{ ...fields, key: value }`: V8 (Node 20) adds a
 * property to a spread copy on a slow path, several microseconds per frame on the hot paths.
 */
export function withField(fields: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = Object.assign({}, fields);
  out[key] = value;
  return out;
}

export function ackFrame(replyTo: string, result: Record<string, unknown>, tenantId?: string): string {
  if (Object.hasOwn(result, 'success')) return controlFrame('ack', replyTo, withField(result, 'success', true), tenantId);
  const json = JSON.stringify(result);
  // Anything but an object's text (a toJSON of its own) is left to the general path.
  if (json.charCodeAt(0) !== 0x7b || json.charCodeAt(json.length - 1) !== 0x7d) return controlFrame('ack', replyTo, withField(result, 'success', true), tenantId);
  // The same text as serialising a copy with `success` added last, without making the copy.
  const data = json.length === 2 ? '{"success":true}' : `${json.slice(0, -1)},"success":true}`;
  return controlText('ack', replyTo, data, tenantId);
}

/**
 * controlFrame with `data` already serialised, the envelope written as text: its fields are
 * known, and an object made only to be serialised was a good part of answering a small request.
 */
function controlText(type: 'ack' | 'error', replyTo: string | undefined, dataJson: string, tenantId: string | undefined): string {
  let out = `{"id":"${nextId()}","type":"${type}","version":${PROTOCOL_VERSION},"timestamp":${Date.now()}`;
  if (tenantId !== undefined) out += `,"tenantId":${JSON.stringify(tenantId)}`;
  if (replyTo !== undefined) out += `,"replyTo":${JSON.stringify(replyTo)}`;
  return `${out},"data":${dataJson}}`;
}

export function nackFrame(replyTo: string, error: ErrorPayload, tenantId?: string): string {
  return controlFrame('ack', replyTo, { success: false, error }, tenantId);
}

/** The answer to a malformed frame, or to a failed request that did not ask for an ack. */
export function errorFrame(error: ErrorPayload, replyTo?: string): string {
  return controlFrame('error', replyTo, error);
}

export function eventFrame(ev: WadEvent, subscription?: string): string {
  return JSON.stringify({
    id: `${ev.account}:${ev.seq}`,
    type: ev.type,
    version: PROTOCOL_VERSION,
    timestamp: ev.t,
    tenantId: ev.account,
    conversationId: ev.conversationId,
    subscription,
    data: withField(ev.data, 'seq', ev.seq),
  });
}

/**
 * Events from..to of an account were deleted before this subscriber got
 * them. Carries seq = to, so acking it moves past the gap. A durable
 * subscriber's unacked events go only by the retention limits; a live one
 * also loses what every durable subscriber had acked, and is told so
 * rather than blamed on retention.
 */
export function gapFrame(account: string, from: number, to: number, subscription: string, durable = true): string {
  const message = durable
    ? `events ${from}..${to} of account ${account} were deleted by retention (events.retention: maxAgeMs, maxEvents) before they were delivered`
    : `events ${from}..${to} of account ${account} are no longer in the log: every durable subscriber had acked them (or retention dropped them); a named subscription keeps events until it acks them`;
  return JSON.stringify({
    id: `${account}:${to}:gap`,
    type: 'error',
    version: PROTOCOL_VERSION,
    timestamp: Date.now(),
    tenantId: account,
    subscription,
    data: {
      seq: to,
      code: 'NOT_FOUND',
      message,
      gap: { account, from, to },
    },
  });
}

export function syncedFrame(subscription: string, accounts: Record<string, number>): string {
  return JSON.stringify({
    id: nextId(),
    type: 'events:synced',
    version: PROTOCOL_VERSION,
    timestamp: Date.now(),
    subscription,
    data: { subscription, accounts },
  });
}
