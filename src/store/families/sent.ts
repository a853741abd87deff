/**
 * The cache of messages we sent (`sm/<id>`), kept so a retry receipt can be
 * answered by encrypting the same message again (field lesson 2). Bounded: an
 * insertion index (`smn/<u64 n>` → id) lets the store drop the oldest entries
 * after a commit pushes the count over the limit.
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key, prefixEnd, prefixOf, prefixRange, readU64, u64 } from '../keys.js';
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

export function sentIndexKey(ns: Uint8Array, n: number): Uint8Array {
  return key(ns, SENT_INDEX, u64(n));
}

export function decodeSent(bytes: Uint8Array): SentMessage & { n: number } {
  const f = Fields.of('sentMessage', bytes, FORMAT);
  return { to: f.str('to'), message: f.bytes('message'), t: f.int('t'), n: f.int('n') };
}

export class SentReader {
  constructor(readonly ctx: ReadContext) {}

  async get(id: string): Promise<SentMessage | undefined> {
    const v = await this.ctx.get(sentKey(this.ctx.ns, id));
    if (!v) return undefined;
    const { to, message, t } = decodeSent(v);
    return { to, message, t };
  }
}

export class SentWriter {
  constructor(readonly tx: WriteContext) {}

  put(id: string, m: SentMessage): void {
    const n = this.tx.state.sentNext;
    this.tx.put(sentKey(this.tx.ns, id), encodeRecord(FORMAT, { to: m.to, message: m.message, t: m.t, n }));
    this.tx.put(sentIndexKey(this.tx.ns, n), encoder.encode(id));
    this.tx.stage({ sentNext: n + 1 });
  }
}

/** Bounds of the insertion index found at open: [head, next). */
export async function loadSentBounds(ctx: ReadContext): Promise<{ sentHead: number; sentNext: number }> {
  const prefix = prefixOf(ctx.ns, SENT_INDEX);
  const range = prefixRange(prefix);
  let head: number | undefined;
  let last: number | undefined;
  for await (const [k] of ctx.scan({ ...range, limit: 1 })) head = readU64(k, prefix.length);
  for await (const [k] of ctx.scan({ ...range, limit: 1, reverse: true })) last = readU64(k, prefix.length);
  return head === undefined || last === undefined ? { sentHead: 0, sentNext: 0 } : { sentHead: head, sentNext: last + 1 };
}

/**
 * Queues removal of the `count` oldest index entries and of their messages,
 * unless a message was sent again since (its record then names a newer n).
 */
export async function stageSentEviction(ctx: ReadContext, tx: WriteContext, count: number): Promise<void> {
  const prefix = prefixOf(ctx.ns, SENT_INDEX);
  const head = tx.state.sentHead;
  const entries: Array<[number, string]> = [];
  for await (const [k, v] of ctx.scan({ gte: sentIndexKey(ctx.ns, head), lt: prefixEnd(prefix), limit: count })) {
    entries.push([readU64(k, prefix.length), decoder.decode(v)]);
  }
  const records = await ctx.getMany(entries.map(([, id]) => sentKey(ctx.ns, id)));
  entries.forEach(([n, id], i) => {
    tx.del(sentIndexKey(ctx.ns, n));
    const record = records[i];
    if (record && decodeSent(record).n === n) tx.del(sentKey(ctx.ns, id));
  });
  const last = entries.at(-1);
  tx.stage({ sentHead: last ? last[0] + 1 : tx.state.sentNext });
}
