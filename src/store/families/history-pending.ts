/**
 * History sync notifications between their arrival and the end of their
 * handling (`hsn/<message id>`). A notification is written with the message
 * that carried it, before that message is acked: a crash before its chunk is
 * stored leaves it here, and the account picks it up at its next start. The
 * chunk's own transaction turns it into `stored` (the phone still awaits our
 * `hist_sync` receipt); once the receipt went out, it is deleted. So a chunk
 * is stored once and receipted at least once, whatever the crashes.
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key, prefixOf, prefixRange, tailText } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';

export const HISTORY_PENDING = 'hsn';
const FORMAT = 1;

/** Pending notifications listed at most (the phone sends a few dozen per sync). */
export const MAX_PENDING_HISTORY = 10_000;

export interface PendingHistory {
  /** The id of the message that carried the notification (the receipt names it). */
  readonly messageId: string;
  /** The HistorySyncNotification protobuf as it came. */
  readonly notification: Uint8Array;
  /** When it came (unix ms): the order of handling. */
  readonly receivedAt: number;
  /** The chunk is stored; only the receipt is owed. */
  readonly stored: boolean;
}

function pendingKey(ns: Uint8Array, messageId: string): Uint8Array {
  return key(ns, HISTORY_PENDING, messageId);
}

function encodePending(p: PendingHistory): Uint8Array {
  return encodeRecord(FORMAT, { notification: p.notification, receivedAt: p.receivedAt, stored: p.stored });
}

export function decodePending(messageId: string, bytes: Uint8Array): PendingHistory {
  const f = Fields.of('pending history', bytes, FORMAT);
  return { messageId, notification: f.bytes('notification'), receivedAt: f.int('receivedAt'), stored: f.map.stored === true };
}

export class HistoryPendingReader {
  constructor(readonly ctx: ReadContext) {}

  /** Every pending notification, oldest first. */
  async list(): Promise<PendingHistory[]> {
    const prefix = prefixOf(this.ctx.ns, HISTORY_PENDING);
    const out: PendingHistory[] = [];
    for await (const [k, v] of this.ctx.scan({ ...prefixRange(prefix), limit: MAX_PENDING_HISTORY })) {
      const p = this.ctx.decodeOrSkip(k, () => decodePending(tailText(k, prefix), v));
      if (p) out.push(p);
    }
    return out.sort((a, b) => a.receivedAt - b.receivedAt || (a.messageId < b.messageId ? -1 : 1));
  }
}

export class HistoryPendingWriter {
  constructor(readonly tx: WriteContext) {}

  put(p: PendingHistory): void {
    this.tx.put(pendingKey(this.tx.ns, p.messageId), encodePending(p));
  }

  delete(messageId: string): void {
    this.tx.del(pendingKey(this.tx.ns, messageId));
  }
}
