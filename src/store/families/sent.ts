/**
 * The cache of messages we sent (`sm/<id>`), kept so a retry receipt can be
 * answered by encrypting the same message again. Bounded by
 * count through an insertion index (`smn/<u64 n>` → id, insertion-index.ts).
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key } from '../keys.js';
import { indexKey, type IndexedFamily } from './insertion-index.js';
import type { ReadContext, WriteContext } from '../context.js';

export const SENT = 'sm';
export const SENT_INDEX = 'smn';
const FORMAT = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface SentMessage {
  /** The chat (user or group JID) it went to. */
  readonly to: string;
  /** The serialized Message protobuf, before encryption. */
  readonly message: Uint8Array;
  /** When it was sent (ms). */
  readonly t: number;
}

function sentKey(ns: Uint8Array, id: string): Uint8Array {
  return key(ns, SENT, id);
}

export function decodeSent(bytes: Uint8Array): SentMessage & { n: number } {
  const f = Fields.of('sentMessage', bytes, FORMAT);
  return { to: f.str('to'), message: f.bytes('message'), t: f.int('t'), n: f.int('n') };
}

export class SentReader {
  constructor(readonly ctx: ReadContext) {}

  async get(id: string): Promise<SentMessage | undefined> {
    const k = sentKey(this.ctx.ns, id);
    const v = await this.ctx.get(k);
    if (!v) return undefined;
    return this.ctx.decodeOrSkip(k, () => {
      const { to, message, t } = decodeSent(v);
      return { to, message, t };
    });
  }
}

export class SentWriter {
  constructor(readonly tx: WriteContext) {}

  put(id: string, m: SentMessage): void {
    const bounds = this.tx.state.sent;
    const n = bounds.next;
    this.tx.put(sentKey(this.tx.ns, id), encodeRecord(FORMAT, { to: m.to, message: m.message, t: m.t, n }));
    this.tx.put(indexKey(this.tx.ns, SENT_INDEX, n), encoder.encode(id));
    this.tx.stage({ sent: { head: bounds.head, next: n + 1 } });
  }
}

/** The sent cache as its insertion index sees it. */
export const SENT_FAMILY: IndexedFamily = {
  tag: SENT_INDEX,
  recordKey: (ns, indexValue) => sentKey(ns, decoder.decode(indexValue)),
  recordN: (record) => decodeSent(record).n,
};
