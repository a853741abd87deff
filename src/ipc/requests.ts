/**
 * Parses one text frame into a typed request: the envelope first (JSON
 * object, id, type, version, routing fields), then the data with the schema
 * of its type, the account and chat each type needs, jids normalized. Throws
 * FrameRejection, which says whether the frame had a usable id to reply to.
 * Owns validation; must not call the daemon.
 */
import { ACCOUNT_ID_PATTERN } from '../contract/api.js';
import type { ErrorCode } from '../contract/errors.js';
import { IpcError } from './errors.js';
import { normalizeJid } from './jid.js';
import { CHAT_ACTIONS, EVENT_TYPES, PROTOCOL_VERSION, REQUEST_TYPES, type RequestMap, type RequestType } from '../contract/frames.js';
import { PEOPLE_SPECS } from './people.js';
import { CALL_SPECS } from './calls.js';
import { NEWSLETTER_SPECS } from './newsletters.js';
import { COMMUNITY_SPECS } from './communities.js';
import { SEND_KINDS } from './send-kinds.js';
import type { Request } from './dispatch-context.js';
import { arrayOf, bool, described, either, int, invalid, mapOf, num, object, oneOf, optional, schemaOf, str, type Check, type JsonSchema } from './schema.js';

export type { Request };

export class FrameRejection extends IpcError {
  constructor(
    code: ErrorCode,
    message: string,
    /** The frame's id when it had a usable one. */
    readonly replyTo: string | undefined,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}

const ID = /^[\x21-\x7e]{1,128}$/;
const accountId = str({ max: 64, pattern: ACCOUNT_ID_PATTERN, what: 'an account id (letters, digits, _ . -, at most 64)' });
// Message ids become parts of store keys: '/' (the key separator) and control characters are never in a real one.
const messageId = str({ max: 128, pattern: /^[\x21-\x2e\x30-\x7e]+$/, what: "a message id (printable ASCII without spaces or '/')" });
/** Durable subscriber names: kept in the store per account, named in logs; plain and bounded. */
// Label ids are chosen by whichever device made the label: WhatsApp's are small numbers; any short printable id is kept.
const labelId = str({ max: 64, pattern: /^[\x21-\x7e]+$/, what: 'a label id (printable ASCII without spaces, at most 64)' });
const subscriberName = str({ max: 128, pattern: /^[A-Za-z0-9_.:@-]+$/, what: 'a subscriber name (letters, digits, _ . : @ -, at most 128)' });
// An empty text reaches the receiver as a message of no known kind: WhatsApp's apps never send one.
const text = str({ min: 1, max: 65_536 });
const phone = str({ max: 20, pattern: /^\+?[0-9]{5,15}$/, what: 'a phone number (digits)' });
const jid: Check<string> = described(
  (v, path) => {
    const s = str({ max: 128 })(v, path);
    const j = normalizeJid(s);
    if (j === undefined) throw new IpcError('INVALID_PAYLOAD', `${path} must be a jid, a phone number or a group id`, { field: path });
    return j;
  },
  { type: 'string', maxLength: 128, description: 'a jid, a phone number or a group id' },
);
const jids = arrayOf(jid, { min: 1, max: 1024 });
const mediaKind = oneOf(['image', 'video', 'audio', 'document', 'sticker'] as const);

const base64 = (max: number) => str({ max, pattern: /^[A-Za-z0-9+/]*={0,2}$/, what: 'base64' });
/** `true`: the daemon makes it from the text's first link; an object: the caller gives it; `false`: none. */
const linkPreview = either(
  bool,
  object({
    url: str({ max: 2048, pattern: /^https?:\/\/\S+$/i, what: 'an http:// or https:// URL' }),
    title: str({ max: 1024 }),
    description: optional(str({ min: 0, max: 4096 })),
    thumbnail: optional(base64(8 << 20)),
  }),
  (v) => typeof v === 'boolean',
);

const SEND: Record<string, Check<RequestMap['message:send']['data']>> = {
  text: object({
    type: oneOf(['text'] as const),
    content: text,
    quoted: optional(messageId),
    mentions: optional(jids),
    backgroundArgb: optional(int(0, 0xffff_ffff)),
    font: optional(int(0, 9)),
    linkPreview: optional(linkPreview),
  }),
  reply: object({ type: oneOf(['reply'] as const), content: text, quoted: messageId, mentions: optional(jids) }),
  location: object({
    type: oneOf(['location'] as const),
    latitude: num({ min: -90, max: 90 }),
    longitude: num({ min: -180, max: 180 }),
    name: optional(str({ max: 1024 })),
    address: optional(str({ max: 1024 })),
  }),
  contact: object({ type: oneOf(['contact'] as const), displayName: str({ max: 1024 }), vcard: str({ max: 65_536 }) }),
  poll: object({
    type: oneOf(['poll'] as const),
    name: str({ max: 1024 }),
    options: arrayOf(str({ max: 1024 }), { min: 2, max: 12 }),
    selectableCount: optional(int(0, 12)),
  }),
  reaction: object({ type: oneOf(['reaction'] as const), messageId, emoji: str({ min: 0, max: 32 }) }),
  'poll-vote': object({ type: oneOf(['poll-vote'] as const), pollId: messageId, options: arrayOf(str({ max: 1024 }), { min: 0, max: 12 }) }),
};
const media = object({
  type: mediaKind,
  upload: optional(int(0, 0xffff_ffff)),
  path: optional(str({ max: 4096 })),
  base64: optional(str({ max: 1 << 30 })),
  mimeType: optional(str({ max: 255, pattern: /^[\w.+-]+\/[\w.+-]+(;.*)?$/, what: 'a mime type' })),
  caption: optional(str({ min: 0, max: 65_536 })),
  fileName: optional(str({ max: 1024 })),
  ptt: optional(bool),
  quoted: optional(messageId),
  width: optional(int(1, 65_535)),
  height: optional(int(1, 65_535)),
  seconds: optional(int(0, 0x7fff_ffff)),
  jpegThumbnail: optional(base64(1 << 20)),
  gifPlayback: optional(bool),
  viewOnce: optional(bool),
});
for (const k of ['image', 'video', 'audio', 'document', 'sticker']) SEND[k] = media;
Object.assign(SEND, SEND_KINDS);

/** A status post's contacts (conversationId status@broadcast): as many as WhatsApp lets a status reach. */
const audience = optional(arrayOf(jid, { min: 1, max: 5_000 }));
/** Any string a caller picks (hashed before it is stored), at most 64 characters. */
const idempotencyKey = optional(str({ min: 1, max: 64 }));

const sendData: Check<RequestMap['message:send']['data']> = described((v, path) => {
  const t = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { type?: unknown }).type : undefined;
  if (t === undefined || t === null) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(path, 'an object', v);
    throw new IpcError('MISSING_FIELD', 'data.type is required', { field: 'data.type' });
  }
  const check = typeof t === 'string' ? SEND[t] : undefined;
  if (!check) throw new IpcError('INVALID_PAYLOAD', `data.type must be one of ${Object.keys(SEND).join(', ')}`, { field: 'data.type' });
  const key = idempotencyKey((v as { idempotencyKey?: unknown }).idempotencyKey, path === '' ? 'idempotencyKey' : `${path}.idempotencyKey`);
  const who = audience((v as { audience?: unknown }).audience, path === '' ? 'audience' : `${path}.audience`);
  // How to send, beside any kind's content: the kind's own check must not see them as fields it does not know.
  const { idempotencyKey: _k, audience: _a, ...content } = v as Record<string, unknown>;
  const out = { ...check(content, path), ...(key !== undefined ? { idempotencyKey: key } : {}), ...(who !== undefined ? { audience: who } : {}) };
  if ('upload' in out || 'path' in out || 'base64' in out || SEND[t as string] === media) {
    const m = out as { upload?: number; path?: string; base64?: string };
    const n = Number(m.upload !== undefined) + Number(m.path !== undefined) + Number(m.base64 !== undefined);
    if (n === 0) throw new IpcError('MISSING_FIELD', 'media needs data.upload, data.path or data.base64', { field: 'data.upload' });
    if (n > 1) throw new IpcError('INVALID_PAYLOAD', 'give only one of data.upload, data.path, data.base64', { field: 'data.upload' });
  }
  return out;
}, sendSchema());

/** One variant per kind of content (the media kinds share one), each with the idempotency key. */
function sendSchema(): JsonSchema {
  const variants = [...new Set(Object.values(SEND))].map((check) => {
    const s = schemaOf(check) as { properties?: Record<string, JsonSchema> };
    return { ...s, properties: { ...s.properties, idempotencyKey: schemaOf(idempotencyKey), audience: schemaOf(audience) } };
  });
  return { oneOf: variants };
}

export type Needs = 'none' | 'account' | 'chat';
/** Every field optional (none given changes nothing); bounds as WhatsApp's (subject 100, description 2048 characters). */
const groupUpdate = object({
  subject: optional(str({ max: 100 })),
  description: optional(str({ min: 0, max: 2048 })),
  announce: optional(bool),
  locked: optional(bool),
  ephemeral: optional(int(0, 0x7fff_ffff)),
  joinApproval: optional(bool),
  memberAddMode: optional(oneOf(['admin', 'all'] as const)),
});

interface Spec {
  data: Check<unknown>;
  needs: Needs;
  /** account:* take the account from data.id as well as tenantId. */
  idInData?: boolean;
  /** needs 'account', and takes a conversationId when one is given (profile:picture of a group). */
  chatOptional?: boolean;
}

const empty = object({});
/** A seq for every account, or per account. */
const since = either(int(0), mapOf(int(0), { max: 10_000, key: ACCOUNT_ID_PATTERN }), (v) => typeof v === 'number');
/** Where a subscription starts, in words or as one seq. */
const subscribeFrom = either(int(0), oneOf(['now', 'start'] as const), (v) => typeof v === 'number');
/** events:subscribe's data: `from` and a single-number `since` say the same thing two ways, so only one may be given (a per-account `since` refines `from`). */
const subscribeShape = object({
  name: optional(subscriberName),
  accounts: optional(arrayOf(accountId, { min: 1, max: 10_000 })),
  types: optional(arrayOf(oneOf(EVENT_TYPES), { min: 1, max: 64 })),
  since: optional(since),
  from: optional(subscribeFrom),
});
const subscribeData = described((v: unknown, path: string) => {
  const out = subscribeShape(v, path);
  if (out.from !== undefined && typeof out.since === 'number') {
    const field = path === '' ? 'from' : `${path}.from`;
    throw new IpcError('INVALID_PAYLOAD', `give ${field} or ${path === '' ? 'since' : `${path}.since`}, not both`, { field });
  }
  return out;
}, schemaOf(subscribeShape));
const webhookId = str({ max: 64, pattern: /^[A-Za-z0-9_-]+$/, what: 'a webhook id' });
// Only http(s): a webhook must not make the daemon read files or speak other protocols.
const webhookUrl = str({ max: 2048, pattern: /^https?:\/\/[^\s]+$/, what: 'an http:// or https:// URL' });
const idOnly = object({ id: optional(accountId) });
const SPECS: Record<RequestType, Spec> = {
  'account:add': { data: object({ id: optional(accountId), phone: optional(phone) }), needs: 'account', idInData: true },
  'account:remove': { data: idOnly, needs: 'account', idInData: true },
  'account:list': { data: empty, needs: 'none' },
  'account:status': { data: idOnly, needs: 'account', idInData: true },
  'account:start': { data: idOnly, needs: 'account', idInData: true },
  'account:stop': { data: idOnly, needs: 'account', idInData: true },
  'account:restart': { data: idOnly, needs: 'account', idInData: true },
  'account:logout': { data: idOnly, needs: 'account', idInData: true },
  'account:pair-code': { data: object({ id: optional(accountId), phone }), needs: 'account', idInData: true },
  'message:send': { data: sendData, needs: 'chat' },
  'message:edit': { data: object({ messageId, content: str({ max: 65_536 }) }), needs: 'chat' },
  'message:delete': { data: object({ messageId, forMe: optional(bool) }), needs: 'chat' },
  'message:react': { data: object({ messageId, emoji: str({ min: 0, max: 32 }) }), needs: 'chat' },
  'message:read': { data: object({ messageIds: arrayOf(messageId, { min: 1, max: 1000 }), played: optional(bool) }), needs: 'chat' },
  'media:download': { data: object({ messageId, download: int(0, 0xffff_ffff) }), needs: 'chat' },
  'chat:modify': { data: object({ action: oneOf([...CHAT_ACTIONS, 'disappearing'] as const), until: optional(int(0, 0xffff_ffff)), expiration: optional(int(0, 0x7fff_ffff)) }), needs: 'chat' },
  'message:star': { data: object({ messageId, starred: bool }), needs: 'chat' },
  'label:list': { data: empty, needs: 'account' },
  'label:edit': { data: object({ id: optional(labelId), name: str({ min: 1, max: 100 }), color: optional(int(0, 1000)), deleted: optional(bool) }), needs: 'account' },
  'label:chat': { data: object({ labelId, action: oneOf(['add', 'remove'] as const) }), needs: 'chat' },
  'typing:start': { data: object({ recording: optional(bool) }), needs: 'chat' },
  'typing:stop': { data: empty, needs: 'chat' },
  'presence:update': { data: object({ status: oneOf(['available', 'unavailable'] as const) }), needs: 'account' },
  'group:create': { data: object({ subject: str({ max: 100 }), participants: jids }), needs: 'account' },
  'group:metadata': { data: empty, needs: 'chat' },
  'group:participants': { data: object({ action: oneOf(['add', 'remove', 'promote', 'demote'] as const), participants: jids }), needs: 'chat' },
  'chat:list': { data: object({ archived: optional(bool), limit: optional(int(1, 1000)), before: optional(int(0)) }), needs: 'account' },
  'contact:list': { data: empty, needs: 'account' },
  'message:list': { data: object({ limit: optional(int(1, 1000)), before: optional(messageId) }), needs: 'chat' },
  'history:request': { data: object({ count: optional(int(1, 500)) }), needs: 'chat' },
  'group:list': { data: empty, needs: 'account' },
  'group:update': { data: groupUpdate, needs: 'chat' },
  'group:invite': { data: object({ action: oneOf(['get', 'revoke'] as const) }), needs: 'chat' },
  'group:join': { data: object({ code: str({ min: 6, max: 256 }), group: optional(jid), admin: optional(jid), expiration: optional(int(0, 0xffff_ffff)) }), needs: 'account' },
  'group:requests': { data: object({ action: oneOf(['list', 'approve', 'reject'] as const), participants: optional(jids) }), needs: 'chat' },
  'group:leave': { data: empty, needs: 'chat' },
  'events:subscribe': { data: subscribeData, needs: 'none' },
  'events:unsubscribe': { data: object({ subscription: str({ max: 160 }) }), needs: 'none' },
  'events:ack': {
    data: object({ name: subscriberName, account: accountId, seq: int(0) }),
    needs: 'none',
  },
  'webhook:add': {
    data: object({
      url: webhookUrl,
      events: optional(arrayOf(oneOf(EVENT_TYPES), { min: 1, max: 64 })),
      accounts: optional(arrayOf(accountId, { min: 1, max: 10_000 })),
      secret: optional(str({ min: 16, max: 256, what: 'a secret of 16 to 256 characters' })),
      since: optional(since),
    }),
    needs: 'none',
  },
  'webhook:list': { data: empty, needs: 'none' },
  'webhook:remove': { data: object({ id: webhookId }), needs: 'none' },
  'webhook:resume': { data: object({ id: webhookId }), needs: 'none' },
  'webhook:test': { data: object({ id: webhookId }), needs: 'none' },
  ...PEOPLE_SPECS,
  ...CALL_SPECS,
  ...NEWSLETTER_SPECS,
  ...COMMUNITY_SPECS,
};

const KNOWN = new Set<string>(REQUEST_TYPES);

/** What a request type takes, for callers that describe requests (the HTTP API's routes and OpenAPI document). */
export interface RequestShape {
  /** The JSON Schema of `data`, from the checks that validate it. */
  data: JsonSchema;
  /** Whether it acts on an account (tenantId) or on a chat (tenantId and conversationId). */
  needs: Needs;
  /** account:* name the account in data.id as well. */
  idInData: boolean;
  /** Acts on the account, and on a chat when one is named (profile:picture of a group). */
  chatOptional: boolean;
}

export function requestShape(type: RequestType): RequestShape {
  const spec = SPECS[type];
  return { data: schemaOf(spec.data), needs: spec.needs, idInData: spec.idInData === true, chatOptional: spec.chatOptional === true };
}

/** @throws FrameRejection INVALID_PAYLOAD / MISSING_FIELD */
export function parseRequest(text: string): Request {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameRejection('INVALID_PAYLOAD', 'frame is not valid JSON', undefined);
  }
  return parseFrame(raw);
}

/** A frame already out of its JSON (the HTTP API builds one from each request). @throws FrameRejection INVALID_PAYLOAD / MISSING_FIELD */
export function parseFrame(raw: unknown): Request {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FrameRejection('INVALID_PAYLOAD', 'frame must be a JSON object', undefined);
  const f = raw as Record<string, unknown>;
  const id = typeof f['id'] === 'string' && ID.test(f['id']) ? f['id'] : undefined;
  if (f['id'] === undefined || f['id'] === null) rejectFrame(id, 'MISSING_FIELD', 'id is required', { field: 'id' });
  if (id === undefined) rejectFrame(id, 'INVALID_PAYLOAD', 'id must be a string of 1-128 printable ASCII characters', { field: 'id' });
  if (f['type'] === undefined || f['type'] === null) rejectFrame(id, 'MISSING_FIELD', 'type is required', { field: 'type' });
  if (typeof f['type'] !== 'string') rejectFrame(id, 'INVALID_PAYLOAD', 'type must be a string', { field: 'type' });
  const type = f['type'] as string;
  if (!KNOWN.has(type)) rejectFrame(id, 'INVALID_PAYLOAD', `unknown type ${JSON.stringify(type.slice(0, 64))}`, { field: 'type' });
  if (f['version'] !== undefined && f['version'] !== PROTOCOL_VERSION) rejectFrame(id, 'INVALID_PAYLOAD', `version must be ${PROTOCOL_VERSION}`, { field: 'version' });
  if (f['timestamp'] !== undefined && (typeof f['timestamp'] !== 'number' || !Number.isFinite(f['timestamp']))) rejectFrame(id, 'INVALID_PAYLOAD', 'timestamp must be unix ms', { field: 'timestamp' });
  if (f['ack'] !== undefined && typeof f['ack'] !== 'boolean') rejectFrame(id, 'INVALID_PAYLOAD', 'ack must be true or false', { field: 'ack' });
  for (const k of ['tenantId', 'conversationId', 'replyTo']) {
    if (f[k] !== undefined && f[k] !== null && typeof f[k] !== 'string') rejectFrame(id, 'INVALID_PAYLOAD', `${k} must be a string`, { field: k });
  }
  const spec = SPECS[type as RequestType];
  let data: Record<string, unknown>;
  try {
    data = spec.data(f['data'] ?? {}, '') as Record<string, unknown>;
  } catch (err) {
    if (err instanceof IpcError) {
      const field = typeof err.details?.['field'] === 'string' ? err.details['field'] : undefined;
      const message = field && !field.startsWith('data') ? `data.${err.message}` : err.message;
      const d = field && !field.startsWith('data') ? { field: `data.${field}` } : err.details;
      rejectFrame(id, err.code, message, d);
    }
    throw err;
  }
  const out: { id: string; type: string; ack: boolean; account?: string; chat?: string; data: unknown } = { id: id!, type, ack: f['ack'] === true, data };
  if (spec.needs !== 'none') {
    const tenant = f['tenantId'];
    const fromData = spec.idInData ? (data['id'] as string | undefined) : undefined;
    if (typeof tenant === 'string' && !ACCOUNT_ID_PATTERN.test(tenant)) rejectFrame(id, 'INVALID_PAYLOAD', 'tenantId must be an account id', { field: 'tenantId' });
    if (typeof tenant === 'string' && fromData !== undefined && tenant !== fromData) rejectFrame(id, 'INVALID_PAYLOAD', 'tenantId and data.id name different accounts', { field: 'data.id' });
    const account = (typeof tenant === 'string' ? tenant : undefined) ?? fromData;
    if (account === undefined) rejectFrame(id, 'MISSING_FIELD', spec.idInData ? 'tenantId (or data.id) is required' : 'tenantId is required', { field: 'tenantId' });
    out.account = account!;
  }
  if (spec.needs === 'chat' || (spec.chatOptional && f['conversationId'] !== undefined && f['conversationId'] !== null)) {
    const conv = f['conversationId'];
    if (conv === undefined || conv === null || conv === '') rejectFrame(id, 'MISSING_FIELD', 'conversationId is required', { field: 'conversationId' });
    const chat = normalizeJid(conv as string);
    if (chat === undefined || (conv as string).length > 128) rejectFrame(id, 'INVALID_PAYLOAD', 'conversationId must be a jid, a phone number or a group id', { field: 'conversationId' });
    out.chat = chat!;
  }
  return out as Request;
}

/** Not a closure made in parseFrame: one made per frame was a good part of parsing a small request. */
function rejectFrame(id: string | undefined, code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new FrameRejection(code, message, id, details);
}
