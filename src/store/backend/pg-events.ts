/**
 * What a PostgreSQL store shared by several daemons tells them about its
 * writes, and which of its writes any daemon may make: each batch that appends
 * to an account's event log sends a notice (NOTIFY, part of the batch's own
 * transaction, so it goes out exactly when the events become readable, and
 * never for a batch that rolled back), and a batch that changes a webhook
 * record sends one too. A notice only says where to read: the log stays the
 * truth, and a daemon that missed notices reads from where it was.
 *
 * Subscriber cursors (`a/<id>/evc/<name>`) are the consumers' confirmations,
 * written by whichever daemon the consumer is connected to, never by the
 * account's runtime: they are exempt from the lease fence, and a write never
 * lowers one (the database keeps the greater of the stored and the written
 * value; a cursor is one big-endian u64, so byte order is numeric order).
 *
 * Owns the notice payloads and the key shapes the backend treats apart; the
 * records themselves are the store families'.
 */
import { CURSORS, EVENTS, EVENT_SEQ } from '../families/events.js';
import { ACCOUNT_ID_PATTERN, readU64 } from '../keys.js';
import type { BatchOp } from './types.js';

/** Events appended to one account in one committed batch: seqs first..last, written by `owner`. */
export interface EventNotice {
  readonly kind: 'events';
  /** The daemon that wrote them (null: a writer without leases). */
  readonly owner: string | null;
  readonly account: string;
  readonly first: number;
  readonly last: number;
}

/** A webhook record was added, changed or removed. */
export interface WebhooksNotice {
  readonly kind: 'webhooks';
}

export type StoreNotice = EventNotice | WebhooksNotice;

const ACCOUNT_FAMILY = new RegExp(`^a/([^/]+)/(${EVENTS}/|${CURSORS}/|${EVENT_SEQ}$)`);
const WEBHOOKS = 'webhooks/';
/** A NOTIFY payload is limited to 8000 bytes; ours are far below. */
const MAX_PAYLOAD = 8000;

/** The channel a store's notices go on: one per schema, as stores in different schemas of a database are strangers. */
export function noticeChannel(schema: string | undefined): string {
  return schema ? `wadev_${schema}`.slice(0, 63) : 'wad_events';
}

function head(k: Uint8Array): string {
  return Buffer.from(k.buffer, k.byteOffset, Math.min(k.byteLength, 96)).toString('latin1');
}

/** Whether the key is a durable subscriber's cursor. */
export function isCursorKey(k: Uint8Array): boolean {
  return ACCOUNT_FAMILY.exec(head(k))?.[2] === `${CURSORS}/`;
}

/** The payloads announcing what a batch (its last operation per key) appends to event logs and changes of webhooks. */
export function noticesOf(ops: Iterable<BatchOp>, owner: string | null): string[] {
  const appended = new Map<string, { first: number; last: number }>();
  let webhooks = false;
  for (const op of ops) {
    const text = head(op.key);
    if (text.startsWith(WEBHOOKS)) webhooks = true;
    if (op.type !== 'put') continue;
    const m = ACCOUNT_FAMILY.exec(text);
    if (!m || m[2] !== `${EVENTS}/`) continue;
    const at = m[0].length;
    if (op.key.byteLength !== at + 8) continue;
    const seq = readU64(op.key, at);
    const range = appended.get(m[1]!);
    if (!range) appended.set(m[1]!, { first: seq, last: seq });
    else appended.set(m[1]!, { first: Math.min(range.first, seq), last: Math.max(range.last, seq) });
  }
  const out = [...appended].map(([account, r]) => JSON.stringify({ o: owner, a: account, f: r.first, l: r.last }));
  if (webhooks) out.push(JSON.stringify({ w: 1 }));
  return out.filter((p) => Buffer.byteLength(p) < MAX_PAYLOAD);
}

/** A notice's payload, or undefined for one this build does not know. */
export function parseNotice(payload: string): StoreNotice | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (o.w === 1) return { kind: 'webhooks' };
  // Only account ids that could exist: a listener keeps a little state per account it hears of.
  if (typeof o.a !== 'string' || !ACCOUNT_ID_PATTERN.test(o.a) || !Number.isSafeInteger(o.f) || !Number.isSafeInteger(o.l)) return undefined;
  const first = o.f as number;
  const last = o.l as number;
  if (first < 1 || last < first) return undefined;
  return { kind: 'events', owner: typeof o.o === 'string' ? o.o : null, account: o.a, first, last };
}
