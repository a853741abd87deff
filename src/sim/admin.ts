/**
 * The admin HTTP JSON API: users with phones, linking by QR
 * or code, devices, the phone's messages and app state, groups, faults and
 * stats. Routing and validation of requests only; the work is done by the
 * hub, the phones and the group operations. Errors answer
 * `{"error":{"code","message"}}`. docs/simulator.md describes every route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { COLLECTIONS, type CollectionName } from '../protocol/appstate/index.js';
import { parseAppStateAction } from './app-state/admin-action.js';
import { appStateView } from './app-state/view.js';
import { SimError } from './errors.js';
import { parseFault } from './faults.js';
import type { AdminContext } from './admin-route.js';
import { HISTORY_ROUTES } from './admin-history.js';
import { RawBody, WIRE_ROUTES } from './admin-wire.js';
import { PEOPLE_ROUTES } from './admin-people.js';
import { CALL_ROUTES } from './admin-calls.js';
import { createGroup } from './iq/groups.js';
import { parseDeviceJid } from './state.js';

export type { AdminContext } from './admin-route.js';

type Params = Record<string, string>;
type Handler = (ctx: AdminContext, params: Params, body: unknown, query: URLSearchParams) => Promise<[number, unknown]> | [number, unknown];

/** Texts one `texts` request may send. */
const MAX_TEXTS = 10_000;

const ROUTES: Array<{ method: string; pattern: RegExp; keys: string[]; handler: Handler }> = [];

function route(method: string, path: string, handler: Handler): void {
  const keys: string[] = [];
  const pattern = new RegExp('^' + path.replace(/:([a-z]+)/g, (_, k: string) => (keys.push(k), '([^/]+)')) + '$');
  ROUTES.push({ method, pattern, keys, handler });
}

route('POST', '/phones', async (ctx, _p, body) => {
  const b = obj(body);
  const phone = str(b, 'phone');
  const name = b.name === undefined ? phone : str(b, 'name');
  return [201, await ctx.createUser(phone, name)];
});

route('POST', '/phones/:phone/link', async (ctx, p, body) => {
  const { deviceJid } = await phoneOf(ctx, p.phone!).linkByQr(str(obj(body), 'qr'));
  return [200, { jid: deviceJid }];
});

route('POST', '/phones/:phone/link-code', async (ctx, p, body) => {
  const code = str(obj(body), 'code').replace(/-/g, '').toUpperCase();
  const { deviceJid } = await phoneOf(ctx, p.phone!).linkByCode(code);
  return [200, { jid: deviceJid }];
});

route('POST', '/phones/:phone/companions', (ctx, p, body) => {
  const b = obj(body);
  const spk = obj(b.signedPreKey);
  const keyId = spk.keyId;
  const registrationId = b.registrationId;
  if (typeof keyId !== 'number' || !Number.isInteger(keyId) || keyId < 0 || keyId > 0xffffff) throw new SimError('BAD_REQUEST', 'signedPreKey.keyId must be a 24-bit integer');
  if (typeof registrationId !== 'number' || !Number.isInteger(registrationId) || registrationId < 0 || registrationId > 0xffffffff) throw new SimError('BAD_REQUEST', 'registrationId must be a 32-bit integer');
  const seeded = phoneOf(ctx, p.phone!).seedCompanion({
    noiseKey: bytes(b, 'noiseKey', 32),
    identityKey: bytes(b, 'identityKey', 32),
    registrationId,
    signedPreKey: { keyId, publicKey: bytes(spk, 'publicKey', 32), signature: bytes(spk, 'signature', 64) },
    advSecret: bytes(b, 'advSecret', 32),
    platform: b.platform === undefined ? 'Other' : str(b, 'platform').slice(0, 32),
  });
  return [201, { jid: seeded.deviceJid, lid: seeded.lidJid, deviceIdentity: Buffer.from(seeded.deviceIdentity).toString('base64') }];
});

route('GET', '/phones/:phone/devices', (ctx, p) => {
  const user = userOf(ctx, p.phone!);
  const devices = [...user.devices.values()]
    .filter((d) => d.deviceId !== 0)
    .sort((a, b) => a.deviceId - b.deviceId)
    .map((d) => ({ jid: d.jid, platform: d.platform, linkedAt: d.linkedAt }));
  return [200, devices];
});

route('DELETE', '/phones/:phone/devices/:device', (ctx, p) => {
  const user = userOf(ctx, p.phone!);
  const raw = decodeURIComponent(p.device!);
  const id = /^[0-9]+$/.test(raw) ? Number(raw) : parseDeviceJid(raw)?.device;
  const owner = /^[0-9]+$/.test(raw) ? user : ctx.hub.dir.userOf(raw);
  if (id === undefined || id === 0 || owner !== user || !ctx.hub.removeDevice(user, id)) {
    throw new SimError('NOT_FOUND', `no companion ${raw} of ${user.phone}`);
  }
  return [200, { removed: `${user.phone}:${id}@s.whatsapp.net` }];
});

// `{"to","text"}` sends a text; `{"to","message"}` sends any Message given as protobuf JSON;
// `{"to","texts":[…]}` sends many texts in order (a backlog in one request) → `{"ids"}`.
route('POST', '/phones/:phone/messages', async (ctx, p, body) => {
  const b = obj(body);
  const to = toJid(str(b, 'to'));
  const phone = phoneOf(ctx, p.phone!);
  if ([b.text, b.message, b.texts].filter((x) => x !== undefined).length > 1) throw new SimError('BAD_REQUEST', 'give one of text, message or texts');
  if (b.message !== undefined) return [200, await phone.sendMessage(to, b.message)];
  if (b.texts !== undefined) {
    const texts = b.texts;
    if (!Array.isArray(texts) || texts.length === 0 || texts.length > MAX_TEXTS || !texts.every((t) => typeof t === 'string' && t.length > 0)) {
      throw new SimError('BAD_REQUEST', `texts must be 1 to ${MAX_TEXTS} non-empty strings`);
    }
    const ids: string[] = [];
    for (const text of texts as string[]) ids.push((await phone.sendText(to, text)).id);
    return [200, { ids }];
  }
  return [200, await phone.sendText(to, str(b, 'text'))];
});

route('GET', '/phones/:phone/messages', (ctx, p) => [200, phoneOf(ctx, p.phone!).received()]);

// The person acts on the phone (`{"action":"archive","chat":"15550002222"}`, …): written to app state like any device.
route('POST', '/phones/:phone/app-state', async (ctx, p, body) => {
  const phone = phoneOf(ctx, p.phone!);
  if (!phone.appStateAction) throw new SimError('NOT_FOUND', `the phone of ${p.phone!} keeps no app state`);
  return [200, await phone.appStateAction(parseAppStateAction(body))];
});

// A test's tampering: the next `times` patches of `collection` served to the phone's devices carry a broken MAC.
route('POST', '/phones/:phone/app-state/tamper', (ctx, p, body) => {
  phoneOf(ctx, p.phone!);
  const b = (body ?? {}) as Record<string, unknown>;
  const collection = b.collection;
  if (typeof collection !== 'string' || !(COLLECTIONS as readonly string[]).includes(collection)) throw new SimError('BAD_REQUEST', `collection must be one of ${COLLECTIONS.join(', ')}`);
  const times = b.times ?? 1;
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > 1000) throw new SimError('BAD_REQUEST', 'times must be an integer from 1 to 1000');
  ctx.hub.appState.tamperNext(p.phone!, collection as CollectionName, times);
  return [200, {}];
});

route('GET', '/phones/:phone/app-state', (ctx, p) => [200, appStateView(ctx.hub, p.phone!, phoneOf(ctx, p.phone!).appState?.())]);
for (const r of [...HISTORY_ROUTES, ...WIRE_ROUTES]) route(r.method, r.path, r.handler);
for (const r of PEOPLE_ROUTES) route(r.method, r.path, r.handler);
for (const r of CALL_ROUTES) route(r.method, r.path, r.handler);

// `{"required": true}`: the user's 1:1 sends need the recipient's privacy token (as for an account
// WhatsApp restricted); without one they are refused with 463.
route('POST', '/phones/:phone/privacy-tokens', (ctx, p, body) => {
  const user = userOf(ctx, p.phone!);
  const required = obj(body).required;
  if (typeof required !== 'boolean') throw new SimError('BAD_REQUEST', 'required must be a boolean');
  ctx.hub.tcTokens.setRequired(user.phone, required);
  return [200, { required }];
});

// `{"hidden": true}`: the user shows others only its LID (phone number privacy): LID-addressed
// stanzas and LID groups carry its number to nobody but its own devices.
route('POST', '/phones/:phone/phone-number-privacy', (ctx, p, body) => {
  const user = userOf(ctx, p.phone!);
  const hidden = obj(body).hidden;
  if (typeof hidden !== 'boolean') throw new SimError('BAD_REQUEST', 'hidden must be a boolean');
  if (hidden) user.hidePhoneNumber = true;
  else delete user.hidePhoneNumber;
  ctx.hub.onChange();
  return [200, { hidden }];
});

route('POST', '/groups', (ctx, _p, body) => {
  const b = obj(body);
  const creator = userOf(ctx, str(b, 'creator'));
  const list = b.participants;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new SimError('BAD_REQUEST', 'participants must be an array of strings');
  const members = (list as string[]).map((x) => {
    const u = ctx.hub.dir.userOf(toJid(x));
    if (!u) throw new SimError('NOT_FOUND', `no user ${x}`);
    return u.jid;
  });
  const mode = b.addressingMode ?? ctx.hub.groupAddressingMode;
  if (mode !== 'pn' && mode !== 'lid') throw new SimError('BAD_REQUEST', 'addressingMode must be "pn" or "lid"');
  const g = createGroup(ctx.hub, creator.jid, str(b, 'subject'), members, mode);
  return [201, { jid: g.jid, addressingMode: g.addressingMode }];
});

route('POST', '/faults', (ctx, _p, body) => {
  const affected = ctx.hub.applyFault(parseFault(body));
  return [200, { ok: true, affected }];
});

route('DELETE', '/faults', (ctx) => {
  ctx.hub.clearFaults();
  return [200, { ok: true }];
});

route('GET', '/stats', (ctx) => {
  const { hub } = ctx;
  const stats = hub.stats.toJSON({ connections: hub.connections.size, devicesOnline: hub.onlineCount, offlineQueues: hub.queues.sizes(), dropped: hub.queues.dropped });
  return [200, { ...stats, appState: { ...hub.appState.counts } }];
});

export async function handleAdmin(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://sim');
    const r = ROUTES.find((x) => x.method === req.method && x.pattern.test(url.pathname));
    if (!r) throw new SimError('NOT_FOUND', `no route ${req.method} ${url.pathname}`);
    const m = r.pattern.exec(url.pathname)!;
    const params: Params = Object.fromEntries(r.keys.map((k, i) => [k, m[i + 1]!]));
    const body = req.method === 'POST' ? await readJson(req, ctx.hub.limits.maxAdminBodyBytes) : undefined;
    const [status, out] = await r.handler(ctx, params, body, url.searchParams);
    reply(res, status, out);
  } catch (err) {
    const [status, code] = errorStatus(err);
    reply(res, status, { error: { code, message: (err as Error).message ?? String(err) } });
  }
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  BAD_MESSAGE: 400,
  BAD_HISTORY: 400,
  HISTORY_FULL: 429,
  NOT_FOUND: 404,
  UNKNOWN_DEVICE: 404,
  UNKNOWN_REF: 404,
  BAD_ACTION: 400,
  APP_STATE_REFUSED: 502,
  ALREADY_EXISTS: 409,
  LIMIT: 429,
  PAIRING_FAILED: 502,
};

function errorStatus(err: unknown): [number, string] {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'INTERNAL_ERROR';
  if (err instanceof SimError) return [STATUS_BY_CODE[code] ?? 400, code];
  // The phone's own errors (bad QR, wrong code, unknown recipient) are the caller's.
  if (code !== 'INTERNAL_ERROR') return [STATUS_BY_CODE[code] ?? 422, code];
  return [500, code];
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const raw = body instanceof RawBody;
  const text = raw ? body.text : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': raw ? body.contentType : 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new SimError('LIMIT', 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new SimError('BAD_REQUEST', 'body is not JSON'));
      }
    });
  });
}

function obj(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SimError('BAD_REQUEST', 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function str(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > 65_536) throw new SimError('BAD_REQUEST', `${key} must be a non-empty string`);
  return v;
}

/** A base64 field of exactly `length` bytes. */
function bytes(b: Record<string, unknown>, key: string, length: number): Uint8Array {
  const v = b[key];
  const out = typeof v === 'string' ? Buffer.from(v, 'base64') : undefined;
  if (out?.length !== length) throw new SimError('BAD_REQUEST', `${key} must be ${length} bytes in base64`);
  return new Uint8Array(out);
}

function userOf(ctx: AdminContext, phone: string) {
  const user = ctx.hub.dir.user(phone);
  if (!user) throw new SimError('NOT_FOUND', `no user ${phone}`);
  return user;
}

function phoneOf(ctx: AdminContext, phone: string) {
  userOf(ctx, phone);
  const p = ctx.hub.phones.get(phone);
  if (!p) throw new SimError('NOT_FOUND', `user ${phone} has no phone yet`);
  return p;
}

/** A bare number (optionally with +, spaces, dashes) is a user jid; a jid or group id passes through. */
function toJid(x: string): string {
  if (x.includes('@')) return x;
  if (/^[0-9]+-[0-9]+$/.test(x) || /^120363[0-9]{12}$/.test(x)) return `${x}@g.us`;
  return `${x.replace(/[^0-9]/g, '')}@s.whatsapp.net`;
}
