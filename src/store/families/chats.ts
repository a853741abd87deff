/**
 * Per-chat settings that must outlive a restart (`chat/<jid>`): today the
 * disappearing-messages timer of a 1:1 chat as its last message or setting
 * said (groups carry theirs in their metadata). Without it, the first message
 * after a restart would go out without the timer and switch disappearing off
 * for the contact.
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';

export const CHATS = 'chat';
const FORMAT = 1;

export interface ChatSettings {
  /** Disappearing-messages timer in seconds (0: off). */
  readonly expiration: number;
}

function chatKey(ns: Uint8Array, jid: string): Uint8Array {
  return key(ns, CHATS, jid);
}

export class ChatReader {
  constructor(readonly ctx: ReadContext) {}

  async get(jid: string): Promise<ChatSettings | undefined> {
    const k = chatKey(this.ctx.ns, jid);
    const v = await this.ctx.get(k);
    return v && this.ctx.decodeOrSkip(k, () => ({ expiration: Fields.of('chat', v, FORMAT).int('expiration') }));
  }
}

export class ChatWriter {
  constructor(readonly tx: WriteContext) {}

  put(jid: string, settings: ChatSettings): void {
    this.tx.put(chatKey(this.tx.ns, jid), encodeRecord(FORMAT, { expiration: settings.expiration }));
  }
}
