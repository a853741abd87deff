/**
 * What the simulator enforces and publishes so a client's wire behaviour can
 * be proven: the published Web build at /sw.js (read back with the parser the
 * daemon uses), a minimum build refused with 405 at login and registration,
 * and dirty bits that reach a user's companions until one of them cleans them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginPayload, publishedWebVersion, registrationPayload, type WebVersion } from '../../src/protocol/pairing/index.js';
import { generateKeyPair } from '../../src/protocol/crypto/index.js';
import { generateSignedPreKey } from '../../src/protocol/signal/index.js';
import { handleIq } from '../../src/sim/iq/index.js';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { decideLogin } from '../../src/sim/login.js';
import { Pairing } from '../../src/sim/pairing.js';
import { addUser, makeHub, online } from './support.js';

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(sim.adminUrl + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

describe('the published Web build', () => {
  it('is served in sw.js where the daemon’s parser finds it, moves with POST /version, and counts fetches', async () => {
    const first = await call('GET', '/sw.js');
    expect(first.type).toMatch(/javascript/);
    const start = JSON.parse((await call('GET', '/version')).text) as { latest: string; minimum: string | null; fetches: number };
    expect(publishedWebVersion(first.text)?.join('.')).toBe(start.latest);
    expect(start.minimum).toBeNull();

    const moved = await call('POST', '/version', { latest: '2.3000.1100000123', minimum: '2.3000.1100000000' });
    expect(JSON.parse(moved.text)).toMatchObject({ latest: '2.3000.1100000123', minimum: '2.3000.1100000000' });
    expect(publishedWebVersion((await call('GET', '/sw.js')).text)).toEqual([2, 3000, 1100000123]);
    expect(JSON.parse((await call('GET', '/version')).text).fetches).toBe(start.fetches + 1);

    // A minimum no build could meet, and a malformed version, are refused; nothing moved.
    expect((await call('POST', '/version', { minimum: '2.3000.1200000000' })).status).toBe(400);
    expect((await call('POST', '/version', { latest: 'soon' })).status).toBe(400);
    expect(JSON.parse((await call('GET', '/version')).text)).toMatchObject({ latest: '2.3000.1100000123', minimum: '2.3000.1100000000' });
    await call('POST', '/version', { minimum: null });
  });
});

describe('a minimum build', () => {
  const identity = generateKeyPair();
  const spk = generateSignedPreKey(identity, 1);
  const keys = { registrationId: 7, identityPub: identity.public, signedPreKey: { keyId: 1, public: spk.keyPair.public, signature: spk.signature } };
  const old: WebVersion = [2, 3000, 1000000000];
  const current: WebVersion = [2, 3000, 1100000000];

  it('refuses an older login or registration with 405 and lets one at or above it through', () => {
    const hub = makeHub();
    const user = addUser(hub, '15550016001', 1);
    const device = user.devices.get(1)!;
    const login = (v: WebVersion) => decideLogin(loginPayload(device.jid, { version: v }), device.noiseKey!, hub.dir, hub.webVersion);
    expect(login(old).kind).toBe('login');
    hub.webVersion.set({ latest: current, minimum: current });
    expect(login(old)).toMatchObject({ kind: 'reject', reason: 405 });
    expect(decideLogin(registrationPayload(keys, { version: old }), generateKeyPair().public, hub.dir, hub.webVersion)).toMatchObject({ kind: 'reject', reason: 405 });
    expect(login(current).kind).toBe('login');
    expect(login([2, 3000, 1100000001]).kind).toBe('login');
    expect(decideLogin(registrationPayload(keys, { version: current }), generateKeyPair().public, hub.dir, hub.webVersion).kind).toBe('register');
  });
});

describe('dirty bits', () => {
  const ibDirty = (s: ReturnType<typeof online>) => s.of('ib').flatMap((ib) => (Array.isArray(ib.content) ? ib.content : [])).filter((c) => c.tag === 'dirty').map((c) => c.attrs.type);

  it('reach the companions online at once and every later login until one device cleans them', () => {
    const hub = makeHub();
    const user = addUser(hub, '15550016002', 2);
    const first = online(hub, user, 1);
    hub.setDirty(user, 'groups');
    hub.setDirty(user, 'account_sync');
    expect(ibDirty(first)).toEqual(['groups', 'groups', 'account_sync']);
    expect(ibDirty(online(hub, user, 2))).toEqual(['groups', 'account_sync']);

    const clean = (type: string) =>
      handleIq({ hub, pairing: new Pairing(hub), session: {} as never, deviceJid: first.deviceJid }, { tag: 'iq', attrs: { id: 'c1', xmlns: 'urn:xmpp:whatsapp:dirty', type: 'set', to: 's.whatsapp.net' }, content: [{ tag: 'clean', attrs: { type, timestamp: '5' } }] });
    expect(clean('groups').attrs.type).toBe('result');
    expect(hub.dirty.view(user.phone).pending.map((p) => p.type)).toEqual(['account_sync']);
    expect(hub.dirty.view(user.phone).cleaned).toEqual([{ type: 'groups', by: first.deviceJid, timestamp: '5', at: expect.any(Number) }]);
    // A later login hears only of what is still dirty.
    expect(ibDirty(online(hub, user, 2))).toEqual(['account_sync']);
    clean('account_sync');
    expect(ibDirty(online(hub, user, 2))).toEqual([]);
  });
});
