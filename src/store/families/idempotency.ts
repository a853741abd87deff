/**
 * Idempotency keys of sends (`ik/<sha256(key)>`): a caller's key → the id of
 * the message sent under it, so a send retried with the same key returns
 * the first one's id instead of sending again. The record is written in the
 * batch that first persists the send (with the sent-cache record, before
 * the stanza leaves), so no crash can leave a sent message without its key.
 * `acked` says the server took it; a record still unacked after a crash
 * tells the sender to send the same message id again.
 *
 * Bounded twice through an insertion index (`ikn/<u64 n>` → the key's hash,
 * insertion-index.ts): by count, and by age — keys older than the store's
 * ttl are evicted in the batch of the next key written, and are never
 * returned by `get`. Keys are hashed, so any string can be one.
 */
import { createHash } from 'node:crypto';
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';
import { indexKey, type IndexedFamily } from './insertion-index.js';

export const IDEMPOTENCY = 'ik';
export const IDEMPOTENCY_INDEX = 'ikn';
const FORMAT = 1;

export interface IdempotencyRecord {
  /** The message id sent under the key. */
  readonly id: string;
  /** The chat it went to (as the sender addressed it). */
  readonly chat: string;
  /** When the key was first used (unix ms); the ttl counts from here. */
  readonly t: number;
  /** The server acked the message. */
  readonly acked: boolean;
  /** The disappearing timer the message was sent with (a resend keeps it). */
  readonly expiration?: number | undefined;
}

function hashOf(idempotencyKey: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(idempotencyKey, 'utf8').digest());
}

function recordKey(ns: Uint8Array, hash: Uint8Array): Uint8Array {
  return key(ns, IDEMPOTENCY, hash);
}

/** @throws StoreError CORRUPT_RECORD */
export function decodeIdempotency(bytes: Uint8Array): IdempotencyRecord & { n: number } {
  const f = Fields.of('idempotencyKey', bytes, FORMAT);
  const expiration = f.optInt('expiration');
  return { id: f.str('id'), chat: f.str('chat'), t: f.int('t'), acked: f.bool('acked'), n: f.int('n'), ...(expiration !== undefined ? { expiration } : {}) };
}

function encode(r: IdempotencyRecord, n: number): Uint8Array {
  return encodeRecord(FORMAT, { id: r.id, chat: r.chat, t: r.t, acked: r.acked, n, ...(r.expiration !== undefined ? { expiration: r.expiration } : {}) });
}

export class IdempotencyReader {
  constructor(
    readonly ctx: ReadContext,
    readonly ttlMs: () => number,
  ) {}

  /** The key's record unless it is older than the ttl at `now` (unix ms); `place` is for `update`. */
  async get(idempotencyKey: string, now: number): Promise<(IdempotencyRecord & { readonly place: number }) | undefined> {
    const v = await this.ctx.get(recordKey(this.ctx.ns, hashOf(idempotencyKey)));
    if (!v) return undefined;
    const { n, ...record } = decodeIdempotency(v);
    return now - record.t >= this.ttlMs() ? undefined : { ...record, place: n };
  }
}

export class IdempotencyWriter {
  constructor(readonly tx: WriteContext) {}

  /** A new key (or one whose record expired): takes the next place in the index, which it returns (for `update`). */
  put(idempotencyKey: string, record: IdempotencyRecord): number {
    const bounds = this.tx.state.idempotency;
    const n = bounds.next;
    const hash = hashOf(idempotencyKey);
    this.tx.put(recordKey(this.tx.ns, hash), encode(record, n));
    this.tx.put(indexKey(this.tx.ns, IDEMPOTENCY_INDEX, n), hash);
    this.tx.stage({ idempotency: { head: bounds.head, next: n + 1 } });
    return n;
  }

  /**
   * Rewrites a key's record in place (the server acked it): it keeps its
   * place in the index, so eviction order stays the order of first use.
   * `place` is the one `put` returned or the reader gave with the record.
   */
  update(idempotencyKey: string, record: IdempotencyRecord, place: number): void {
    this.tx.put(recordKey(this.tx.ns, hashOf(idempotencyKey)), encode(record, place));
  }

  /** Forgets a key (its send certainly failed: a retry may send anew). */
  delete(idempotencyKey: string): void {
    this.tx.del(recordKey(this.tx.ns, hashOf(idempotencyKey)));
  }
}

/** The keys as their insertion index sees them; `recordTime` lets the store evict by age. */
export const IDEMPOTENCY_FAMILY: IndexedFamily = {
  tag: IDEMPOTENCY_INDEX,
  recordKey: (ns, indexValue) => recordKey(ns, indexValue),
  recordN: (record) => decodeIdempotency(record).n,
  recordTime: (record) => decodeIdempotency(record).t,
};
