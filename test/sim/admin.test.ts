/**
 * The admin HTTP API (CONTRACTS §2) on an in-process simulator: shapes of
 * the answers, validation errors, faults, stats, and a restart from
 * --data-dir that keeps keys, users and linked companions.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { admin } from './baileys-harness.js';
import { linkRaw, loginPayload, newIdentity, RawClient } from './raw-client.js';
import { PairingError, verifyAndSignDeviceIdentity } from '../../src/protocol/pairing/index.js';

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});

async function raw(method: string, path: string, body?: string): Promise<{ status: number; json: { error?: { code: string } } & Record<string, unknown> }> {
  const res = await fetch(sim.adminUrl + path, { method, ...(body === undefined ? {} : { body }) });
  return { status: res.status, json: (await res.json()) as never };
}

describe('admin API', () => {
  it('creates a user with a phone, its jid and a stable LID', async () => {
    const res = (await admin(sim, 'POST', '/phones', { phone: '15554440001', name: 'Ann' })) as Record<string, string>;
    expect(res).toEqual({ phone: '15554440001', jid: '15554440001@s.whatsapp.net', lid: expect.stringMatching(/^\d{15}@lid$/) });
    expect(sim.hub.phones.has('15554440001')).toBe(true);
    expect(sim.hub.dir.user('15554440001')!.devices.get(0)!.identityKey).toHaveLength(32);
    expect(await admin(sim, 'GET', '/phones/15554440001/devices')).toEqual([]);
  });

  it.each([
    ['POST', '/phones', '{"phone":"15554440001"}', 409, 'ALREADY_EXISTS'],
    ['POST', '/phones', '{"phone":"12ab"}', 400, 'BAD_REQUEST'],
    ['POST', '/phones', 'not json', 400, 'BAD_REQUEST'],
    ['POST', '/phones', '[1]', 400, 'BAD_REQUEST'],
    ['POST', '/phones/19999999999/messages', '{"to":"15554440001","text":"x"}', 404, 'NOT_FOUND'],
    ['POST', '/phones/15554440001/link', '{"qr":"https://example.com"}', 422, 'BAD_QR'],
    ['POST', '/phones/15554440001/link', '{"qr":"https://wa.me/settings/linked_devices#2@nope,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,1"}', 404, 'UNKNOWN_REF'],
    ['DELETE', '/phones/15554440001/devices/3', undefined, 404, 'NOT_FOUND'],
    ['POST', '/faults', '{"kind":"explode"}', 400, 'BAD_REQUEST'],
    ['POST', '/faults', '{"kind":"delay"}', 400, 'BAD_REQUEST'],
    ['GET', '/nowhere', undefined, 404, 'NOT_FOUND'],
  ])('%s %s %s → %d %s', async (method, path, body, status, code) => {
    const res = await raw(method, path, body);
    expect(res.status).toBe(status);
    expect(res.json.error?.code).toBe(code);
  });

  it('creates groups from phone numbers and refuses unknown members', async () => {
    await admin(sim, 'POST', '/phones', { phone: '15554440002', name: 'Ben' });
    const { jid } = (await admin(sim, 'POST', '/groups', { creator: '15554440001', subject: 'g', participants: ['15554440002'] })) as { jid: string };
    expect(jid).toMatch(/^120363\d{12}@g\.us$/);
    expect([...sim.hub.groups.get(jid)!.participants.keys()]).toEqual(['15554440001@s.whatsapp.net', '15554440002@s.whatsapp.net']);
    expect((await raw('POST', '/groups', '{"creator":"15554440001","subject":"g","participants":["19990000000"]}')).status).toBe(404);
  });

  it('lets two phones message each other and lists what each received', async () => {
    const { id } = (await admin(sim, 'POST', '/phones/15554440001/messages', { to: '15554440002', text: 'hi ben' })) as { id: string };
    let got: Array<{ id: string; from: string; text: string; t: number }> = [];
    for (let i = 0; i < 50 && got.length === 0; i++) {
      got = (await admin(sim, 'GET', '/phones/15554440002/messages')) as typeof got;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got).toEqual([{ id, from: expect.stringMatching(/^15554440001/), text: 'hi ben', type: 'text', message: { conversation: 'hi ben' }, t: expect.any(Number) }]);
  });

  it('sends any kind given as protobuf JSON and shows what arrived as protobuf JSON', async () => {
    const message = { locationMessage: { degreesLatitude: 1.5, degreesLongitude: -2.25, name: 'here' }, messageContextInfo: { messageSecret: Buffer.alloc(32, 7).toString('base64') } };
    const { id } = (await admin(sim, 'POST', '/phones/15554440001/messages', { to: '15554440002', message })) as { id: string };
    let got: Array<{ id: string; type: string; text: string; message: unknown }> = [];
    for (let i = 0; i < 50 && !got.some((m) => m.id === id); i++) {
      got = (await admin(sim, 'GET', '/phones/15554440002/messages')) as typeof got;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got.find((m) => m.id === id)).toMatchObject({ type: 'location', text: '', message });
    // An empty repeated field is not a lost one.
    expect(await admin(sim, 'POST', '/phones/15554440001/messages', { to: '15554440002', message: { extendedTextMessage: { text: 'x', contextInfo: { mentionedJid: [] } } } })).toHaveProperty('id');
  });

  it('refuses a message that is not a proto Message, or both text and message', async () => {
    const post = (body: unknown) => admin(sim, 'POST', '/phones/15554440001/messages', body).catch((e: Error) => e.message);
    expect(await post({ to: '15554440002', message: { locationMessage: { degreesLatitude: 'north' } } })).toMatch(/400.*BAD_MESSAGE/);
    expect(await post({ to: '15554440002', message: [] })).toMatch(/400.*BAD_MESSAGE/);
    expect(await post({ to: '15554440002', message: { notAField: 1 } })).toMatch(/400.*BAD_MESSAGE/);
    expect(await post({ to: '15554440002', message: { conversation: 'x' }, text: 'y' })).toMatch(/400.*BAD_REQUEST/);
  });

  it('counts in /stats and clears delays', async () => {
    const stats = (await admin(sim, 'GET', '/stats')) as Record<string, unknown>;
    for (const k of ['connections', 'stanzasRouted', 'offlineQueues', 'offlineQueued', 'mediaUploads', 'malformedFrames']) expect(stats).toHaveProperty(k);
    expect(await admin(sim, 'POST', '/faults', { kind: 'delay', ms: 10 })).toEqual({ ok: true, affected: 0 });
    expect(await admin(sim, 'DELETE', '/faults')).toEqual({ ok: true });
  });
});

describe('POST /phones/:phone/companions', () => {
  const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

  it('links a companion without pairing: it logs in with its noise key, and the identity verifies with its ADV secret', async () => {
    await admin(sim, 'POST', '/phones', { phone: '15554440020', name: 'Sam' });
    const id = newIdentity();
    const advSecret = randomBytes(32);
    const body = {
      noiseKey: b64(id.noise.public),
      identityKey: b64(id.identity.public),
      registrationId: id.registrationId,
      signedPreKey: { keyId: 1, publicKey: b64(id.signedPreKey.public), signature: b64(id.signedPreKeySig) },
      advSecret: b64(advSecret),
      platform: 'Chrome',
    };
    const seeded = (await admin(sim, 'POST', '/phones/15554440020/companions', body)) as { jid: string; lid: string; deviceIdentity: string };
    expect(seeded.jid).toBe('15554440020:1@s.whatsapp.net');
    expect(seeded.lid).toMatch(/^\d{15}:1@lid$/);
    expect(((await admin(sim, 'GET', '/phones/15554440020/devices')) as Array<{ jid: string; platform: string }>).map((d) => [d.jid, d.platform])).toEqual([[seeded.jid, 'Chrome']]);
    // What pair-success would carry: the phone's signature over our identity, under our ADV secret.
    const verified = verifyAndSignDeviceIdentity(Buffer.from(seeded.deviceIdentity, 'base64'), advSecret, id.identity);
    expect(verified.keyIndex).toBe(sim.hub.dir.user('15554440020')!.devices.get(1)!.keyIndex);
    expect(() => verifyAndSignDeviceIdentity(Buffer.from(seeded.deviceIdentity, 'base64'), randomBytes(32), id.identity)).toThrow(PairingError);
    const client = await RawClient.connect(sim.wsUrl, sim.rootPublicKey, id.noise, loginPayload('15554440020', 1));
    await client.waitFor((n) => n.tag === 'success', 'success of the seeded companion');
    client.close();
    // A second one takes the next device id; a key of the wrong size is refused.
    const other = newIdentity();
    const second = (await admin(sim, 'POST', '/phones/15554440020/companions', { ...body, noiseKey: b64(other.noise.public), identityKey: b64(other.identity.public) })) as { jid: string };
    expect(second.jid).toBe('15554440020:2@s.whatsapp.net');
    const bad = await raw('POST', '/phones/15554440020/companions', JSON.stringify({ ...body, noiseKey: b64(randomBytes(31)) }));
    expect([bad.status, bad.json.error?.code]).toEqual([400, 'BAD_REQUEST']);
    expect((await raw('POST', '/phones/19999999998/companions', JSON.stringify(body))).status).toBe(404);
  });
});

describe('--data-dir', () => {
  it('a restarted simulator keeps its root key, users, groups and linked companions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wad-sim-test-'));
    try {
      const first = await startSim({ dataDir: dir });
      await admin(first, 'POST', '/phones', { phone: '15554440009', name: 'Dee' });
      const linked = await linkRaw(first, '15554440009');
      linked.client.close();
      await first.close();
      expect(readFileSync(join(dir, 'media-ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');

      const second = await startSim({ dataDir: dir });
      try {
        expect(second.rootPublicKey).toBe(first.rootPublicKey);
        expect(((await admin(second, 'GET', '/phones/15554440009/devices')) as Array<{ jid: string }>).map((d) => d.jid)).toEqual([linked.deviceJid]);
        const [user, dev] = linked.deviceJid.split('@')[0]!.split(':') as [string, string];
        const again = await RawClient.connect(second.wsUrl, second.rootPublicKey, linked.id.noise, loginPayload(user, Number(dev)));
        await again.waitFor((n) => n.tag === 'success', 'success after restart');
        again.close();
        // The restored phone still has its keys: it can message.
        await admin(second, 'POST', '/phones', { phone: '15554440010', name: 'Eve' });
        await admin(second, 'POST', '/phones/15554440009/messages', { to: '15554440010', text: 'after restart' });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
