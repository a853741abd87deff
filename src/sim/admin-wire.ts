/**
 * The admin API's routes for what a client must get right on the wire to be
 * let in and to look like WhatsApp's own clients: the published Web build
 * and the oldest one allowed (405 below it), per-user dirty bits, and what
 * each device sent. admin.ts registers them.
 *
 *   GET  /sw.js                           the service worker script with the published build (as web.whatsapp.com serves it)
 *   GET  /version                         {latest, minimum, fetches}
 *   POST /version {latest?, minimum?}     moves them ("2.3000.<build>"; minimum null: none) → the same
 *   POST /phones/:phone/dirty {type}      sets a dirty bit (account_sync|groups) → {pending, cleaned}
 *   GET  /phones/:phone/dirty             {pending:[{type,timestamp}], cleaned:[{type,by,timestamp,at}]}
 *   GET  /devices/:device/wire            [{tag, attrs, children:[{tag, attrs}], t}] what the device sent, oldest first
 */
import type { AdminContext } from './admin.js';
import type { AdminRoute } from './admin-history.js';
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
    handler: (ctx, p) => {
      const jid = decodeURIComponent(p.device!);
      if (!ctx.hub.dir.device(jid)) throw new SimError('NOT_FOUND', `no device ${jid}`);
      return [200, ctx.hub.wire.entries(jid)];
    },
  },
];
