/**
 * Messages we received and processed (`msg/<chat>/<id>`), written in the same
 * batch as the session state their decryption advanced, before the server
 * gets its ack. A redelivered message is then recognised and
 * acked again instead of being decrypted twice. The record is a free-form map
 * the receive path defines. Bounded by count (store option messagesMax)
 * through an insertion index (`msgn/<u64 n>` → the record's key,
 * insertion-index.ts): the oldest records go first. The n rides in the record
 * as `_n`, which readers never see.
 */
import { encodeRecord, type ValueMap } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';
import { indexKey, type IndexedFamily } from './insertion-index.js';

export const MESSAGES = 'msg';
export const MESSAGES_INDEX = 'msgn';
const FORMAT = 1;
const N_FIELD = '_n';

/** The message records as their insertion index sees them. */
export const MESSAGES_FAMILY: IndexedFamily = {
  tag: MESSAGES_INDEX,
  recordKey: (_ns, indexValue) => indexValue,
  recordN: (record) => {
    const n = Fields.of('message', record, FORMAT).map[N_FIELD];
    return typeof n === 'number' ? n : undefined;
  },
};

function messageKey(ns: Uint8Array, chat: string, id: string): Uint8Array {
  return key(ns, MESSAGES, chat, id);
}

export class MessageReader {
  constructor(readonly ctx: ReadContext) {}

  async get(chat: string, id: string): Promise<ValueMap | undefined> {
    const k = messageKey(this.ctx.ns, chat, id);
    const v = await this.ctx.get(k);
    if (!v) return undefined;
    return this.ctx.decodeOrSkip(k, () => {
      const { [N_FIELD]: _n, ...record } = Fields.of('message', v, FORMAT).map;
      return record;
    });
  }

  async has(chat: string, id: string): Promise<boolean> {
    return (await this.ctx.get(messageKey(this.ctx.ns, chat, id))) !== undefined;
  }
}

export class MessageWriter {
  constructor(readonly tx: WriteContext) {}

  put(chat: string, id: string, record: ValueMap): void {
    const bounds = this.tx.state.messages;
    const n = bounds.next;
    const k = messageKey(this.tx.ns, chat, id);
    this.tx.put(k, encodeRecord(FORMAT, { ...record, [N_FIELD]: n }));
    this.tx.put(indexKey(this.tx.ns, MESSAGES_INDEX, n), k);
    this.tx.stage({ messages: { head: bounds.head, next: n + 1 } });
  }

  delete(chat: string, id: string): void {
    this.tx.del(messageKey(this.tx.ns, chat, id));
  }
}
