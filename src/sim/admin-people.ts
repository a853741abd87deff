/**
 * The admin API's people routes: what a user shows to others (about,
 * picture, business profile), its privacy settings and blocklist, changed as
 * the user's phone would change them (contacts are told as WhatsApp tells
 * them). admin.ts registers them.
 *
 *   GET  /phones/:phone/profile   {about?, aboutSetAt?, pictureId?, business?, privacy, blocked}
 *   POST /phones/:phone/profile   {about?, picture?: base64 JPEG | null, business?: {description?, category?,
 *                                  email?, website?, address?} | null, privacy?: {category: value},
 *                                  block?: [phone..], unblock?: [phone..]}
 * A privacy or blocklist change made here is told to the user's companions
 * (`account_sync`), as when it is made on the phone.
 */
import type { AdminContext, AdminRoute } from './admin-route.js';
import { SimError } from './errors.js';
import { node } from './nodes.js';
import { notifyAccountSync, PRIVACY_VALUES } from './privacy-book.js';
import type { UserRecord } from './state.js';
import { MAX_ABOUT_BYTES, MAX_PICTURE_BYTES, notifyProfileChange, type SimBusiness } from './profiles.js';

function userOf(ctx: AdminContext, phone: string) {
  const user = ctx.hub.dir.user(phone);
  if (!user) throw new SimError('NOT_FOUND', `no user ${phone}`);
  return user;
}

function body(b: unknown): Record<string, unknown> {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new SimError('BAD_REQUEST', 'body must be a JSON object');
  return b as Record<string, unknown>;
}

const BUSINESS_FIELDS = ['description', 'category', 'email', 'website', 'address'] as const;

function business(v: unknown): SimBusiness | undefined {
  if (v === null) return undefined;
  const b = body(v);
  const out: SimBusiness = {};
  for (const k of BUSINESS_FIELDS) {
    const x = b[k];
    if (x === undefined) continue;
    if (typeof x !== 'string' || x.length > 1024) throw new SimError('BAD_REQUEST', `business.${k} must be a string of at most 1024 characters`);
    out[k] = x;
  }
  return out;
}

export const PEOPLE_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/phones/:phone/profile',
    handler(ctx, p) {
      const user = userOf(ctx, p.phone!);
      const prof = ctx.hub.profiles.of(user.jid);
      return [
        200,
        {
          ...(prof?.about ? { about: prof.about.text, aboutSetAt: prof.about.t } : {}),
          ...(prof?.picture ? { pictureId: prof.picture.id } : {}),
          ...(prof?.business ? { business: prof.business } : {}),
          privacy: ctx.hub.privacy.get(user.jid),
          blocked: [...(ctx.hub.blocklists.get(user.jid) ?? [])],
        },
      ];
    },
  },
  {
    method: 'POST',
    path: '/phones/:phone/profile',
    handler(ctx, p, raw) {
      const { hub } = ctx;
      const user = userOf(ctx, p.phone!);
      const b = body(raw);
      if (b.about !== undefined) {
        if (typeof b.about !== 'string' || Buffer.byteLength(b.about) > MAX_ABOUT_BYTES) throw new SimError('BAD_REQUEST', `about must be a string of at most ${MAX_ABOUT_BYTES} bytes`);
        hub.profiles.setAbout(user.jid, b.about, Number(hub.nowSeconds()));
        notifyProfileChange(hub, user, node('set', {}, b.about), 'status');
      }
      if (b.picture === null) {
        if (hub.profiles.removePicture(user.jid)) notifyProfileChange(hub, user, node('delete', { jid: user.jid }), 'picture');
      } else if (b.picture !== undefined) {
        const jpeg = typeof b.picture === 'string' ? Buffer.from(b.picture, 'base64') : undefined;
        if (!jpeg || jpeg.length === 0 || jpeg.length > MAX_PICTURE_BYTES || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new SimError('BAD_REQUEST', 'picture must be a base64 JPEG');
        const pic = hub.profiles.setPicture(hub, user.jid, new Uint8Array(jpeg));
        if (!pic) throw new SimError('NOT_FOUND', 'the simulator has no media host');
        notifyProfileChange(hub, user, node('set', { jid: user.jid, id: pic.id }), 'picture');
      }
      if (b.business !== undefined) hub.profiles.setBusiness(user.jid, business(b.business));
      if (b.privacy !== undefined) {
        const entries = Object.entries(body(b.privacy));
        for (const [k, v] of entries) {
          if (typeof v !== 'string' || !PRIVACY_VALUES[k]?.includes(v)) throw new SimError('BAD_REQUEST', `privacy.${k} must be one of ${(PRIVACY_VALUES[k] ?? []).join(', ') || '(unknown setting)'}`);
        }
        for (const [k, v] of entries) hub.privacy.set(user.jid, k, v as string);
        if (entries.length > 0) notifyAccountSync(hub, user, node('privacy', {}, entries.map(([name, value]) => node('category', { name, value: value as string }))));
      }
      for (const action of ['block', 'unblock'] as const) if (b[action] !== undefined) phoneBlocks(ctx, user, action, b[action]);
      hub.onChange();
      const prof = hub.profiles.of(user.jid);
      return [200, { ...(prof?.about ? { about: prof.about.text } : {}), ...(prof?.picture ? { pictureId: prof.picture.id } : {}), business: prof?.business ?? null }];
    },
  },
];

/** The phone blocks or unblocks users (by phone number): listed by LID, as WhatsApp keys blocklists. */
function phoneBlocks(ctx: AdminContext, user: UserRecord, action: 'block' | 'unblock', v: unknown): void {
  const { hub } = ctx;
  if (!Array.isArray(v) || v.length > 100 || !v.every((x) => typeof x === 'string')) throw new SimError('BAD_REQUEST', `${action} must be an array of at most 100 phone numbers`);
  const others = (v as string[]).map((phone) => userOf(ctx, phone));
  const list = hub.blocklists.get(user.jid) ?? new Set<string>();
  for (const o of others) {
    if (action === 'block') list.add(o.lid);
    else for (const f of [o.jid, o.lid]) list.delete(f);
  }
  hub.blocklists.set(user.jid, list);
  if (others.length > 0) notifyAccountSync(hub, user, node('blocklist', {}, others.map((o) => node('item', { jid: o.lid, action, ...(action === 'block' ? { pn_jid: o.jid } : {}) }))));
}
