// App state through a running simulator, with a companion written on our
// protocol core: the phone's key share at link (decrypted with the
// companion's own Signal keys), its push name and the person's actions as
// patches, server_sync to the companion, snapshots downloaded over HTTPS, a
// patch at a stale version answered 409 and written again, the phone
// applying the companion's patches (and recovering a collection from a
// snapshot after a patch whose MAC is broken), and all of it surviving a
// restart.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS, parseKeyShare, type CollectionName } from '../../src/protocol/appstate/index.js';
import { syncAppState, type CollectionRequest } from '../../src/protocol/iq/app-state.js';
import { decryptMedia } from '../../src/protocol/media/index.js';
import { proto } from '../../src/protocol/proto/index.js';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { decodePadded } from '../../src/sim/phone/content.js';
import { SessionBook } from '../../src/sim/phone/sessions.js';
import { AppStateDevice } from './app-state-device.js';
import { admin } from './baileys-harness.js';
import { kids, linkRaw, type LinkedRaw } from './raw-client.js';

const PHONE = '15550007777';
const CHAT = '15550008888@s.whatsapp.net';
const dir = mkdtempSync(join(tmpdir(), 'wad-sim-appstate-'));
let sim: SimHandle;
let companion: LinkedRaw;
let device: AppStateDevice;
let keyShare: proto.Message.IAppStateSyncKeyShare;
let iqs = 0;

interface View {
  keys: Array<{ id: string }>;
  collections: Record<string, { version: number; hash: string; entries: Array<{ index: string[]; change?: Record<string, unknown> }>; server: { version: number; hash: string } }>;
  errors: string[];
}
const view = async () => (await admin(sim, 'GET', `/phones/${PHONE}/app-state`)) as View;
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

function download(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(sim.mediaUrl + path, { ca: readFileSync(sim.mediaCaPath) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject).end();
  });
}

async function syncOverWire(requests: CollectionRequest[]) {
  const spec = syncAppState(requests);
  const iq = spec.build();
  const answer = await companion.client.iq({ ...iq, attrs: { ...iq.attrs, id: `as-${++iqs}` } });
  if (answer.attrs.type !== 'result') throw new Error(`app state iq answered ${answer.attrs.type}`);
  return spec.parse(answer);
}

/** The companion decrypts the phone's first message to it (the key share) with its own keys. */
async function readKeyShare(link: LinkedRaw): Promise<proto.Message.IAppStateSyncKeyShare> {
  link.client.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline_batch', attrs: { count: '10' } }] });
  const msg = await link.client.waitFor((n) => n.tag === 'message' && n.attrs.category === 'peer', 'key share');
  const enc = kids(msg).find((k) => k.tag === 'enc')!;
  const book = new SessionBook();
  const local = { identityKey: link.id.identity, registrationId: link.id.registrationId };
  const { plaintext } = book.decrypt(msg.attrs.from!, local, enc.attrs.type as 'pkmsg', enc.content as Uint8Array, {
    preKey: () => undefined,
    signedPreKey: (id) => (id === 1 ? link.id.signedPreKey : undefined),
  });
  link.client.send({ tag: 'ack', attrs: { id: msg.attrs.id!, to: msg.attrs.from!, class: 'message' } });
  return decodePadded(plaintext).message!.protocolMessage!.appStateSyncKeyShare!;
}

beforeAll(async () => {
  sim = await startSim({ dataDir: dir });
  await admin(sim, 'POST', '/phones', { phone: PHONE, name: 'Seven' });
  companion = await linkRaw(sim, PHONE);
  keyShare = await readKeyShare(companion);
  const [key] = parseKeyShare(keyShare);
  device = new AppStateDevice(syncOverWire, key!, async (ref) => proto.SyncdSnapshot.decode(decryptMedia(await download(ref.directPath!), ref.mediaKey!, 'md-app-state')));
}, 30_000);

afterAll(async () => {
  companion?.client.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('app state through the simulator', () => {
  it('shares the phone’s sync key with a new companion, in a peer message right after the link', async () => {
    const v = await view();
    expect(keyShare.keys).toHaveLength(1);
    expect(v.keys.map((k) => k.id)).toEqual([b64(keyShare.keys![0]!.keyId!.keyId!)]);
  });

  it('has the push name in critical_block from the start, which a new companion reads from a snapshot', async () => {
    await device.pull('critical_block');
    const v = await view();
    expect(device.snapshots).toBe(1);
    expect(device.applied.map((m) => [m.index, m.value.pushNameSetting?.name])).toEqual([[['setting_pushName'], 'Seven']]);
    expect(v.collections.critical_block!.version).toBe(1);
    expect(b64(device.state('critical_block').hash)).toBe(v.collections.critical_block!.hash);
  });

  it('writes the person’s actions as patches and tells the companion with server_sync', async () => {
    const before = companion.client.received.length;
    const { versions } = (await admin(sim, 'POST', `/phones/${PHONE}/app-state`, { action: 'archive', chat: '15550008888' })) as { versions: Record<string, number> };
    expect(versions).toEqual({ regular_low: 1 });
    const note = await companion.client.waitFor((n) => companion.client.received.indexOf(n) >= before && n.tag === 'notification' && n.attrs.type === 'server_sync', 'server_sync');
    expect(kids(note).map((c) => c.attrs)).toEqual([{ name: 'regular_low', version: '1' }]);
    companion.client.send({ tag: 'ack', attrs: { id: note.attrs.id!, to: note.attrs.from!, class: 'notification', type: 'server_sync' } });
    await device.pull('regular_low', { snapshot: false });
    expect(device.applied.slice(-2).map((m) => m.index)).toEqual([
      ['archive', CHAT],
      ['pin_v1', CHAT],
    ]);
    const v = await view();
    expect(v.collections.regular_low!.entries.map((e) => e.change?.kind).sort()).toEqual(['chat.archived', 'chat.pinned']);
    expect(b64(device.state('regular_low').hash)).toBe(v.collections.regular_low!.hash);
  });

  it('answers the companion’s patch on a stale version with 409 and what it missed; it writes again and the phone applies it', async () => {
    await admin(sim, 'POST', `/phones/${PHONE}/app-state`, { action: 'mute', chat: CHAT, until: -1 });
    // The companion has not pulled regular_high: its patch follows version 0.
    expect(await device.write({ type: 'star', chat: CHAT, message: { id: 'M1', fromMe: true }, starred: true })).toEqual({ regular_high: 2 });
    expect(device.conflicts).toBe(1);
    const v = await waitForPhone((x) => x.collections.regular_high!.version === 2);
    const high = v.collections.regular_high!;
    expect(high.entries.map((e) => e.change)).toEqual([
      expect.objectContaining({ kind: 'chat.muted', chat: CHAT, mutedUntil: -1 }),
      expect.objectContaining({ kind: 'message.starred', chat: CHAT, messageId: 'M1', starred: true }),
    ]);
    expect([high.hash, high.server.hash, high.server.version]).toEqual([b64(device.state('regular_high').hash), high.hash, 2]);
  });

  it('leaves nothing of a patch whose MAC does not verify at the phone, which recovers the collection from a snapshot', async () => {
    await device.write({ type: 'labelEdit', labelId: '3', name: 'Work', color: 1, deleted: false });
    await device.write({ type: 'labelChat', chat: CHAT, labelId: '3', labelled: true }, Date.now(), { breakPatchMac: true });
    const v = await waitForPhone((x) => x.collections.regular!.version === 2);
    const regular = v.collections.regular!;
    expect(v.errors).toEqual([expect.stringMatching(/regular: BAD_PATCH_MAC .*resyncing from a snapshot/)]);
    // The snapshot's records and MAC are right (only the patch MAC was broken): the phone holds both records, once.
    expect(regular.entries.map((e) => e.change?.kind)).toEqual(['label.edited', 'chat.labelled']);
    expect([regular.hash, regular.server.hash]).toEqual([b64(device.state('regular').hash), regular.hash]);
  });

  it('keeps every collection, the phone’s copy and its keys across a restart', async () => {
    const before = await view();
    await sim.close();
    companion.client.close();
    sim = await startSim({ dataDir: dir });
    const after = await view();
    // The failures seen are the running phone's (diagnosis), not part of its state.
    expect({ ...after, errors: [] }).toEqual({ ...before, errors: [] });
    await admin(sim, 'POST', `/phones/${PHONE}/app-state`, { action: 'contact', jid: '15550008888', fullName: 'Eight Eight' });
    const v = await view();
    expect(v.collections.critical_unblock_low!.entries.map((e) => e.change)).toEqual([
      expect.objectContaining({ kind: 'contact.updated', jid: CHAT, fullName: 'Eight Eight' }),
    ]);
    for (const name of COLLECTIONS as readonly CollectionName[]) {
      const c = v.collections[name]!;
      expect([c.version, c.hash]).toEqual([c.server.version, c.server.hash]);
    }
    expect(v.errors).toEqual([]);
  });
});

async function waitForPhone(ok: (v: View) => boolean): Promise<View> {
  for (let i = 0; i < 100; i++) {
    const v = await view();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the phone did not catch up');
}
