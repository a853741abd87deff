/**
 * What a JID names: predicates, identity comparisons and `jidKind`. Owns
 * classification only; splitting and joining live in codec.ts.
 *
 * Unlike Baileys' `endsWith` checks, every predicate looks at the server as
 * jidDecode splits it (everything after the first '@'), so 'a@b@lid' is not
 * a LID. All functions accept undefined and never throw.
 */
import { jidDecode, jidEncode, type DecodedJid } from './codec.js';
import { SERVER, STATUS_BROADCAST_JID } from './servers.js';

export type JidKind =
  | 'pn' // a phone-number user or device (s.whatsapp.net, or legacy c.us)
  | 'lid' // a LID user or device
  | 'hosted' // a hosted (Cloud API) phone-number user
  | 'hosted-lid' // a hosted (Cloud API) LID user
  | 'group'
  | 'status' // status@broadcast
  | 'broadcast' // a broadcast list
  | 'newsletter'
  | 'bot'
  | 'call'
  | 'msgr'
  | 'interop'
  | 'server' // a server with no user, e.g. '@s.whatsapp.net' (the `to` of IQs) or '@g.us'
  | 'other'; // an unknown server

const BOT_USER = /^1313555\d{4}$|^131655500\d{2}$/;

function serverOf(jid: string | null | undefined): string | undefined {
  if (typeof jid !== 'string') return undefined;
  const at = jid.indexOf('@');
  return at < 0 ? undefined : jid.slice(at + 1);
}

/** PN users and devices on `s.whatsapp.net`. */
export const isPn = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.PN;
export const isLid = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.LID;
export const isHostedPn = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.HOSTED;
export const isHostedLid = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.HOSTED_LID;
export const isGroup = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.GROUP;
/** Any `@broadcast` JID, status included. */
export const isBroadcast = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.BROADCAST;
export const isStatusBroadcast = (jid: string | null | undefined): boolean => jid === STATUS_BROADCAST_JID;
export const isNewsletter = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.NEWSLETTER;
export const isCall = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.CALL;
export const isInterop = (jid: string | null | undefined): boolean => serverOf(jid) === SERVER.INTEROP;

/** Meta AI and other bots: `@bot`, or the bot number ranges on the PN servers. */
export function isBot(jid: string | null | undefined): boolean {
  const d = jidDecode(jid);
  if (!d) return false;
  if (d.server === SERVER.BOT) return true;
  return (d.server === SERVER.PN || d.server === SERVER.LEGACY) && !d.device && BOT_USER.test(d.user);
}

/** What the JID addresses; undefined when the string is not a JID. */
export function jidKind(jid: string | null | undefined): JidKind | undefined {
  const d = jidDecode(jid);
  if (!d) return undefined;
  if (!d.user) return 'server';
  switch (d.server) {
    case SERVER.PN:
    case SERVER.LEGACY:
      return isBot(jid) ? 'bot' : 'pn';
    case SERVER.LID:
      return 'lid';
    case SERVER.HOSTED:
      return 'hosted';
    case SERVER.HOSTED_LID:
      return 'hosted-lid';
    case SERVER.GROUP:
      return 'group';
    case SERVER.BROADCAST:
      return d.user === 'status' ? 'status' : 'broadcast';
    case SERVER.NEWSLETTER:
      return 'newsletter';
    case SERVER.BOT:
      return 'bot';
    case SERVER.CALL:
      return 'call';
    case SERVER.MSGR:
      return 'msgr';
    case SERVER.INTEROP:
      return 'interop';
    default:
      return 'other';
  }
}

function userServer(d: DecodedJid): string {
  return d.server === SERVER.LEGACY ? SERVER.PN : d.server;
}

/**
 * The user JID (`user@server`, no agent or device, c.us read as
 * s.whatsapp.net); undefined when the string is not a JID.
 */
export function toUserJid(jid: string | null | undefined): string | undefined {
  const d = jidDecode(jid);
  return d ? jidEncode(d.user, userServer(d)) : undefined;
}

/** The device number (0 for the primary device or a user JID); undefined when not a JID. */
export function jidDevice(jid: string | null | undefined): number | undefined {
  const d = jidDecode(jid);
  return d ? d.device || 0 : undefined;
}

/**
 * Same account: same user on the same server family (c.us ≡ s.whatsapp.net),
 * any device. A PN and a LID of one person are NOT the same here; resolving
 * that needs the LID mapping, which is state this module does not hold.
 */
export function isSameUser(a: string | null | undefined, b: string | null | undefined): boolean {
  const da = jidDecode(a);
  const db = jidDecode(b);
  return !!da && !!db && da.user === db.user && userServer(da) === userServer(db);
}

/** Same user and same device (a user JID is device 0). */
export function isSameDevice(a: string | null | undefined, b: string | null | undefined): boolean {
  const da = jidDecode(a);
  const db = jidDecode(b);
  return !!da && !!db && da.user === db.user && userServer(da) === userServer(db) && (da.device || 0) === (db.device || 0);
}
