/**
 * The people requests on the control socket: their data schemas (folded into
 * requests.ts's table) and their dispatch to the DaemonApi (called from
 * dispatch.ts). Validation here is syntax only; whether a number or contact
 * exists is WhatsApp's answer.
 */
import type { PeopleRequestMap } from '../contract/people.js';
import { IpcError } from './errors.js';
import { normalizeJid } from './jid.js';
import type { DispatchContext } from './dispatch.js';
import { arrayOf, bool, described, object, optional, str, type Check } from './schema.js';

type PeopleType = keyof PeopleRequestMap;

const jid: Check<string> = described(
  (v, path) => {
    const s = str({ max: 128 })(v, path);
    const j = normalizeJid(s);
    if (j === undefined) throw new IpcError('INVALID_PAYLOAD', `${path} must be a jid, a phone number or a group id`, { field: path });
    return j;
  },
  { type: 'string', maxLength: 128, description: 'a jid, a phone number or a group id' },
);
/** Digits with an optional +; spaces, dashes, dots and brackets as people write numbers are dropped. */
const phoneNumber: Check<string> = described(
  (v, path) => {
    const s = str({ max: 32 })(v, path).replace(/[\s().-]/g, '');
    if (!/^\+?[0-9]{5,20}$/.test(s)) throw new IpcError('INVALID_PAYLOAD', `${path} must be a phone number (digits)`, { field: path });
    return s.replace(/^\+/, '');
  },
  { type: 'string', maxLength: 32, pattern: '^[+0-9 ().-]{5,32}$', description: 'a phone number: digits, optionally with + and spaces, dashes, dots or brackets' },
);

/** Numbers one contact:check takes (the account asks WhatsApp in batches). */
export const MAX_CHECK_PHONES = 5_000;

export const PEOPLE_SPECS: Record<PeopleType, { data: Check<unknown>; needs: 'none' | 'account' | 'chat' }> = {
  'contact:check': { data: object({ phones: arrayOf(phoneNumber, { min: 1, max: MAX_CHECK_PHONES }) }), needs: 'account' },
  'contact:info': { data: object({ jid }), needs: 'account' },
  'contact:picture': { data: object({ jid, preview: optional(bool) }), needs: 'account' },
};

const TYPES = new Set<string>(Object.keys(PEOPLE_SPECS));

export function isPeopleType(type: string): type is PeopleType {
  return TYPES.has(type);
}

type PeopleRequest = { [T in PeopleType]: { type: T; account?: string; chat?: string; data: PeopleRequestMap[T]['data'] } }[PeopleType];

/** @throws DaemonError / IpcError with the contract's codes */
export async function dispatchPeople(req: PeopleRequest, ctx: DispatchContext): Promise<Record<string, unknown>> {
  const { api } = ctx;
  const a = req.account!;
  switch (req.type) {
    case 'contact:check':
      return { results: await api.checkContacts(a, req.data.phones) };
    case 'contact:info':
      return { ...(await api.contactInfo(a, req.data.jid)) };
    case 'contact:picture':
      return { ...(await api.contactPicture(a, req.data.jid, req.data.preview === true)) };
  }
}
