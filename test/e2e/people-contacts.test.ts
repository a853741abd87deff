// Contact lookups end to end: the daemon with its control socket, driven by
// WadClient, against the simulator, with a Baileys 7 client as the other party.
// - contact:check of 100 numbers (some on WhatsApp, some not) agrees with Baileys' onWhatsApp,
//   and a repeat is answered from the daemon's cache (the server is not asked again);
// - contact:info shows what a user set (about with its time, picture id, devices, LID), a business's
//   profile, hides an about the owner's privacy hides, and is NOT_FOUND for a number not on WhatsApp;
// - contact:picture gives URLs that serve the JPEG the user set (preview and full), NOT_FOUND without one.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClientError, type WadClient } from '../../src/client/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { waitUntil, type BaileysClient } from '../sim/baileys-harness.js';
import { admin, jidOf } from '../ipc/e2e-support.js';
import { baileysWorld, type BaileysWorld } from './support/baileys-world.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const W = '15550180001';
const B = '15550180002';
/** Registered users besides W and B (phones only); one of them a business. */
const OTHERS = Array.from({ length: 18 }, (_, i) => String(15550180100 + i));
const BIZ = OTHERS[0]!;

let world: BaileysWorld;
let s: SimHandle;
let wad: WadClient;
let baileys: BaileysClient;

const stats = async () => (await admin(s, 'GET', '/stats')) as { contactLookups: number };

beforeAll(async () => {
  world = await baileysWorld({
    prefix: 'wad-e2e-people-',
    phones: [
      { phone: W, name: 'Wad' },
      { phone: B, name: 'Bailey' },
      ...OTHERS.map((p) => ({ phone: p, name: p === BIZ ? 'Acme Widgets' : `User ${p}` })),
    ],
    accounts: [{ id: 'wad', phone: W }],
    baileys: { id: 'b', phone: B },
  });
  ({ sim: s, wad, baileys } = world);
}, 90_000);

afterAll(async () => {
  await world?.close();
});

describe('contact:check', () => {
  it('agrees with Baileys onWhatsApp on 100 numbers, and answers a repeat from its cache', async () => {
    const registered = [B, W, ...OTHERS];
    const unknown = Array.from({ length: 100 - registered.length }, (_, i) => String(15550189000 + i * 7));
    // Interleaved, some written as people write them.
    const numbers = [...registered, ...unknown].sort((a, b) => (a.slice(-3) < b.slice(-3) ? -1 : 1));
    expect(numbers).toHaveLength(100);
    const asked = numbers.map((n, i) => (i % 3 === 0 ? `+${n}` : n));

    const before = (await stats()).contactLookups;
    const ours = await wad.checkContacts('wad', asked);
    expect((await stats()).contactLookups - before).toBe(100);
    expect(ours.map((r) => r.phone)).toEqual(numbers);

    // Baileys lists only the numbers that are on WhatsApp (it drops the others' answers).
    const theirs = (await baileys.sock!.onWhatsApp(...numbers)) ?? [];
    expect(theirs.every((r) => r.exists)).toBe(true);
    const onWhatsApp = new Set(theirs.map((r) => r.jid));
    expect(ours.filter((r) => r.exists).map((r) => r.jid).sort()).toEqual([...onWhatsApp].sort());
    for (const r of ours) {
      expect(r.exists, r.phone).toBe(onWhatsApp.has(jidOf(r.phone)));
      expect(r.exists, r.phone).toBe(registered.includes(r.phone));
      if (r.exists) {
        expect(r.jid).toBe(jidOf(r.phone));
        expect(r.lid).toMatch(/^[0-9]+@lid$/);
      } else {
        expect(r.jid).toBeUndefined();
      }
    }

    // The same numbers again: from the cache, the server is not asked (Baileys' 100 were counted too).
    const afterBaileys = (await stats()).contactLookups;
    expect(afterBaileys - before).toBe(200);
    const again = await wad.checkContacts('wad', numbers);
    expect(again).toEqual(ours);
    expect((await stats()).contactLookups).toBe(afterBaileys);
    // A new number is asked about; the known ones still are not.
    const fresh = await wad.checkContacts('wad', [B, '15550188888']);
    expect(fresh).toEqual([ours.find((r) => r.phone === B), { phone: '15550188888', exists: false }]);
    expect((await stats()).contactLookups).toBe(afterBaileys + 1);
  }, 60_000);

  it('refuses what is not a phone number', async () => {
    const err = await wad.checkContacts('wad', ['12ab']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WadClientError);
    expect((err as WadClientError).code).toBe('INVALID_PAYLOAD');
  });
});

describe('contact:info and contact:picture', () => {
  it("shows the about Baileys set, with its time, its devices and LID; then its picture's URLs serve the JPEG", async () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    await baileys.sock!.updateProfileStatus('on the wire since 2026');
    const info = await wad.contactInfo('wad', B);
    expect(info.jid).toBe(jidOf(B));
    expect(info.lid).toMatch(/^[0-9]+@lid$/);
    expect(info.about).toBe('on the wire since 2026');
    expect(info.aboutSetAt).toBeGreaterThanOrEqual(t0);
    expect(info.devices).toContain(0);
    expect(info.devices.some((x) => x > 0)).toBe(true);
    expect(info.pictureId).toBeUndefined();
    expect(info.business).toBeUndefined();
    // Baileys reads the same about.
    const [theirs] = ((await baileys.sock!.fetchStatus(jidOf(B))) ?? []) as Array<{ status?: { status?: string } }>;
    expect(theirs?.status?.status).toBe(info.about);

    const noPicture = await wad.contactPicture('wad', B).catch((e: unknown) => e);
    expect((noPicture as WadClientError).code).toBe('NOT_FOUND');

    const jpeg = await sharp({ create: { width: 640, height: 640, channels: 3, background: { r: 200, g: 30, b: 90 } } }).jpeg().toBuffer();
    await baileys.sock!.updateProfilePicture(jidOf(B), jpeg);
    const withPicture = await wad.contactInfo('wad', B);
    expect(withPicture.pictureId).toMatch(/^[0-9]+$/);
    const full = await wad.contactPicture('wad', B);
    const preview = await wad.contactPicture('wad', B, { preview: true });
    expect(full.id).toBe(withPicture.pictureId);
    expect(preview.id).toBe(withPicture.pictureId);
    expect(full.type).toBe('image');
    expect(preview.type).toBe('preview');
    const served = new Uint8Array(await (await fetch(full.url)).arrayBuffer());
    // What Baileys uploaded (its own 640x640 re-encoding of our JPEG) is what the URL serves.
    expect(served.subarray(0, 3)).toEqual(new Uint8Array([0xff, 0xd8, 0xff]));
    expect((await sharp(served).metadata()).width).toBe(640);
    expect(await baileys.sock!.profilePictureUrl(jidOf(B), 'image')).toBe(full.url);
  }, 60_000);

  it("hides an about the owner's privacy hides from us", async () => {
    await admin(s, 'POST', `/phones/${B}/profile`, { privacy: { status: 'none' } });
    try {
      const info = await wad.contactInfo('wad', B);
      expect(info.about).toBeUndefined();
      expect(info.aboutSetAt).toBeUndefined();
    } finally {
      await admin(s, 'POST', `/phones/${B}/profile`, { privacy: { status: 'all' } });
    }
    expect((await wad.contactInfo('wad', B)).about).toBe('on the wire since 2026');
  });

  it("shows a business's profile and verified name", async () => {
    await admin(s, 'POST', `/phones/${BIZ}/profile`, { about: 'We make widgets', business: { description: 'Widgets since 1999', category: 'Manufacturing', email: 'hi@acme.example', website: 'https://acme.example' } });
    const info = await wad.contactInfo('wad', BIZ);
    expect(info.about).toBe('We make widgets');
    expect(info.business).toEqual({ verifiedName: 'Acme Widgets', description: 'Widgets since 1999', category: 'Manufacturing', email: 'hi@acme.example', websites: ['https://acme.example'] });
    // A plain user of the same simulator is not one.
    expect((await wad.contactInfo('wad', OTHERS[1]!)).business).toBeUndefined();
  });

  it('is NOT_FOUND for a number not on WhatsApp', async () => {
    const err = await wad.contactInfo('wad', '15550187777').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WadClientError);
    expect((err as WadClientError).code).toBe('NOT_FOUND');
    await waitUntil(() => baileys.isOpen, 'Baileys still open');
  });
});
