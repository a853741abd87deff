/**
 * Turns a transaction's message-store intents into writes, at commit, under
 * the account's write lock (so what it reads is what is committed): the
 * messages and their two time indexes, the per-chat and total counts, and the
 * eviction of the oldest messages (by time, then id) past the per-chat and
 * the account bound, chosen among the stored ones and this batch's together,
 * so a batch larger than the bound never leaves the store over it. Also says
 * which chats got newer messages (their `lastMessageAt`).
 */
import type { ReadContext, WriteContext } from '../context.js';
import { prefixEnd, prefixOf } from '../keys.js';
import {
  ACCOUNT_MESSAGE_TIMES,
  CHAT_MESSAGE_TIMES,
  accountTimeKey,
  chatCountKey,
  chatMessageKey,
  chatTimeKey,
  decodeChatMessage,
  decodeCount,
  encodeChatMessage,
  encodeCount,
  parseAccountTimeKey,
  parseChatTimeKey,
  totalKey,
  type ChatMessageIntent,
  type StoredChatMessage,
} from './chat-messages.js';

export interface MessageStoreBounds {
  /** Messages kept per chat. */
  readonly perChat: number;
  /** Messages kept for the account, all chats. */
  readonly total: number;
}

interface Entry {
  readonly chat: string;
  readonly id: string;
  /** As committed (only `t` is needed of a message evicted without being read). */
  readonly before: { readonly t: number } | undefined;
  after: StoredChatMessage | undefined;
}

interface Candidate {
  readonly t: number;
  readonly chat: string;
  readonly id: string;
}

const GOOD_PART = /^[^/\0]+$/;

function entryKey(chat: string, id: string): string {
  return `${chat}\0${id}`;
}

function older(a: Candidate, b: Candidate): number {
  return a.t - b.t || (a.chat < b.chat ? -1 : a.chat > b.chat ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface StagedMessages {
  /** Messages held, all chats, once this batch is in. */
  readonly total: number;
  /** Chats that got a new message, and the newest such message's time. */
  readonly newest: ReadonlyMap<string, number>;
}

/**
 * Queues into `out` the writes that carry out `intents` within `bounds`.
 * @param total messages held before this batch (the store keeps it in memory)
 */
export async function stageChatMessages(ctx: ReadContext, out: WriteContext, intents: readonly ChatMessageIntent[], bounds: MessageStoreBounds, total: number): Promise<StagedMessages> {
  const entries = await loadEntries(ctx, intents);
  for (const intent of intents) {
    const chat = intent.kind === 'put' ? intent.message.chat : intent.chat;
    const id = intent.kind === 'put' ? intent.message.id : intent.id;
    const e = entries.get(entryKey(chat, id));
    if (!e) continue;
    if (intent.kind === 'put') e.after = intent.message;
    else if (intent.kind === 'delete') e.after = undefined;
    else if (e.after) e.after = intent.fn(e.after);
  }

  const touched = [...new Set([...entries.values()].map((e) => e.chat))];
  const stored = await ctx.getMany(touched.map((c) => chatCountKey(ctx.ns, c)));
  const counts = new Map(touched.map((c, i) => [c, decodeCount(stored[i])]));
  for (const e of entries.values()) {
    const delta = Number(e.after !== undefined) - Number(e.before !== undefined);
    counts.set(e.chat, counts.get(e.chat)! + delta);
    total += delta;
  }

  const evict = async (victims: Candidate[]): Promise<void> => {
    for (const v of victims) {
      const k = entryKey(v.chat, v.id);
      const e = entries.get(k);
      if (e) e.after = undefined;
      else entries.set(k, { chat: v.chat, id: v.id, before: { t: v.t }, after: undefined });
      // A chat this batch did not touch loses a message to the account bound: its count is read first.
      const n = counts.get(v.chat) ?? decodeCount(await ctx.get(chatCountKey(ctx.ns, v.chat)));
      counts.set(v.chat, n - 1);
      total--;
    }
  };
  for (const chat of touched) {
    const excess = counts.get(chat)! - bounds.perChat;
    if (excess > 0) await evict(await oldest(ctx, entries, excess, chat));
  }
  if (total > bounds.total) await evict(await oldest(ctx, entries, total - bounds.total));

  const newest = new Map<string, number>();
  for (const e of entries.values()) {
    const { before, after } = e;
    if (before && (!after || after.t !== before.t)) {
      out.del(chatTimeKey(out.ns, e.chat, before.t, e.id));
      out.del(accountTimeKey(out.ns, before.t, e.chat, e.id));
    }
    if (!after) {
      if (before) out.del(chatMessageKey(out.ns, e.chat, e.id));
      continue;
    }
    out.put(chatMessageKey(out.ns, e.chat, e.id), encodeChatMessage(after));
    if (!before || before.t !== after.t) {
      out.put(chatTimeKey(out.ns, e.chat, after.t, e.id), new Uint8Array(0));
      out.put(accountTimeKey(out.ns, after.t, e.chat, e.id), new Uint8Array(0));
      newest.set(e.chat, Math.max(newest.get(e.chat) ?? 0, after.t));
    }
  }
  for (const [chat, n] of counts) {
    if (n > 0) out.put(chatCountKey(out.ns, chat), encodeCount(n));
    else out.del(chatCountKey(out.ns, chat));
  }
  out.put(totalKey(out.ns), encodeCount(total));
  return { total: Math.max(0, total), newest };
}

/** The entries the intents name, with what is stored for each. Intents whose chat or id cannot be a key part are dropped. */
async function loadEntries(ctx: ReadContext, intents: readonly ChatMessageIntent[]): Promise<Map<string, Entry>> {
  const wanted = new Map<string, { chat: string; id: string }>();
  for (const i of intents) {
    const chat = i.kind === 'put' ? i.message.chat : i.chat;
    const id = i.kind === 'put' ? i.message.id : i.id;
    if (typeof chat === 'string' && typeof id === 'string' && GOOD_PART.test(chat) && GOOD_PART.test(id)) wanted.set(entryKey(chat, id), { chat, id });
  }
  const list = [...wanted.values()];
  const keys = list.map((w) => chatMessageKey(ctx.ns, w.chat, w.id));
  const values = await ctx.getMany(keys);
  const entries = new Map<string, Entry>();
  list.forEach((w, i) => {
    const v = values[i];
    // A damaged record counts as held (its index keys are unknown, so they stay until the chat is evicted past them).
    const before = v ? (ctx.decodeOrSkip(keys[i]!, () => decodeChatMessage(v)) ?? undefined) : undefined;
    entries.set(entryKey(w.chat, w.id), { chat: w.chat, id: w.id, before, after: before });
  });
  return entries;
}

/**
 * The `count` oldest messages of a chat (or of the account) as they will be
 * after this batch: stored ones from the time index, this batch's from `entries`.
 */
async function oldest(ctx: ReadContext, entries: ReadonlyMap<string, Entry>, count: number, chat?: string): Promise<Candidate[]> {
  const pending: Candidate[] = [];
  for (const e of entries.values()) {
    if (e.after && (chat === undefined || e.chat === chat)) pending.push({ t: e.after.t, chat: e.chat, id: e.id });
  }
  const prefix = chat === undefined ? prefixOf(ctx.ns, ACCOUNT_MESSAGE_TIMES) : prefixOf(ctx.ns, CHAT_MESSAGE_TIMES, chat);
  const stored: Candidate[] = [];
  // Entries of this batch may shadow stored index keys: read past them.
  for await (const [k] of ctx.scan({ gte: prefix, lt: prefixEnd(prefix), limit: count + entries.size })) {
    const c = chat === undefined ? parseAccountTimeKey(k, prefix) : { ...parseChatTimeKey(k, prefix), chat };
    if (!entries.has(entryKey(c.chat, c.id))) stored.push(c);
    if (stored.length >= count) break;
  }
  return [...stored, ...pending].sort(older).slice(0, count);
}
