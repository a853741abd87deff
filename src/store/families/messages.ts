/**
 * Messages we received and processed (`msg/<chat>/<id>`), written in the same
 * batch as the session state their decryption advanced, before the server
 * gets its ack (field lesson 8). A redelivered message is then recognised and
 * acked again instead of being decrypted twice. The record is a free-form map
 * the receive path defines; trimming by age belongs to that path.
 */
import { encodeRecord, type ValueMap } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';

export const MESSAGES = 'msg';
const FORMAT = 1;

function messageKey(ns: Uint8Array, chat: string, id: string): Uint8Array {
  return key(ns, MESSAGES, chat, id);
}

export class MessageReader {
  constructor(readonly ctx: ReadContext) {}

  async get(chat: string, id: string): Promise<ValueMap | undefined> {
    const v = await this.ctx.get(messageKey(this.ctx.ns, chat, id));
    return v && Fields.of('message', v, FORMAT).map;
  }

  async has(chat: string, id: string): Promise<boolean> {
    return (await this.ctx.get(messageKey(this.ctx.ns, chat, id))) !== undefined;
  }
}

export class MessageWriter {
  constructor(readonly tx: WriteContext) {}

  put(chat: string, id: string, record: ValueMap): void {
    this.tx.put(messageKey(this.tx.ns, chat, id), encodeRecord(FORMAT, record));
  }

  delete(chat: string, id: string): void {
    this.tx.del(messageKey(this.tx.ns, chat, id));
  }
}
