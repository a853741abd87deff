/**
 * History a test gives the phone through the admin API: chats with their
 * metadata and messages, push names and mappings, as JSON — or generated in
 * bulk (`generate`: N chats, M messages, spread over the chats and back in
 * time) for load tests that would not fit a request body. Everything is
 * checked before anything is stored, so a refused seed changes nothing; a
 * seed never evicts (it is refused past the phone's bounds instead).
 */
import { randomBytes } from 'node:crypto';
import { proto } from '../../../protocol/proto/index.js';
import type { MessageStatus } from '../../../protocol/history/index.js';
import type { HistoryTotals } from '../../phone-history.js';
import { messageFromJson } from '../content.js';
import { PhoneError } from '../errors.js';
import type { HistoryStore, StoredChat, StoredMessage, StoredReaction } from './store.js';

interface ChatSeed {
  jid: string;
  meta: Partial<Pick<StoredChat, 'name' | 'unreadCount' | 'archived' | 'pinnedAt' | 'mutedUntil'>>;
  messages: StoredMessage[];
}

interface Seed {
  chats: ChatSeed[];
  pushNames: Array<{ jid: string; name: string }>;
  mappings: Array<{ lid: string; pn: string }>;
  /** Status posts (status@broadcast): someone else's name their `participant`. */
  statuses: StoredMessage[];
}

const STATUSES: ReadonlySet<string> = new Set<MessageStatus>(['error', 'pending', 'sent', 'delivered', 'read', 'played']);
const MAX_STRING = 65_536;

function bad(message: string): PhoneError {
  return new PhoneError('BAD_HISTORY', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown, path: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw bad(`${path} must be an array`);
  return v;
}

function text(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_STRING) throw bad(`${path} must be a non-empty string`);
  return v;
}

function optionalText(v: unknown, path: string): string | undefined {
  return v === undefined ? undefined : text(v, path);
}

function whole(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`${path} must be an integer from ${min} to ${max}`);
  return v;
}

/** A bare number (with +, spaces or dashes) is a user, "digits-digits" or 120363… a group; a jid passes. */
export function chatJid(x: string): string {
  if (x.includes('@')) return x;
  if (/^[0-9]+-[0-9]+$/.test(x) || /^120363[0-9]{12}$/.test(x)) return `${x}@g.us`;
  return `${x.replace(/[^0-9]/g, '')}@s.whatsapp.net`;
}

function newId(): string {
  return '3EB0' + randomBytes(9).toString('hex').toUpperCase();
}

function messageSeed(v: unknown, path: string, chat: string, now: number): StoredMessage {
  const group = chat.endsWith('@g.us') || chat === 'status@broadcast';
  if (!isObject(v)) throw bad(`${path} must be an object`);
  const fromMe = v.fromMe === undefined ? false : v.fromMe === true ? true : v.fromMe === false ? false : undefined;
  if (fromMe === undefined) throw bad(`${path}.fromMe must be a boolean`);
  if (v.text !== undefined && v.message !== undefined) throw bad(`${path}: give text or message, not both`);
  const content = v.message !== undefined ? messageFromJson(v.message) : { conversation: text(v.text, `${path}.text`) };
  const m: StoredMessage = {
    id: v.id === undefined ? newId() : text(v.id, `${path}.id`),
    fromMe,
    t: v.t === undefined ? now : whole(v.t, `${path}.t`, 0),
    content: proto.Message.encode(content).finish(),
  };
  const participant = optionalText(v.participant, `${path}.participant`);
  if (group && !fromMe && !participant) throw bad(`${path}.participant is required for someone else's message in a group`);
  if (participant && !fromMe) m.participant = chatJid(participant);
  const pushName = optionalText(v.pushName, `${path}.pushName`);
  if (pushName) m.pushName = pushName;
  if (v.status !== undefined) {
    if (typeof v.status !== 'string' || !STATUSES.has(v.status)) throw bad(`${path}.status must be one of ${[...STATUSES].join(', ')}`);
    m.status = v.status as MessageStatus;
  }
  const reactions = list(v.reactions, `${path}.reactions`).map((r, i) => reactionSeed(r, `${path}.reactions[${i}]`, chat, m.t));
  if (reactions.length > 0) m.reactions = reactions;
  return m;
}

/** `{emoji, fromMe?, sender?, id?, t?}`: someone else's in a group names its sender; in a 1:1 chat it is the other person's. */
function reactionSeed(v: unknown, path: string, chat: string, messageT: number): StoredReaction {
  if (!isObject(v)) throw bad(`${path} must be an object`);
  const fromMe = v.fromMe === true;
  const given = optionalText(v.sender, `${path}.sender`);
  const group = chat.endsWith('@g.us');
  if (!fromMe && group && !given) throw bad(`${path}.sender is required for someone else's reaction in a group`);
  const sender = fromMe ? undefined : given ? chatJid(given) : chat;
  return {
    id: v.id === undefined ? newId() : text(v.id, `${path}.id`),
    fromMe,
    ...(sender ? { sender } : {}),
    emoji: text(v.emoji, `${path}.emoji`),
    t: v.t === undefined ? messageT * 1000 : whole(v.t, `${path}.t`, 0) * 1000,
  };
}

function chatSeed(v: unknown, path: string, now: number): ChatSeed {
  if (!isObject(v)) throw bad(`${path} must be an object`);
  const jid = chatJid(text(v.jid, `${path}.jid`));
  const meta: ChatSeed['meta'] = {};
  const name = optionalText(v.name, `${path}.name`);
  if (name) meta.name = name;
  if (v.unreadCount !== undefined) meta.unreadCount = whole(v.unreadCount, `${path}.unreadCount`, 0);
  if (v.archived !== undefined) meta.archived = v.archived === true;
  // `pinned`: true pins it now; a number is the time it was pinned.
  if (v.pinned === true) meta.pinnedAt = now;
  else if (v.pinned !== undefined && v.pinned !== false) meta.pinnedAt = whole(v.pinned, `${path}.pinned`, 1);
  if (v.mutedUntil !== undefined) meta.mutedUntil = v.mutedUntil === -1 ? -1 : whole(v.mutedUntil, `${path}.mutedUntil`, 1);
  const messages = list(v.messages, `${path}.messages`).map((m, i) => messageSeed(m, `${path}.messages[${i}]`, jid, now));
  return { jid, meta, messages };
}

/** The seed a request body describes. @throws PhoneError BAD_HISTORY, BAD_MESSAGE */
export function parseSeed(body: unknown, now: number): Seed {
  if (!isObject(body)) throw bad('the history seed must be a JSON object');
  const seed: Seed = {
    chats: list(body.chats, 'chats').map((c, i) => chatSeed(c, `chats[${i}]`, now)),
    pushNames: list(body.pushNames, 'pushNames').map((p, i) => {
      if (!isObject(p)) throw bad(`pushNames[${i}] must be an object`);
      return { jid: chatJid(text(p.jid, `pushNames[${i}].jid`)), name: text(p.name, `pushNames[${i}].name`) };
    }),
    mappings: list(body.mappings, 'mappings').map((p, i) => {
      if (!isObject(p)) throw bad(`mappings[${i}] must be an object`);
      const lid = text(p.lid, `mappings[${i}].lid`);
      return { lid: lid.includes('@') ? lid : `${lid}@lid`, pn: chatJid(text(p.pn, `mappings[${i}].pn`)) };
    }),
    // A status is addressed like a group message: someone else's needs its author.
    statuses: list(body.statuses, 'statuses').map((m, i) => messageSeed(m, `statuses[${i}]`, 'status@broadcast', now)),
  };
  if (body.generate !== undefined) merge(seed, generated(body.generate, now));
  return seed;
}

function merge(into: Seed, more: Seed): void {
  into.chats.push(...more.chats);
  into.pushNames.push(...more.pushNames);
  into.mappings.push(...more.mappings);
  into.statuses.push(...more.statuses);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * `{chats, messages, groups?, newest?, step?, prefix?, textBytes?}`: `messages`
 * texts over `chats` chats (the first `groups` of them groups), newest at
 * `newest` (unix s, default now) and `step` seconds apart (default 60), dealt
 * round the chats so every chat spans the whole time; every third message is
 * the phone's own. `textBytes` pads each text with that many random base64
 * characters, so a load test carries text that does not compress to nothing.
 * Users get push names and (1:1 chats) LID mappings.
 */
function generated(v: unknown, now: number): Seed {
  if (!isObject(v)) throw bad('generate must be an object');
  const chats = whole(v.chats, 'generate.chats', 1, 100_000);
  const messages = whole(v.messages, 'generate.messages', 0, 10_000_000);
  const groups = v.groups === undefined ? 0 : whole(v.groups, 'generate.groups', 0, chats);
  const newest = v.newest === undefined ? now : whole(v.newest, 'generate.newest', 0);
  const step = v.step === undefined ? 60 : whole(v.step, 'generate.step', 0, 86_400);
  const prefix = v.prefix === undefined ? 'history' : text(v.prefix, 'generate.prefix');
  const textBytes = v.textBytes === undefined ? 0 : whole(v.textBytes, 'generate.textBytes', 0, 4096);
  const padding = (): string => (textBytes > 0 ? ' ' + randomBytes(Math.ceil((textBytes * 3) / 4)).toString('base64').slice(0, textBytes) : '');
  const run = randomBytes(3).toString('hex').toUpperCase();
  const seed: Seed = { chats: [], pushNames: [], mappings: [], statuses: [] };
  for (let i = 0; i < chats; i++) {
    const group = i < groups;
    const jid = group ? `120363${pad(i, 12)}@g.us` : `1999${pad(i, 8)}@s.whatsapp.net`;
    seed.chats.push({ jid, meta: { name: group ? `Group ${i + 1}` : `Contact ${i + 1}` }, messages: [] });
    if (!group) {
      seed.pushNames.push({ jid, name: `User ${i + 1}` });
      seed.mappings.push({ lid: `2999${pad(i, 11)}@lid`, pn: jid });
    }
  }
  // Oldest first, so each chat's list is already in time order.
  for (let g = messages - 1; g >= 0; g--) {
    const c = g % chats;
    const chat = seed.chats[c]!;
    // The chat's messages counted from its oldest: "<chat>:1" is the first.
    const n = Math.floor((messages - 1 - c) / chats) - Math.floor(g / chats) + 1;
    const fromMe = g % 3 === 0;
    const m: StoredMessage = {
      id: `3EB0${run}${pad(c, 5)}${pad(n, 7)}`,
      fromMe,
      t: Math.max(0, newest - g * step),
      content: proto.Message.encode({ conversation: `${prefix} ${c + 1}:${n}${padding()}` }).finish(),
    };
    if (!fromMe && c < groups) m.participant = `1998${pad(n % 50, 8)}@s.whatsapp.net`;
    chat.messages.push(m);
  }
  return seed;
}

/**
 * Stores a parsed seed: all of it, or nothing when it would pass a bound.
 * @throws PhoneError HISTORY_FULL
 */
export function applySeed(store: HistoryStore, seed: Seed): HistoryTotals {
  const newChats = new Set(seed.chats.map((c) => c.jid).filter((j) => !store.chat(j)));
  if (store.chats().length + newChats.size > store.limits.chats) throw new PhoneError('HISTORY_FULL', `the seed would pass the phone's ${store.limits.chats} chats`);
  const count = seed.chats.reduce((n, c) => n + c.messages.length, 0);
  if (!store.hasRoomFor(count)) throw new PhoneError('HISTORY_FULL', `the seed would pass the phone's ${store.limits.messages} messages`);
  const names = new Set([...store.pushNames().map((p) => p.jid), ...seed.pushNames.map((p) => p.jid)]);
  const lids = new Set([...store.mappings().map((m) => m.lid), ...seed.mappings.map((m) => m.lid)]);
  if (names.size > store.limits.names || lids.size > store.limits.names) throw new PhoneError('HISTORY_FULL', `the seed would pass the phone's ${store.limits.names} push names or mappings`);
  for (const c of seed.chats) {
    const chat = store.ensureChat(c.jid);
    store.updateChat(chat, c.meta);
    for (const m of c.messages) store.add(chat, m);
  }
  for (const p of seed.pushNames) store.setPushName(p.jid, p.name);
  for (const m of seed.mappings) store.setMapping(m.lid, m.pn);
  for (const m of seed.statuses) store.addStatus(m);
  return {
    chats: store.chats().length,
    messages: store.messageCount,
    pushNames: store.pushNames().length,
    mappings: store.mappings().length,
    statuses: store.statuses().length,
  };
}
