/**
 * The admin API's routes for what a client must get right on the wire to be
 * let in and to look like WhatsApp's own clients: the published Web build
 * and the oldest one allowed (405 below it), per-user dirty bits, and what
 * each device sent. admin.ts registers them.
 *
 *   GET  /sw.js                           the service worker script with the published build (as web.whatsapp.com serves it)
 *   GET  /version                         {latest, minimum, fetches}
 *   POST /version {latest?, minimum?}     moves them ("2.3000.<build>"; minimum null: none) → the same
 *   POST /phones/:phone/dirty {type}      sets a dirty bit (account_sync|groups|syncd_app_state) → {pending, cleaned}
 *   GET  /phones/:phone/dirty             {pending:[{type,timestamp}], cleaned:[{type,by,timestamp,at}]}
 *   GET  /devices/:device/wire            [{tag, attrs, children:[{tag, attrs}], t}] what the device sent, oldest first
 *   GET  /props                           {hash, props:{code: value}} the A/B props every account is served
 *   POST /props {code, value}             sets one (the hash changes) → the same
 *   GET  /devices/:device/keys            {registrationId, signedPreKeyId, preKeys} what the server holds of its bundle
 *   POST /devices/:device/keys {damage}   "forget": the server loses the bundle (the digest answers 404);
 *                                         "signature": its copy of the signed prekey's signature goes bad → the same view
 */
import type { AdminContext, AdminRoute } from './admin-route.js';
import { DIRTY_TYPES, type DirtyType } from './dirty.js';
import { SimError } from './errors.js';
import { parseWebVersion } from './web-version.js';

/** A body sent as it is, not as JSON (the service worker script). */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly text: string,
  ) {}
}

function obj(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SimError('BAD_REQUEST', 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function deviceOf(ctx: AdminContext, param: string) {
  const device = ctx.hub.dir.device(decodeURIComponent(param));
  if (!device) throw new SimError('NOT_FOUND', `no device ${param}`);
  return device;
}

function keysView(ctx: AdminContext, device: ReturnType<typeof deviceOf>) {
  return { registrationId: device.registrationId ?? null, signedPreKeyId: device.signedPreKey?.keyId ?? null, preKeys: ctx.hub.prekeys.count(device.jid) };
}

function userOf(ctx: AdminContext, phone: string) {
  const user = ctx.hub.dir.user(phone);
  if (!user) throw new SimError('NOT_FOUND', `no user ${phone}`);
  return user;
}

export const WIRE_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/sw.js',
    handler: (ctx) => {
      ctx.hub.webVersion.fetches++;
      return [200, new RawBody('application/javascript; charset=utf-8', ctx.hub.webVersion.serviceWorker())];
    },
  },
  { method: 'GET', path: '/version', handler: (ctx) => [200, ctx.hub.webVersion.toJSON()] },
  {
    method: 'POST',
    path: '/version',
    handler: (ctx, _p, body) => {
      const b = obj(body);
      ctx.hub.webVersion.set({
        latest: b.latest === undefined ? undefined : parseWebVersion(b.latest, 'latest'),
        minimum: b.minimum === undefined ? undefined : b.minimum === null ? null : parseWebVersion(b.minimum, 'minimum'),
      });
      return [200, ctx.hub.webVersion.toJSON()];
    },
  },
  {
    method: 'POST',
    path: '/phones/:phone/dirty',
    handler: (ctx, p, body) => {
      const user = userOf(ctx, p.phone!);
      const type = obj(body).type;
      if (!DIRTY_TYPES.includes(type as DirtyType)) throw new SimError('BAD_REQUEST', `type must be one of ${DIRTY_TYPES.join(', ')}`);
      ctx.hub.setDirty(user, type as DirtyType);
      return [200, ctx.hub.dirty.view(user.phone)];
    },
  },
  { method: 'GET', path: '/phones/:phone/dirty', handler: (ctx, p) => [200, ctx.hub.dirty.view(userOf(ctx, p.phone!).phone)] },
  {
    method: 'GET',
    path: '/devices/:device/wire',
    handler: (ctx, p) => [200, ctx.hub.wire.entries(deviceOf(ctx, p.device!).jid)],
  },
  { method: 'GET', path: '/props', handler: (ctx) => [200, ctx.hub.abProps.toJSON()] },
  {
    method: 'POST',
    path: '/props',
    handler: (ctx, _p, body) => {
      const { code, value } = obj(body);
      if (typeof code !== 'string' || !/^[0-9a-z_]{1,64}$/.test(code) || typeof value !== 'string' || value.length > 256) {
        throw new SimError('BAD_REQUEST', 'code must be a config code (digits, a-z, _) and value a string of at most 256 characters');
      }
      if (!ctx.hub.abProps.set(code, value)) throw new SimError('LIMIT', 'too many props');
      return [200, ctx.hub.abProps.toJSON()];
    },
  },
  { method: 'GET', path: '/devices/:device/keys', handler: (ctx, p) => [200, keysView(ctx, deviceOf(ctx, p.device!))] },
  {
    method: 'POST',
    path: '/devices/:device/keys',
    handler: (ctx, p, body) => {
      const device = deviceOf(ctx, p.device!);
      const damage = obj(body).damage;
      if (damage === 'forget') {
        delete device.identityKey;
        delete device.signedPreKey;
        delete device.registrationId;
        ctx.hub.prekeys.drop(device.jid);
      } else if (damage === 'signature' && device.signedPreKey) {
        const signature = Uint8Array.from(device.signedPreKey.signature);
        signature[0]! ^= 0xff;
        device.signedPreKey = { ...device.signedPreKey, signature };
      } else throw new SimError('BAD_REQUEST', 'damage must be "forget" or "signature" (of a device holding a bundle)');
      ctx.hub.onChange();
      return [200, keysView(ctx, device)];
    },
  },
];
