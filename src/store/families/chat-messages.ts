/**
 * The message store: every message of every chat that history sync brought
 * or that was sent or received since, in the shape `message:new` carries
 * (plus status, reactions, edits and deletions applied), for `message:list`
 * and for `media:download` of any of them.
 *
 *   cm/<chat>/<id>                  the message
 *   cmt/<chat>/<u64 t>/<id>         per chat, in time order (list, per-chat eviction)
 *   cma/<u64 t>/<chat>/<id>         the account's, in time order (account-wide eviction)
 *   cmc/<chat>                      messages held for the chat (u64)
 *   cmn                             messages held, all chats (u64)
 *
 * Writers queue intents (`tx.chatMessages.put/update/delete`); the store turns
 * them into writes at commit under the account's write lock
 * (chat-message-upkeep.ts), where it can read what is stored: an update
 * applies to the stored message, a put of a stored id replaces it without
 * counting it twice, and the oldest messages past the per-chat and the
 * account bound go in the same batch. Never both copies, never over the bound
 * after a crash.
 */
import { encodeRecord, type ValueMap } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key, prefixEnd, prefixOf, readU64, u64 } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';

export const CHAT_MESSAGES = 'cm';
export const CHAT_MESSAGE_TIMES = 'cmt';
export const ACCOUNT_MESSAGE_TIMES = 'cma';
export const CHAT_MESSAGE_COUNTS = 'cmc';
export const MESSAGE_TOTAL = 'cmn';
const FORMAT = 1;

/** A stored message: `message:new`'s data (id, chat, sender, fromMe, t, type, content…) and what came after it. */
export interface StoredChatMessage extends ValueMap {
  readonly id: string;
  /** The chat as consumers see it (canonical jid). */
  readonly chat: string;
  /** Unix seconds: the order of the chat. */
  readonly t: number;
}

export type ChatMessageIntent =
  | { readonly kind: 'put'; readonly message: StoredChatMessage }
  /** `fn` gets the stored message and returns its new form (undefined: delete it); skipped when none is stored. */
  | { readonly kind: 'update'; readonly chat: string; readonly id: string; readonly fn: (m: StoredChatMessage) => StoredChatMessage | undefined }
  | { readonly kind: 'delete'; readonly chat: string; readonly id: string };

export interface ChatMessagePage {
  /** Messages older than this one (its id): the next page. */
  readonly before?: string;
  /** Default 50, at most MAX_MESSAGE_PAGE. */
  readonly limit?: number;
}

export const MAX_MESSAGE_PAGE = 1000;
const DEFAULT_PAGE = 50;

export function chatMessageKey(ns: Uint8Array, chat: string, id: string): Uint8Array {
  return key(ns, CHAT_MESSAGES, chat, id);
}

/** Times are whole non-negative seconds in keys (a bad clock must not break the order or the key). */
export function timeOf(t: number): number {
  return Number.isSafeInteger(t) && t > 0 ? t : Number.isFinite(t) && t > 0 ? Math.min(Number.MAX_SAFE_INTEGER, Math.floor(t)) : 0;
}

export function chatTimeKey(ns: Uint8Array, chat: string, t: number, id: string): Uint8Array {
  return key(ns, CHAT_MESSAGE_TIMES, chat, u64(timeOf(t)), id);
}

export function accountTimeKey(ns: Uint8Array, t: number, chat: string, id: string): Uint8Array {
  return key(ns, ACCOUNT_MESSAGE_TIMES, u64(timeOf(t)), chat, id);
}

export function chatCountKey(ns: Uint8Array, chat: string): Uint8Array {
  return key(ns, CHAT_MESSAGE_COUNTS, chat);
}

export function totalKey(ns: Uint8Array): Uint8Array {
  return key(ns, MESSAGE_TOTAL);
}

export function encodeCount(n: number): Uint8Array {
  return u64(Math.max(0, n));
}

export function decodeCount(v: Uint8Array | undefined): number {
  return v && v.length === 8 ? readU64(v, 0) : 0;
}

export function encodeChatMessage(m: StoredChatMessage): Uint8Array {
  return encodeRecord(FORMAT, m);
}

export function decodeChatMessage(bytes: Uint8Array): StoredChatMessage {
  const f = Fields.of('chat message', bytes, FORMAT);
  f.str('id');
  f.str('chat');
  if (typeof f.map.t !== 'number') f.int('t');
  return f.map as StoredChatMessage;
}

const decoder = new TextDecoder();

/** The time and id in a `cmt/<chat>/` index key. */
export function parseChatTimeKey(k: Uint8Array, prefix: Uint8Array): { t: number; id: string } {
  return { t: readU64(k, prefix.length), id: decoder.decode(k.subarray(prefix.length + 9)) };
}

/** The time, chat and id in a `cma/` index key. */
export function parseAccountTimeKey(k: Uint8Array, prefix: Uint8Array): { t: number; chat: string; id: string } {
  const rest = decoder.decode(k.subarray(prefix.length + 9));
  const slash = rest.indexOf('/');
  return { t: readU64(k, prefix.length), chat: rest.slice(0, slash), id: rest.slice(slash + 1) };
}

export class ChatMessageReader {
  constructor(readonly ctx: ReadContext) {}

  async get(chat: string, id: string): Promise<StoredChatMessage | undefined> {
    const k = chatMessageKey(this.ctx.ns, chat, id);
    const v = await this.ctx.get(k);
    return v && this.ctx.decodeOrSkip(k, () => decodeChatMessage(v));
  }

  /** Messages held for the chat. */
  async count(chat: string): Promise<number> {
    return decodeCount(await this.ctx.get(chatCountKey(this.ctx.ns, chat)));
  }

  /** Messages held, all chats. */
  async total(): Promise<number> {
    return decodeCount(await this.ctx.get(totalKey(this.ctx.ns)));
  }

  /**
   * A chat's messages, newest first; with `before`, those older than that
   * message (an unknown id gives an empty page: the consumer's cursor is gone).
   */
  async list(chat: string, page: ChatMessagePage = {}): Promise<StoredChatMessage[]> {
    const limit = Math.max(1, Math.min(MAX_MESSAGE_PAGE, Math.floor(page.limit ?? DEFAULT_PAGE)));
    const prefix = prefixOf(this.ctx.ns, CHAT_MESSAGE_TIMES, chat);
    let lt = prefixEnd(prefix);
    if (page.before !== undefined) {
      const anchor = await this.get(chat, page.before);
      if (!anchor) return [];
      lt = chatTimeKey(this.ctx.ns, chat, anchor.t, anchor.id);
    }
    const keys: Uint8Array[] = [];
    for await (const [k] of this.ctx.scan({ gte: prefix, lt, reverse: true, limit })) {
      const { id } = parseChatTimeKey(k, prefix);
      keys.push(chatMessageKey(this.ctx.ns, chat, id));
    }
    const values = await this.ctx.getMany(keys);
    const out: StoredChatMessage[] = [];
    values.forEach((v, i) => {
      const m = v && this.ctx.decodeOrSkip(keys[i]!, () => decodeChatMessage(v));
      if (m) out.push(m);
    });
    return out;
  }

  /** The chat's oldest stored message (the anchor of an on-demand history request). */
  async oldest(chat: string): Promise<StoredChatMessage | undefined> {
    const prefix = prefixOf(this.ctx.ns, CHAT_MESSAGE_TIMES, chat);
    for await (const [k] of this.ctx.scan({ gte: prefix, lt: prefixEnd(prefix), limit: 1 })) {
      return this.get(chat, parseChatTimeKey(k, prefix).id);
    }
    return undefined;
  }
}

export class ChatMessageWriter {
  readonly intents: ChatMessageIntent[] = [];

  constructor(readonly tx: WriteContext) {}

  /** Stores a message (a stored one with the same chat and id is replaced). */
  put(message: StoredChatMessage): void {
    this.intents.push({ kind: 'put', message });
  }

  /** Changes a stored message (a receipt, a reaction, an edit, a revoke); nothing when it is not stored. */
  update(chat: string, id: string, fn: (m: StoredChatMessage) => StoredChatMessage | undefined): void {
    this.intents.push({ kind: 'update', chat, id, fn });
  }

  delete(chat: string, id: string): void {
    this.intents.push({ kind: 'delete', chat, id });
  }
}
