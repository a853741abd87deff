/**
 * The account's chats (`chat/<jid>`): what `chat:list` shows (name, unread
 * count, archived, pinned, muted, labels, last message time) and the
 * disappearing-messages timer of a 1:1 chat as its last message or setting
 * said (without it, the first message after a restart would go out without
 * the timer and switch disappearing off for the contact).
 *
 * Several writers own different fields of one chat (history sync, app state,
 * the receive path), so writes are partial: `tx.chats.patch(jid, patch)`
 * queues a change that the store merges into the record as committed, under
 * the account's write lock, at commit (no read-modify-write race, and the
 * callback of a transaction stays synchronous). Patches of one transaction
 * apply in the order queued.
 */
import { encodeRecord, type ValueMap } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key, prefixOf, prefixRange, tailText } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';

export const CHATS = 'chat';
const FORMAT = 1;

/** A chat as the store keeps it. */
export interface ChatRecord {
  readonly jid: string;
  readonly name?: string;
  readonly unreadCount: number;
  /** Marked unread by hand (WhatsApp shows a dot with no count). */
  readonly markedUnread?: boolean;
  readonly archived: boolean;
  readonly pinned: boolean;
  /** When it was pinned (unix s): pinned chats are ordered by it. */
  readonly pinnedAt?: number;
  /** Unix seconds; -1: muted with no end. */
  readonly mutedUntil?: number;
  /** Unix seconds of the newest message stored or announced for the chat. */
  readonly lastMessageAt?: number;
  /** Disappearing-messages timer in seconds (0: off). */
  readonly expiration?: number;
  /** Label ids (app state). */
  readonly labels: readonly string[];
  /** Unix seconds of the latest read of the chat on any of our devices (or our own message in it). */
  readonly readAt?: number;
  /**
   * The settings app state has spoken for (archived, pinned, muted): from
   * then on a history chunk's copy of them is stale and left alone.
   */
  readonly settledByAppState?: readonly ChatSetting[];
}

/** A chat setting that app state owns and a history chunk only seeds. */
export type ChatSetting = 'archived' | 'pinned' | 'muted';

/** Kept for callers that only deal with the disappearing timer. */
export type ChatSettings = Pick<ChatRecord, 'expiration'>;

/**
 * A partial change of a chat. Absent fields stay as they are; `null` clears
 * an optional one. `lastMessageAt` only ever moves forward; `addUnread`
 * counts on top of the stored (or this patch's) `unreadCount`.
 */
export interface ChatPatch {
  readonly name?: string | null;
  readonly unreadCount?: number;
  readonly addUnread?: number;
  /**
   * The chat was read (on one of our devices, or by our writing in it) at
   * this unix time: nothing older is unread. A read older than the newest
   * message known leaves the count alone (it says nothing of later messages).
   */
  readonly readAt?: number;
  /**
   * The unread count the phone's history gives, as of its newest message
   * `lastMessageAt`. History is a snapshot taken at linking that arrives in
   * chunks over minutes: it raises the count (it never lowers what messages
   * received meanwhile added), and a read newer than its last message makes it stale.
   */
  readonly historyUnread?: { readonly count: number; readonly lastMessageAt?: number };
  readonly markedUnread?: boolean;
  readonly archived?: boolean;
  readonly pinned?: boolean;
  readonly pinnedAt?: number | null;
  readonly mutedUntil?: number | null;
  /**
   * The archived, pinned and muted settings as the phone's history chunk
   * copied them at linking. History arrives over minutes while app state
   * syncs: a setting app state already gave (it is the authority, newer than
   * the copy) is kept, the others are taken.
   */
  readonly historySettings?: { readonly archived: boolean; readonly pinned: boolean; readonly pinnedAt?: number; readonly mutedUntil?: number };
  /** The settings this patch's archived/pinned/mutedUntil come from app state (history will not overwrite them). */
  readonly fromAppState?: boolean;
  readonly lastMessageAt?: number;
  readonly expiration?: number;
  /** Replaces the label set. */
  readonly labels?: readonly string[];
  readonly addLabels?: readonly string[];
  readonly removeLabels?: readonly string[];
}

export interface ChatListOptions {
  /** Only archived (true) or only not archived (false) chats. */
  readonly archived?: boolean;
  /** Chats whose last message is older than this (unix s): the next page. */
  readonly before?: number;
  /** Default and most: 1,000. */
  readonly limit?: number;
}

export const MAX_CHAT_PAGE = 1000;

export function chatKey(ns: Uint8Array, jid: string): Uint8Array {
  return key(ns, CHATS, jid);
}

function decodeChat(jid: string, bytes: Uint8Array): ChatRecord {
  const f = Fields.of('chat', bytes, FORMAT);
  const out: { -readonly [K in keyof ChatRecord]: ChatRecord[K] } = {
    jid,
    unreadCount: f.optInt('unread') ?? 0,
    archived: f.map.archived === true,
    pinned: f.map.pinned === true,
    labels: f.map.labels === undefined ? [] : f.list('labels').filter((l): l is string => typeof l === 'string'),
  };
  const name = f.optStr('name');
  if (name !== undefined) out.name = name;
  if (f.map.markedUnread === true) out.markedUnread = true;
  const pinnedAt = f.optInt('pinnedAt');
  if (pinnedAt !== undefined) out.pinnedAt = pinnedAt;
  const muted = f.optInt('mutedUntil');
  if (muted !== undefined) out.mutedUntil = muted;
  const last = f.optInt('lastMessageAt');
  if (last !== undefined) out.lastMessageAt = last;
  const expiration = f.optInt('expiration');
  if (expiration !== undefined) out.expiration = expiration;
  const readAt = f.optInt('readAt');
  if (readAt !== undefined) out.readAt = readAt;
  if (f.map.settled !== undefined) {
    const settled = f.list('settled').filter((x): x is ChatSetting => x === 'archived' || x === 'pinned' || x === 'muted');
    if (settled.length > 0) out.settledByAppState = settled;
  }
  return out;
}

function encodeChat(c: ChatRecord): Uint8Array {
  const map: Record<string, ValueMap[string]> = {
    name: c.name,
    unread: c.unreadCount,
    markedUnread: c.markedUnread ? true : undefined,
    archived: c.archived,
    pinned: c.pinned,
    pinnedAt: c.pinnedAt,
    mutedUntil: c.mutedUntil,
    lastMessageAt: c.lastMessageAt,
    expiration: c.expiration,
    labels: c.labels.length > 0 ? [...c.labels] : undefined,
    readAt: c.readAt,
    settled: c.settledByAppState && c.settledByAppState.length > 0 ? [...c.settledByAppState] : undefined,
  };
  return encodeRecord(FORMAT, map);
}

/** A chat with nothing known yet. */
export function emptyChat(jid: string): ChatRecord {
  return { jid, unreadCount: 0, archived: false, pinned: false, labels: [] };
}

/** Applies one patch to a chat (pure: the store's merge at commit, and tests). */
export function applyChatPatch(chat: ChatRecord, p: ChatPatch): ChatRecord {
  const c: { -readonly [K in keyof ChatRecord]: ChatRecord[K] } = { ...chat, labels: [...chat.labels] };
  const clear = <K extends 'name' | 'pinnedAt' | 'mutedUntil'>(k: K, v: ChatRecord[K] | null | undefined): void => {
    if (v === undefined) return;
    if (v === null) delete c[k];
    else c[k] = v;
  };
  clear('name', p.name);
  clear('pinnedAt', p.pinnedAt);
  clear('mutedUntil', p.mutedUntil);
  if (p.unreadCount !== undefined) c.unreadCount = Math.max(0, Math.floor(p.unreadCount));
  if (p.addUnread !== undefined) c.unreadCount = Math.max(0, c.unreadCount + Math.floor(p.addUnread));
  if (p.readAt !== undefined) {
    if (c.lastMessageAt === undefined || p.readAt >= c.lastMessageAt) c.unreadCount = 0;
    if (c.readAt === undefined || p.readAt > c.readAt) c.readAt = p.readAt;
  }
  if (p.historyUnread !== undefined) {
    const h = p.historyUnread;
    const stale = c.readAt !== undefined && (h.lastMessageAt === undefined || c.readAt >= h.lastMessageAt);
    if (!stale) c.unreadCount = Math.max(c.unreadCount, Math.max(0, Math.floor(h.count)));
  }
  if (p.markedUnread !== undefined) {
    if (p.markedUnread) c.markedUnread = true;
    else delete c.markedUnread;
  }
  if (p.historySettings !== undefined) {
    const h = p.historySettings;
    const settled = c.settledByAppState ?? [];
    if (!settled.includes('archived')) c.archived = h.archived;
    if (!settled.includes('pinned')) {
      c.pinned = h.pinned;
      if (h.pinned && h.pinnedAt !== undefined) c.pinnedAt = h.pinnedAt;
      else if (!h.pinned) delete c.pinnedAt;
    }
    if (!settled.includes('muted') && h.mutedUntil !== undefined) c.mutedUntil = h.mutedUntil;
  }
  if (p.archived !== undefined) c.archived = p.archived;
  if (p.pinned !== undefined) {
    c.pinned = p.pinned;
    if (!p.pinned) delete c.pinnedAt;
  }
  if (p.fromAppState) {
    const settled = new Set(c.settledByAppState ?? []);
    if (p.archived !== undefined) settled.add('archived');
    if (p.pinned !== undefined) settled.add('pinned');
    if (p.mutedUntil !== undefined) settled.add('muted');
    if (settled.size > 0) c.settledByAppState = [...settled].sort();
  }
  if (p.lastMessageAt !== undefined && (c.lastMessageAt === undefined || p.lastMessageAt > c.lastMessageAt)) c.lastMessageAt = p.lastMessageAt;
  if (p.expiration !== undefined) c.expiration = p.expiration;
  let labels = p.labels !== undefined ? [...p.labels] : c.labels;
  if (p.addLabels) for (const l of p.addLabels) if (!labels.includes(l)) labels = [...labels, l];
  if (p.removeLabels) labels = labels.filter((l) => !p.removeLabels!.includes(l));
  c.labels = labels;
  return c;
}

export class ChatReader {
  constructor(readonly ctx: ReadContext) {}

  async get(jid: string): Promise<ChatRecord | undefined> {
    const k = chatKey(this.ctx.ns, jid);
    const v = await this.ctx.get(k);
    return v && this.ctx.decodeOrSkip(k, () => decodeChat(jid, v));
  }

  /**
   * The chats, most recent first (by last message time; chats with none
   * last), filtered and paged. Reads every chat record of the account: the
   * number of chats is bounded by what a phone holds (thousands), not by messages.
   */
  async list(options: ChatListOptions = {}): Promise<ChatRecord[]> {
    const prefix = prefixOf(this.ctx.ns, CHATS);
    const all: ChatRecord[] = [];
    for await (const [k, v] of this.ctx.scan(prefixRange(prefix))) {
      const chat = this.ctx.decodeOrSkip(k, () => decodeChat(tailText(k, prefix), v));
      if (!chat) continue;
      if (options.archived !== undefined && chat.archived !== options.archived) continue;
      if (options.before !== undefined && (chat.lastMessageAt ?? 0) >= options.before) continue;
      all.push(chat);
    }
    all.sort((a, b) => (b.lastMessageAt ?? -1) - (a.lastMessageAt ?? -1) || (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
    const limit = Math.max(1, Math.min(MAX_CHAT_PAGE, Math.floor(options.limit ?? MAX_CHAT_PAGE)));
    return all.slice(0, limit);
  }
}

export class ChatWriter {
  constructor(readonly tx: WriteContext) {}

  /** Queues a partial change, merged into the committed record at commit. */
  patch(jid: string, patch: ChatPatch): void {
    this.tx.merge(chatKey(this.tx.ns, jid), (current) => {
      let chat = emptyChat(jid);
      if (current) {
        try {
          chat = decodeChat(jid, current);
        } catch {
          // A damaged chat record is replaced: what this patch says is better than nothing.
        }
      }
      return encodeChat(applyChatPatch(chat, patch));
    });
  }

  /** The disappearing timer only (the receive and send paths). */
  put(jid: string, settings: { readonly expiration: number }): void {
    this.patch(jid, { expiration: settings.expiration });
  }

  /** Forgets the chat (its messages are the message store's). */
  delete(jid: string): void {
    this.tx.merge(chatKey(this.tx.ns, jid), () => undefined);
  }
}
