/**
 * The simulator at the wire, driven by a bare client built on our protocol
 * core: its certificate chain (checked by our Noise client and, independently,
 * by libsignal's curve), registration and pairing (pair-device refs, the
 * phone-signed pair-success, the companion's countersignature, 515), login
 * and its refusal, and the rule that malformed input closes only the client
 * that sent it.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNode } from '../../src/protocol/binary/index.js';
import { generateKeyPair } from '../../src/protocol/crypto/index.js';
import { proto } from '../../src/protocol/proto/index.js';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { admin } from './baileys-harness.js';
import { childTag, kids, linkRaw, loginPayload, newIdentity, RawClient, registrationPayload } from './raw-client.js';

const require = createRequire(import.meta.url);
const curve = require('libsignal/src/curve.js') as { verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean };
/** libsignal wants 0x05-prefixed keys (it warns about bare ones). */
const libCurve = {
  verifySignature: (pub: Buffer, msg: Buffer, sig: Buffer): boolean => curve.verifySignature(Buffer.concat([Buffer.of(5), pub]), msg, sig),
};

const ALICE = '15551110001';
const BOB = '15551110002';
let sim: SimHandle;

beforeAll(async () => {
  sim = await startSim({ limits: { maxFrameBytes: 64 * 1024 } });
  await admin(sim, 'POST', '/phones', { phone: ALICE, name: 'Alice' });
  await admin(sim, 'POST', '/phones', { phone: BOB, name: 'Bob' });
});

afterAll(async () => {
  await sim?.close();
});

describe('certificate chain', () => {
  it('verifies with libsignal: root signs the intermediate, intermediate signs the leaf naming the server key', async () => {
    const id = newIdentity();
    const c = await RawClient.connect(sim.wsUrl, sim.rootPublicKey, id.noise, registrationPayload(id));
    const chain = proto.CertChain.decode(sim.certChain);
    const root = Buffer.from(sim.rootPublicKey, 'hex');
    const inter = chain.intermediate!;
    const leaf = chain.leaf!;
    expect(libCurve.verifySignature(root, Buffer.from(inter.details!), Buffer.from(inter.signature!))).toBe(true);
    const interDetails = proto.CertChain.NoiseCertificate.Details.decode(inter.details!);
    expect(libCurve.verifySignature(Buffer.from(interDetails.key!), Buffer.from(leaf.details!), Buffer.from(leaf.signature!))).toBe(true);
    // A wrong root must not verify (libsignal really checks).
    expect(libCurve.verifySignature(Buffer.from(generateKeyPair().public), Buffer.from(inter.details!), Buffer.from(inter.signature!))).toBe(false);
    // issuerSerial is on the wire even though it is 0 (Baileys compares with ===).
    expect(interDetails.issuerSerial).toBe(0);
    const leafDetails = proto.CertChain.NoiseCertificate.Details.decode(leaf.details!);
    expect(Buffer.from(leafDetails.key!).equals(Buffer.from(c.handshake!.serverStatic))).toBe(true);
    c.close();
  });

  it('a client pinning another root key refuses the handshake', async () => {
    const id = newIdentity();
    const other = Buffer.from(generateKeyPair().public).toString('hex');
    await expect(RawClient.connect(sim.wsUrl, other, id.noise, registrationPayload(id))).rejects.toThrow();
  });
});

describe('registration, pairing and login', () => {
  it('a fresh companion gets pair-device with its QR refs', async () => {
    const id = newIdentity();
    const c = await RawClient.connect(sim.wsUrl, sim.rootPublicKey, id.noise, registrationPayload(id));
    const iq = await c.waitFor((n) => n.tag === 'iq' && childTag(n, 'pair-device') !== undefined, 'pair-device');
    expect(iq.attrs).toMatchObject({ type: 'set', xmlns: 'md', from: 's.whatsapp.net' });
    const refs = kids(childTag(iq, 'pair-device'));
    expect(refs.length).toBe(6);
    expect(new Set(refs.map((r) => Buffer.from(r.content as Uint8Array).toString())).size).toBe(6);
    c.close();
  });

  it('links by QR: pair-success is signed by the phone (checked with libsignal), then 515, then login succeeds', async () => {
    const linked = await linkRaw(sim, ALICE);
    expect(linked.deviceJid).toMatch(new RegExp(`^${ALICE}:\\d+@s\\.whatsapp\\.net$`));
    const outer = proto.ADVSignedDeviceIdentityHMAC.decode(linked.pairSuccessIdentity);
    const signed = proto.ADVSignedDeviceIdentity.decode(outer.details!);
    const msg = Buffer.concat([Buffer.of(6, 0), signed.details!, linked.id.identity.public]);
    expect(libCurve.verifySignature(Buffer.from(signed.accountSignatureKey!), msg, Buffer.from(signed.accountSignature!))).toBe(true);
    const details = proto.ADVDeviceIdentity.decode(signed.details!);
    expect(details.keyIndex).toBeGreaterThan(0);
    const success = linked.client.received.find((n) => n.tag === 'success')!;
    expect(success.attrs.lid).toMatch(/^\d+:\d+@lid$/);
    // Its backlog is what the phone sent right after the link: the app state key share, then the history's initial bootstrap.
    const preview = await linked.client.waitFor((n) => n.tag === 'ib' && childTag(n, 'offline_preview') !== undefined, 'offline preview');
    expect(childTag(preview, 'offline_preview')?.attrs).toMatchObject({ count: '2', message: '2' });
    linked.client.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline_batch', attrs: { count: '10' } }] });
    const share = await linked.client.waitFor((n) => n.tag === 'message', 'key share');
    expect(share.attrs).toMatchObject({ from: `${ALICE}@s.whatsapp.net`, category: 'peer', offline: '1' });
    const bootstrap = await linked.client.waitFor((n) => n.tag === 'message' && n !== share, 'history bootstrap');
    expect(bootstrap.attrs).toMatchObject({ from: `${ALICE}@s.whatsapp.net`, category: 'peer', offline: '1' });
    const ib = await linked.client.waitFor((n) => n.tag === 'ib' && childTag(n, 'offline') !== undefined, 'offline marker');
    expect(childTag(ib, 'offline')?.attrs.count).toBe('2');
    // The stored device identity is the companion's countersigned one.
    const stored = sim.hub.dir.device(linked.deviceJid)!.deviceIdentity!;
    expect(proto.ADVSignedDeviceIdentity.decode(stored).deviceSignature!.length).toBe(64);
    linked.client.close();
  });

  it('refuses a companion whose device signature does not verify', async () => {
    const before = sim.hub.dir.user(BOB)!.devices.size;
    const linked = await linkRaw(sim, BOB, { breakSignature: true });
    expect(linked.client.received.some((n) => n.tag === 'stream:error' && n.attrs.code === '401')).toBe(true);
    expect(sim.hub.dir.user(BOB)!.devices.size).toBe(before);
  });

  it('answers an unknown device with <failure reason="401"/> and closes', async () => {
    const c = await RawClient.connect(sim.wsUrl, sim.rootPublicKey, generateKeyPair(), loginPayload(ALICE, 9));
    const failure = await c.waitFor((n) => n.tag === 'failure', 'failure');
    expect(failure.attrs.reason).toBe('401');
    await c.waitClosed();
  });

  it('refuses a known device that logs in with another Noise key', async () => {
    const linked = await linkRaw(sim, BOB);
    linked.client.close();
    const [user, dev] = linked.deviceJid.split('@')[0]!.split(':') as [string, string];
    const c = await RawClient.connect(sim.wsUrl, sim.rootPublicKey, generateKeyPair(), loginPayload(user, Number(dev)));
    expect((await c.waitFor((n) => n.tag === 'failure', 'failure')).attrs.reason).toBe('401');
  });
});

describe('faults on the wire', () => {
  it('a delay holds what the server sends but keeps its order', async () => {
    const c = (await linkRaw(sim, BOB)).client;
    await admin(sim, 'POST', '/faults', { kind: 'delay', phone: BOB, ms: 150 });
    const ids = ['d1', 'd2', 'd3'];
    for (const id of ids) c.send({ tag: 'iq', attrs: { id, to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' } });
    for (const id of ids) await c.waitFor((n) => n.attrs.id === id, id);
    expect(c.received.filter((n) => ids.includes(n.attrs.id ?? '')).map((n) => n.attrs.id)).toEqual(ids);
    await admin(sim, 'DELETE', '/faults');
    c.close();
  });
});

describe('malformed input closes only the client that sent it', () => {
  const ping = (id: string) => ({ tag: 'iq', attrs: { id, to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] });

  it.each([
    ['a frame that is not a stanza', (c: RawClient) => c.sendPlain(Uint8Array.of(0, 0xff, 0xff, 0xff))],
    ['a frame that fails authentication', (c: RawClient) => c.ws.send(Uint8Array.of(0, 0, 20, ...new Uint8Array(20)))],
    ['a text WebSocket message', (c: RawClient) => c.ws.send('hello')],
    ['a frame over the size limit', (c: RawClient) => c.sendPlain(encodeNode({ tag: 'iq', attrs: {}, content: new Uint8Array(70 * 1024) }))],
  ])('%s', async (_what, breakIt) => {
    const bad = (await linkRaw(sim, ALICE)).client;
    const good = (await linkRaw(sim, BOB)).client;
    const before = (await admin(sim, 'GET', '/stats')) as { malformedFrames: number };
    breakIt(bad);
    await bad.waitClosed();
    const answer = await good.iq(ping('after-bad'));
    expect(answer.attrs.type).toBe('result');
    const after = (await admin(sim, 'GET', '/stats')) as { malformedFrames: number };
    expect(after.malformedFrames).toBeGreaterThan(before.malformedFrames);
    good.close();
  });

  it('garbage before the handshake closes that socket', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(sim.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise((r) => ws.once('close', r));
    ws.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await closed;
    const stats = (await admin(sim, 'GET', '/stats')) as { handshakesFailed: number };
    expect(stats.handshakesFailed).toBeGreaterThan(0);
  });
});
