/**
 * The body of `POST /phones/:phone/app-state`: what the person did on the
 * phone, as `{"action": <name>, …fields}`, read strictly into the protocol
 * core's AppStateAction (a field of the wrong type or an unknown action is a
 * 400, never a silently different write). Chats and contacts may be given as
 * bare numbers, as elsewhere in the admin API. docs/simulator.md lists every
 * action with its fields and defaults.
 */
import type { AppStateAction, MessageRef } from '../../protocol/appstate/index.js';
import { SimError } from '../errors.js';

type Body = Record<string, unknown>;

const ACTIONS: Readonly<Record<string, (b: Body) => AppStateAction>> = {
  archive: (b) => ({ type: 'archive', chat: jid(b, 'chat'), archived: flag(b, 'archived', true) }),
  pin: (b) => ({ type: 'pin', chat: jid(b, 'chat'), pinned: flag(b, 'pinned', true) }),
  mute: (b) => ({ type: 'mute', chat: jid(b, 'chat'), until: muteUntil(b) }),
  markRead: (b) => ({ type: 'markRead', chat: jid(b, 'chat'), read: flag(b, 'read', true) }),
  star: (b) => ({ type: 'star', chat: jid(b, 'chat'), message: messageRef(b), starred: flag(b, 'starred', true) }),
  deleteForMe: (b) => ({ type: 'deleteForMe', chat: jid(b, 'chat'), message: messageRef(b), deleteMedia: flag(b, 'deleteMedia', false) }),
  deleteChat: (b) => ({ type: 'deleteChat', chat: jid(b, 'chat'), deleteMedia: flag(b, 'deleteMedia', false) }),
  clearChat: (b) => ({ type: 'clearChat', chat: jid(b, 'chat'), keepStarred: flag(b, 'keepStarred', true), deleteMedia: flag(b, 'deleteMedia', false) }),
  contact: (b) => {
    const firstName = optText(b, 'firstName');
    return { type: 'contact', jid: jid(b, 'jid'), fullName: text(b, 'fullName'), ...(firstName !== undefined ? { firstName } : {}) };
  },
  removeContact: (b) => ({ type: 'removeContact', jid: jid(b, 'jid') }),
  pushName: (b) => ({ type: 'pushName', name: text(b, 'name') }),
  locale: (b) => ({ type: 'locale', locale: text(b, 'locale') }),
  labelEdit: (b) => ({
    type: 'labelEdit',
    labelId: text(b, 'labelId'),
    name: text(b, 'name'),
    color: int(b, 'color', 0),
    deleted: flag(b, 'deleted', false),
  }),
  labelChat: (b) => ({ type: 'labelChat', chat: jid(b, 'chat'), labelId: text(b, 'labelId'), labelled: flag(b, 'labelled', true) }),
  labelMessage: (b) => ({ type: 'labelMessage', chat: jid(b, 'chat'), labelId: text(b, 'labelId'), messageId: text(b, 'id'), labelled: flag(b, 'labelled', true) }),
  unarchiveChats: (b) => ({ type: 'unarchiveChats', enabled: flag(b, 'enabled', true) }),
};

/** @throws SimError BAD_REQUEST */
export function parseAppStateAction(body: unknown): AppStateAction {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SimError('BAD_REQUEST', 'body must be a JSON object');
  const b = body as Body;
  const name = b.action;
  if (typeof name !== 'string' || !Object.hasOwn(ACTIONS, name)) {
    throw new SimError('BAD_REQUEST', `action must be one of ${Object.keys(ACTIONS).join(', ')}`);
  }
  return ACTIONS[name]!(b);
}

/** The chat or contact: a jid as given, a bare number as a user jid, "123-456" as a group. */
function jid(b: Body, key: string): string {
  const x = text(b, key);
  if (x.includes('@')) return x;
  if (/^[0-9]+-[0-9]+$/.test(x)) return `${x}@g.us`;
  const digits = x.replace(/[^0-9]/g, '');
  if (digits === '') throw new SimError('BAD_REQUEST', `${key} must be a jid or a phone number`);
  return `${digits}@s.whatsapp.net`;
}

function messageRef(b: Body): MessageRef {
  const participant = b.participant === undefined ? undefined : jid(b, 'participant');
  return { id: text(b, 'id'), fromMe: flag(b, 'fromMe', false), ...(participant ? { participant } : {}) };
}

/** `until`: ms since the epoch, -1 (the default) for ever, null to unmute. */
function muteUntil(b: Body): number | null {
  if (b.until === null) return null;
  if (b.until === undefined) return -1;
  if (typeof b.until !== 'number' || !Number.isSafeInteger(b.until) || (b.until < 1 && b.until !== -1)) {
    throw new SimError('BAD_REQUEST', 'until must be ms since the epoch, -1 (for ever) or null (unmute)');
  }
  return b.until;
}

function text(b: Body, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > 1024) throw new SimError('BAD_REQUEST', `${key} must be a non-empty string of at most 1024 characters`);
  return v;
}

function optText(b: Body, key: string): string | undefined {
  return b[key] === undefined ? undefined : text(b, key);
}

function flag(b: Body, key: string, fallback: boolean): boolean {
  const v = b[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new SimError('BAD_REQUEST', `${key} must be true or false`);
  return v;
}

function int(b: Body, key: string, fallback: number): number {
  const v = b[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new SimError('BAD_REQUEST', `${key} must be a non-negative integer`);
  return v;
}
