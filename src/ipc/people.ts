/**
 * The people requests on the control socket: their data schemas (folded into
 * requests.ts's table) and their dispatch to the DaemonApi (called from
 * dispatch.ts). Validation here is syntax only; whether a number or contact
 * exists is WhatsApp's answer.
 */
import { PRIVACY_SETTINGS, type PeopleRequestMap, type PrivacySetting, type ProfilePictureData } from '../contract/people.js';
import { uploadedFile } from './uploads.js';
import { IpcError } from './errors.js';
import { normalizeJid } from './jid.js';
import type { DispatchContext } from './dispatch-context.js';
import { arrayOf, bool, described, int, object, oneOf, optional, schemaOf, str, type Check } from './schema.js';

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

const base64 = str({ max: 24 << 20, pattern: /^[A-Za-z0-9+/]*={0,2}$/, what: 'base64' });

const pictureFields = { upload: optional(int(0, 0xffff_ffff)), path: optional(str({ max: 4096 })), base64: optional(base64), remove: optional(bool) };
const pictureObject = object(pictureFields);
/** One source of the image, or `remove: true`: the schema says which combinations there are (dispatch enforces it). */
const pictureData = described(pictureObject, {
  ...schemaOf(pictureObject),
  anyOf: [
    { type: 'object', properties: { remove: { type: 'boolean', enum: [true] } }, required: ['remove'] },
    { type: 'object', properties: { base64: schemaOf(pictureFields.base64) }, required: ['base64'] },
    { type: 'object', properties: { upload: schemaOf(pictureFields.upload) }, required: ['upload'] },
    { type: 'object', properties: { path: schemaOf(pictureFields.path) }, required: ['path'] },
  ],
});

/** Every value some privacy setting takes (which one a setting takes is checked in dispatch). */
const PRIVACY_VALUES = [...new Set(Object.values(PRIVACY_SETTINGS).flat())];

export const PEOPLE_SPECS: Record<PeopleType, { data: Check<unknown>; needs: 'none' | 'account' | 'chat'; chatOptional?: boolean }> = {
  'contact:check': { data: object({ phones: arrayOf(phoneNumber, { min: 1, max: MAX_CHECK_PHONES }) }), needs: 'account' },
  'contact:info': { data: object({ jid }), needs: 'account' },
  'contact:picture': { data: object({ jid, preview: optional(bool) }), needs: 'account' },
  'profile:set': { data: object({ name: optional(str({ max: 100 })), about: optional(str({ min: 0, max: 1024 })) }), needs: 'account' },
  // conversationId, when given, names a group whose picture we set.
  'profile:picture': { data: pictureData, needs: 'account', chatOptional: true },
  'privacy:get': { data: object({}), needs: 'account' },
  'privacy:set': { data: object({ setting: oneOf(Object.keys(PRIVACY_SETTINGS) as PrivacySetting[]), value: oneOf(PRIVACY_VALUES) }), needs: 'account' },
  'block:list': { data: object({}), needs: 'account' },
  'block:update': { data: object({ jid, action: oneOf(['unblock', 'block'] as const) }), needs: 'account' },
  // The contact is conversationId.
  'presence:subscribe': { data: object({}), needs: 'chat' },
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
    case 'profile:set':
      // Neither field: nothing to change (as group:update without a field).
      if (req.data.name === undefined && req.data.about === undefined) return {};
      await api.setProfile(a, { ...(req.data.name !== undefined ? { name: req.data.name } : {}), ...(req.data.about !== undefined ? { about: req.data.about } : {}) });
      return {};
    case 'profile:picture':
      return setPicture(req.data, a, req.chat, ctx);
    case 'privacy:get':
      return { settings: await api.getPrivacy(a) };
    case 'privacy:set': {
      const allowed: readonly string[] = PRIVACY_SETTINGS[req.data.setting];
      if (!allowed.includes(req.data.value)) throw new IpcError('INVALID_PAYLOAD', `${req.data.setting} takes ${allowed.join(', ')}`, { field: 'data.value' });
      await api.setPrivacy(a, req.data.setting, req.data.value);
      return {};
    }
    case 'block:list':
      return { jids: await api.blocklist(a) };
    case 'block:update':
      if (req.data.jid.endsWith('@g.us')) throw new IpcError('INVALID_PAYLOAD', 'data.jid must be a user (a group cannot be blocked)', { field: 'data.jid' });
      await api.updateBlock(a, req.data.jid, req.data.action);
      return {};
    case 'presence:subscribe':
      if (req.chat!.endsWith('@g.us')) throw new IpcError('INVALID_PAYLOAD', 'conversationId must be a user: presence is followed per contact', { field: 'conversationId' });
      await api.subscribePresence(a, req.chat!);
      return {};
  }
}

async function setPicture(d: ProfilePictureData, account: string, group: string | undefined, ctx: DispatchContext): Promise<Record<string, unknown>> {
  if (group !== undefined && !group.endsWith('@g.us')) throw new IpcError('INVALID_PAYLOAD', 'conversationId must be a group (or absent for our own picture)', { field: 'conversationId' });
  const n = Number(d.upload !== undefined) + Number(d.path !== undefined) + Number(d.base64 !== undefined);
  if (d.remove === true) {
    if (n > 0) throw new IpcError('INVALID_PAYLOAD', 'give either data.remove or an image', { field: 'data.remove' });
    return { ...(await ctx.api.setProfilePicture(account, undefined, group)) };
  }
  if (n === 0) throw new IpcError('MISSING_FIELD', 'give data.upload, data.path or data.base64 (or data.remove: true)', { field: 'data.upload' });
  if (n > 1) throw new IpcError('INVALID_PAYLOAD', 'give only one of data.upload, data.path, data.base64', { field: 'data.upload' });
  if (d.base64 !== undefined) {
    const bytes = Buffer.from(d.base64, 'base64');
    if (bytes.length === 0) throw new IpcError('INVALID_PAYLOAD', 'data.base64 holds no bytes', { field: 'data.base64' });
    return { ...(await ctx.api.setProfilePicture(account, new Uint8Array(bytes), group)) };
  }
  if (d.path !== undefined) {
    if (!ctx.allowPaths) throw new IpcError('FORBIDDEN', 'data.path is accepted only on the Unix socket; upload the bytes in binary frames', { field: 'data.path' });
    return { ...(await ctx.api.setProfilePicture(account, { path: d.path }, group)) };
  }
  const up = await ctx.uploads.take(d.upload!);
  try {
    return { ...(await ctx.api.setProfilePicture(account, uploadedFile(up), group)) };
  } finally {
    await ctx.uploads.release(up.path);
  }
}
