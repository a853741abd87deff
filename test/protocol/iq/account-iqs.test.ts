// The account's IQ specs (prekeys, passive, ping, props, blocklist, privacy,
// md, media_conn) against the simulator's server handlers: each request is
// built by the spec, answered by src/sim/iq, and the answer parsed by the spec.
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { generateKeyPair } from '../../../src/protocol/crypto/index.js';
import { IqParseError, type IqSpec } from '../../../src/protocol/iq/index.js';
import { getBlocklist, updateBlocklist } from '../../../src/protocol/iq/blocklist.js';
import { answerServerIq, parsePairDevice, removeCompanionDevice } from '../../../src/protocol/iq/md.js';
import { mediaConn } from '../../../src/protocol/iq/media-conn.js';
import { setPassive } from '../../../src/protocol/iq/passive.js';
import { ping } from '../../../src/protocol/iq/ping.js';
import { keyDigest, keyDigestMismatch, lowPreKeyCount, preKeyCount, rotateSignedPreKey, uploadPreKeys } from '../../../src/protocol/iq/prekeys.js';
import { getPrivacySettings } from '../../../src/protocol/iq/privacy.js';
import { fetchProps } from '../../../src/protocol/iq/props.js';
import { generatePreKeys, generateSignedPreKey } from '../../../src/protocol/signal/index.js';
import { handleIq, type IqContext } from '../../../src/sim/iq/index.js';
import { Pairing } from '../../../src/sim/pairing.js';
import { addUser, makeHub } from '../../sim/support.js';

const A = '15553330001';
const DEV = `${A}:1@s.whatsapp.net`;

function setup() {
  const hub = makeHub();
  addUser(hub, A, 1);
  hub.media = { hostname: '127.0.0.1:9', maxBlobBytes: 1000, issueAuth: () => 'AUTH', isChannelHandle: () => false };
  const pairing = new Pairing(hub);
  const session = { registration: undefined as never, send() {}, query: async () => ({ tag: 'iq', attrs: {} }), streamError() {} };
  const ctx: IqContext = { hub, pairing, session, deviceJid: DEV };
  let n = 0;
  const run = <T>(spec: IqSpec<T>): T => {
    const req = spec.build();
    expect(req.attrs.to).toBe('@s.whatsapp.net');
    expect(req.attrs.id).toBeUndefined();
    const answer = handleIq(ctx, { ...req, attrs: { ...req.attrs, id: `t${++n}` } });
    expect(answer.attrs.type).toBe('result');
    return spec.parse(answer);
  };
  return { hub, run };
}

describe('encrypt', () => {
  it('uploads prekeys, counts them, reads the digest and rotates the signed prekey', () => {
    const { hub, run } = setup();
    // Only the keys this test uploads: the digest lists every key held.
    hub.prekeys.drop(DEV);
    const before = run(preKeyCount);
    const identity = generateKeyPair();
    const spk = generateSignedPreKey(identity, 1);
    const preKeys = generatePreKeys(100, 30);
    run(uploadPreKeys({ registrationId: 4242, identityKey: identity.public, preKeys, signedPreKey: spk }));
    expect(run(preKeyCount)).toBe(before + 30);
    const digest = run(keyDigest);
    expect(digest.registrationId).toBe(4242);
    expect(Buffer.from(digest.identityKey)).toEqual(Buffer.from(identity.public));
    expect(digest.signedPreKey.keyId).toBe(1);
    expect(digest.preKeyIds).toEqual(preKeys.map((k) => k.keyId));
    // The hash covers identity, signed prekey, its signature and each listed key: ours match.
    const local = { registrationId: 4242, identityKey: identity.public, signedPreKey: spk, preKeys: new Map(preKeys.map((k) => [k.keyId, k.keyPair.public])) };
    expect(keyDigestMismatch(digest, local)).toBeUndefined();
    expect(keyDigestMismatch(digest, { ...local, registrationId: 1 })).toBe('registration id differs');
    expect(keyDigestMismatch(digest, { ...local, preKeys: new Map([...local.preKeys].slice(1)) })).toBe('prekey 100 is not ours');
    const other = generatePreKeys(100, 30);
    expect(keyDigestMismatch(digest, { ...local, preKeys: new Map(other.map((k) => [k.keyId, k.keyPair.public])) })).toBe('hash differs');
    const rotated = generateSignedPreKey(identity, 1);
    expect(keyDigestMismatch(digest, { ...local, signedPreKey: rotated })).toBe('signed prekey differs');
    run(rotateSignedPreKey(generateSignedPreKey(identity, 2)));
    expect(hub.dir.device(DEV)!.signedPreKey!.keyId).toBe(2);
  });

  it('reads the low-prekey notification', () => {
    expect(lowPreKeyCount({ tag: 'notification', attrs: { type: 'encrypt' }, content: [{ tag: 'count', attrs: { value: '3' } }] })).toBe(3);
    expect(lowPreKeyCount({ tag: 'notification', attrs: { type: 'encrypt' }, content: [{ tag: 'identity', attrs: {} }] })).toBeUndefined();
    expect(lowPreKeyCount({ tag: 'notification', attrs: { type: 'w:gp2' } })).toBeUndefined();
  });

  it('refuses malformed answers with IqParseError', () => {
    expect(() => preKeyCount.parse({ tag: 'iq', attrs: {}, content: [{ tag: 'count', attrs: { value: 'x' } }] })).toThrow(IqParseError);
    expect(() => keyDigest.parse({ tag: 'iq', attrs: {} })).toThrow(IqParseError);
    expect(() => keyDigest.parse({ tag: 'iq', attrs: {}, content: [{ tag: 'digest', attrs: {}, content: [{ tag: 'registration', attrs: {}, content: Uint8Array.of(0, 0, 0, 1) }] }] })).toThrow(IqParseError);
  });
});

describe('session IQs', () => {
  it('passive, ping, props, privacy, blocklist, media_conn', () => {
    const { run } = setup();
    run(setPassive(false));
    run(ping);
    const props = run(fetchProps());
    expect(props.hash).toMatch(/^\S{8,}$/);
    expect(props.props.get('10518')).toBe('true');
    const again = run(fetchProps(props.hash));
    expect(again.hash).toBe(props.hash);
    expect(again.props.size).toBe(0);
    expect(run(getPrivacySettings).readreceipts).toBe('all');
    expect(run(getBlocklist)).toEqual([]);
    run(updateBlocklist('block', '15559990000@s.whatsapp.net'));
    expect(run(getBlocklist)).toEqual(['15559990000@s.whatsapp.net']);
    const mc = run(mediaConn);
    expect(mc).toMatchObject({ auth: 'AUTH', ttl: 3600, hosts: [{ hostname: '127.0.0.1:9', maxContentLengthBytes: 1000 }] });
    expect(setPassive(true).build().content).toEqual([{ tag: 'passive', attrs: {} }]);
  });
});

describe('md', () => {
  it('parses pair-device refs and answers server IQs', () => {
    const enc = new TextEncoder();
    const pd: BinaryNode = { tag: 'iq', attrs: { from: 's.whatsapp.net', type: 'set', id: 'P1', xmlns: 'md' }, content: [{ tag: 'pair-device', attrs: {}, content: [{ tag: 'ref', attrs: {}, content: enc.encode('2@a') }, { tag: 'ref', attrs: {}, content: enc.encode('2@b') }] }] };
    expect(parsePairDevice(pd)).toEqual(['2@a', '2@b']);
    expect(parsePairDevice({ tag: 'iq', attrs: { type: 'result' } })).toBeUndefined();
    expect(answerServerIq(pd)).toEqual({ tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'result', id: 'P1' } });
  });

  it('logout: the server accepts removing our own device', async () => {
    const { hub, run } = setup();
    run(removeCompanionDevice(DEV));
    await new Promise((r) => setImmediate(r));
    expect(hub.dir.device(DEV)).toBeUndefined();
  });
});
