/**
 * The phone's chat history: chats (with the metadata a phone shows: name,
 * unread count, archived, pinned, muted), each chat's messages oldest first,
 * the push names and LID↔PN mappings it has seen, and the status posts it
 * holds. Bounded: chats, names and mappings refuse past their bound, statuses
 * drop their oldest; messages beyond the bound push out the
 * oldest messages of the phone, whatever the chat. A message is known by its
 * chat, sender and id, so one recorded twice is kept once.
 *
 * Plain data and lookups; what goes in comes from recorder.ts (live traffic)
 * and seed.ts (the admin API); what goes out is planned in plan.ts.
 */
import type { MessageStatus } from '../../../protocol/history/index.js';
import { PhoneError } from '../errors.js';

export interface StoredMessage {
  id: string;
  fromMe: boolean;
  /** The author (user jid) of someone else's message in a group. */
  participant?: string;
  /** Unix seconds. */
  t: number;
  /** proto.Message bytes; empty for a revoked message. */
  content: Uint8Array;
  pushName?: string;
  status?: MessageStatus;
  /** A system line instead of content (WebMessageInfo.StubType), e.g. 1 for a revoked message. */
  stub?: number;
  /** The reactions on it, one per sender (the latest). */
  reactions?: StoredReaction[];
}

export interface StoredReaction {
  /** The reaction message's id. */
  id: string;
  fromMe: boolean;
  /** Who reacted (user jid), when not us. */
  sender?: string;
  emoji: string;
  /** Sender clock, ms. */
  t: number;
}

export interface StoredChat {
  jid: string;
  name?: string;
  unreadCount: number;
  archived: boolean;
  pinnedAt?: number;
  mutedUntil?: number;
  /** Oldest first. */
  readonly messages: StoredMessage[];
  /** senderKey → message, for dedupe, edits and revokes. */
  readonly byKey: Map<string, StoredMessage>;
}

export interface HistoryLimits {
  /** Messages held, all chats together. */
  messages: number;
  chats: number;
  /** Push names, and mappings, each. */
  names: number;
}

export const DEFAULT_HISTORY_LIMITS: Readonly<HistoryLimits> = Object.freeze({ messages: 200_000, chats: 10_000, names: 10_000 });

/** How a message is known within its chat: its sender (me, or the author) and its id. */
export function senderKey(m: Pick<StoredMessage, 'id' | 'fromMe' | 'participant'>): string {
  return `${m.fromMe ? 'me' : m.participant ?? ''}\u0000${m.id}`;
}

export class HistoryStore {
  readonly #chats = new Map<string, StoredChat>();
  readonly #pushNames = new Map<string, string>();
  /** lid → pn */
  readonly #mappings = new Map<string, string>();
  /** Status posts (status@broadcast) by sender key, oldest first. */
  readonly #statuses = new Map<string, StoredMessage>();
  readonly #limits: HistoryLimits;
  #messages = 0;
  /** Bumped on every change. */
  version = 0;

  constructor(limits: HistoryLimits = DEFAULT_HISTORY_LIMITS) {
    this.#limits = limits;
  }

  get limits(): HistoryLimits {
    return this.#limits;
  }

  get messageCount(): number {
    return this.#messages;
  }

  chats(): StoredChat[] {
    return [...this.#chats.values()];
  }

  chat(jid: string): StoredChat | undefined {
    return this.#chats.get(jid);
  }

  pushNames(): Array<{ jid: string; name: string }> {
    return [...this.#pushNames].map(([jid, name]) => ({ jid, name }));
  }

  mappings(): Array<{ lid: string; pn: string }> {
    return [...this.#mappings].map(([lid, pn]) => ({ lid, pn }));
  }

  /** The LID of a phone-number jid, when a mapping names it. */
  lidOf(pn: string): string | undefined {
    for (const [lid, p] of this.#mappings) if (p === pn) return lid;
    return undefined;
  }

  pnOf(lid: string): string | undefined {
    return this.#mappings.get(lid);
  }

  /**
   * The chat, created when absent.
   * @throws PhoneError HISTORY_FULL when the phone holds its bound of chats
   */
  ensureChat(jid: string): StoredChat {
    let chat = this.#chats.get(jid);
    if (chat) return chat;
    if (this.#chats.size >= this.#limits.chats) throw new PhoneError('HISTORY_FULL', `the phone holds ${this.#limits.chats} chats already`);
    chat = { jid, unreadCount: 0, archived: false, messages: [], byKey: new Map() };
    this.#chats.set(jid, chat);
    this.version++;
    return chat;
  }

  /** Changes chat metadata (what is given). */
  updateChat(chat: StoredChat, fields: Partial<Pick<StoredChat, 'name' | 'unreadCount' | 'archived' | 'pinnedAt' | 'mutedUntil'>>): void {
    Object.assign(chat, fields);
    this.version++;
  }

  /**
   * Adds a message in time order; false when the chat holds it already. The
   * phone's oldest messages make room when the bound is reached.
   */
  add(chat: StoredChat, m: StoredMessage): boolean {
    const key = senderKey(m);
    if (chat.byKey.has(key)) return false;
    chat.byKey.set(key, m);
    const list = chat.messages;
    if (list.length === 0 || list[list.length - 1]!.t <= m.t) list.push(m);
    else list.splice(upperBound(list, m.t), 0, m);
    this.#messages++;
    this.version++;
    if (this.#messages > this.#limits.messages) this.#evictOldest(this.#messages - this.#limits.messages);
    return true;
  }

  /** Whether `count` more messages fit without evicting any. */
  hasRoomFor(count: number): boolean {
    return this.#messages + count <= this.#limits.messages;
  }

  find(chat: StoredChat, key: string): StoredMessage | undefined {
    return chat.byKey.get(key);
  }

  /** Marks a stored message changed (edited, revoked, status). */
  touched(): void {
    this.version++;
  }

  /** Status posts, oldest first. */
  statuses(): StoredMessage[] {
    return [...this.#statuses.values()].sort((a, b) => a.t - b.t);
  }

  /** Keeps a status post once; past the bound (as many as push names) the oldest kept goes. */
  addStatus(m: StoredMessage): boolean {
    const key = senderKey(m);
    if (this.#statuses.has(key)) return false;
    this.#statuses.set(key, m);
    if (this.#statuses.size > this.#limits.names) this.#statuses.delete(this.#statuses.keys().next().value as string);
    this.version++;
    return true;
  }

  /** @throws PhoneError HISTORY_FULL when the bound of names is reached and `jid` is new */
  setPushName(jid: string, name: string): void {
    if (this.#pushNames.get(jid) === name) return;
    if (!this.#pushNames.has(jid) && this.#pushNames.size >= this.#limits.names) throw new PhoneError('HISTORY_FULL', `the phone holds ${this.#limits.names} push names already`);
    this.#pushNames.set(jid, name);
    this.version++;
  }

  /** @throws PhoneError HISTORY_FULL when the bound of mappings is reached and `lid` is new */
  setMapping(lid: string, pn: string): void {
    if (this.#mappings.get(lid) === pn) return;
    if (!this.#mappings.has(lid) && this.#mappings.size >= this.#limits.names) throw new PhoneError('HISTORY_FULL', `the phone holds ${this.#limits.names} mappings already`);
    this.#mappings.set(lid, pn);
    this.version++;
  }

  clear(): void {
    this.#chats.clear();
    this.#pushNames.clear();
    this.#mappings.clear();
    this.#statuses.clear();
    this.#messages = 0;
    this.version++;
  }

  /** Drops `count` messages, oldest of the phone first, a run from one chat at a time. */
  #evictOldest(count: number): void {
    let left = count;
    while (left > 0) {
      let oldest: StoredChat | undefined;
      let next = Infinity;
      for (const c of this.#chats.values()) {
        const t = c.messages[0]?.t;
        if (t === undefined) continue;
        if (!oldest || t < oldest.messages[0]!.t) {
          if (oldest) next = Math.min(next, oldest.messages[0]!.t);
          oldest = c;
        } else next = Math.min(next, t);
      }
      if (!oldest) return;
      // Everything in this chat older than any other chat's first message goes in one splice.
      let n = 0;
      while (n < left && n < oldest.messages.length && (n === 0 || oldest.messages[n]!.t <= next)) n++;
      for (const gone of oldest.messages.splice(0, n)) oldest.byKey.delete(senderKey(gone));
      this.#messages -= n;
      left -= n;
    }
  }
}

/** The index after every message with time ≤ t (so equal times keep their arrival order). */
function upperBound(list: StoredMessage[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
