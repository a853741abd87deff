// Our client against our server role: the full handshake through the framing,
// transport traffic both ways, and every certificate and handshake failure as
// a typed error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, keyPairFromPrivate, type KeyPair } from '../../../src/protocol/crypto/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import {
  CertChainVerdicts,
  clientHello,
  encodeFrame,
  encodeIntro,
  FrameDecoder,
  makeCertChain,
  readClientFinish,
  readClientHello,
  readServerHello,
  WA_ROOT_PUBLIC_KEY,
  type NoiseErrorCode,
} from '../../../src/protocol/noise/index.js';
import { chunkAt, concat, expectNoiseError, hex, makePki, signChain, type Pki } from './helpers.js';

const PAYLOAD = new TextEncoder().encode('ClientPayload{username: 15550001111, device: 7}');

function handshake(pki: Pki, opts: { noiseKey?: KeyPair; routingInfo?: Uint8Array; certChain?: Uint8Array; now?: number } = {}) {
  const noiseKey = opts.noiseKey ?? generateKeyPair();
  const client = clientHello({ noiseKey });
  const first = encodeFrame(client.clientHello, { intro: encodeIntro(opts.routingInfo ? { routingInfo: opts.routingInfo } : {}) });
  const serverDecoder = new FrameDecoder({ intro: true });
  const [helloFrame] = serverDecoder.push(first);
  const server = readClientHello(helloFrame!, { staticKeyPair: pki.serverStatic, certChain: opts.certChain ?? pki.certChain });
  const clientDecoder = new FrameDecoder();
  const [serverHelloFrame] = clientDecoder.push(encodeFrame(server.serverHello));
  const done = readServerHello(client.state, serverHelloFrame!, { clientPayload: PAYLOAD, rootPublicKey: pki.root.public, now: opts.now });
  const [finishFrame] = serverDecoder.push(encodeFrame(done.clientFinish));
  const accepted = readClientFinish(server.state, finishFrame!);
  return { noiseKey, client: done, server: accepted, serverDecoder, clientDecoder };
}

/** Runs the client's side up to readServerHello against a server answering with `certChain`. */
function clientAgainstChain(
  pki: Pki,
  certChain: Uint8Array,
  opts: { rootPublicKey?: Uint8Array; rootSerial?: number; now?: number; certVerdicts?: CertChainVerdicts; serverStatic?: KeyPair } = {},
) {
  const { serverStatic, ...clientOpts } = opts;
  const client = clientHello({ noiseKey: generateKeyPair() });
  const server = readClientHello(client.clientHello, { staticKeyPair: serverStatic ?? pki.serverStatic, certChain });
  return () => readServerHello(client.state, server.serverHello, { clientPayload: PAYLOAD, rootPublicKey: pki.root.public, ...clientOpts });
}

describe('handshake: our client with our server role', () => {
  const pki = makePki();

  it('agrees on keys and delivers the client payload and static key', () => {
    const { noiseKey, client, server, serverDecoder } = handshake(pki, { routingInfo: Uint8Array.of(1, 2, 3) });
    expect(hex(server.clientPayload)).toBe(hex(PAYLOAD));
    expect(hex(server.clientStatic)).toBe(hex(noiseKey.public));
    expect(hex(client.serverStatic)).toBe(hex(pki.serverStatic.public));
    expect(client.certificates.intermediate).toMatchObject({ serial: 1, issuerSerial: 0 });
    expect(client.certificates.leaf).toMatchObject({ serial: 2, issuerSerial: 1 });
    expect(hex(client.certificates.leaf.key)).toBe(hex(pki.serverStatic.public));
    expect(hex(serverDecoder.routingInfo!)).toBe('010203');
    expect([client.transport.sendCounter, client.transport.receiveCounter, server.transport.sendCounter]).toEqual([0, 0, 0]);
  });

  it('carries transport frames both ways under arbitrary chunking (property)', () => {
    const { client, server } = handshake(pki);
    const clientIn = new FrameDecoder();
    const serverIn = new FrameDecoder();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 2000 })), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, cuts) => {
          const toServer = messages.filter(([up]) => up).map(([, m]) => m);
          const toClient = messages.filter(([up]) => !up).map(([, m]) => m);
          const up = concat(...toServer.map((m) => client.transport.encryptFrame(m)));
          const down = concat(...toClient.map((m) => server.transport.encryptFrame(m)));
          const gotUp = chunkAt(up, cuts).flatMap((c) => serverIn.push(c)).map((f) => hex(server.transport.decrypt(f)));
          const gotDown = chunkAt(down, cuts).flatMap((c) => clientIn.push(c)).map((f) => hex(client.transport.decrypt(f)));
          expect(gotUp).toEqual(toServer.map(hex));
          expect(gotDown).toEqual(toClient.map(hex));
          expect(server.transport.receiveCounter).toBe(client.transport.sendCounter);
          expect(client.transport.receiveCounter).toBe(server.transport.sendCounter);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is deterministic given the keys (regression vector)', () => {
    const fixed = (b: number) => keyPairFromPrivate(new Uint8Array(32).fill(b));
    const det = makePki(0x10);
    const c = clientHello({ noiseKey: fixed(0x21), ephemeral: fixed(0x22) });
    const s = readClientHello(c.clientHello, { staticKeyPair: det.serverStatic, certChain: det.certChain, ephemeral: fixed(0x23) });
    const done = readServerHello(c.state, s.serverHello, { clientPayload: PAYLOAD, rootPublicKey: det.root.public });
    const again = readServerHello(c.state, s.serverHello, { clientPayload: PAYLOAD, rootPublicKey: det.root.public });
    // The state is plain immutable data: the same step twice gives the same bytes.
    expect(hex(again.clientFinish)).toBe(hex(done.clientFinish));
    expect(hex(again.transport.encrypt(PAYLOAD))).toBe(hex(done.transport.encrypt(PAYLOAD)));
  });
});

describe('handshake: certificate chain failures', () => {
  const pki = makePki();
  const other = generateKeyPair();
  const inter = (over: object = {}) => ({ serial: 1, issuerSerial: 0, key: pki.intermediate.public, ...over });
  const leaf = (over: object = {}) => ({ serial: 2, issuerSerial: 1, key: pki.serverStatic.public, ...over });
  const chain = (over: Partial<Parameters<typeof signChain>[0]> = {}) =>
    signChain({ intermediate: inter(), leaf: leaf(), intermediateSigner: pki.root.private, leafSigner: pki.intermediate.private, ...over });

  // Every case runs twice: alone, and with verdicts that already hold the good chain (remembered
  // from a handshake before): a remembered chain must never let a bad one through.
  const warm = new CertChainVerdicts();
  clientAgainstChain(pki, pki.certChain, { certVerdicts: warm })();
  const withVerdicts = (certVerdicts?: CertChainVerdicts): [string, () => unknown, NoiseErrorCode][] => [
    [
      'the good chain from a server that proved another static key',
      clientAgainstChain(pki, pki.certChain, { serverStatic: other, ...(certVerdicts ? { certVerdicts } : {}) }),
      'CERT_KEY_MISMATCH',
    ],
    ['the good chain against another root key', clientAgainstChain(pki, pki.certChain, { rootPublicKey: other.public, ...(certVerdicts ? { certVerdicts } : {}) }), 'CERT_ROOT_SIGNATURE'],
    ['the good chain under another expected root serial', clientAgainstChain(pki, pki.certChain, { rootSerial: 3, ...(certVerdicts ? { certVerdicts } : {}) }), 'CERT_SERIAL'],
  ];
  const cases: [string, () => unknown, NoiseErrorCode][] = [
    ...withVerdicts(),
    ['a wrong root key', clientAgainstChain(pki, pki.certChain, { rootPublicKey: other.public }), 'CERT_ROOT_SIGNATURE'],
    ["WhatsApp's production root against a test chain", clientAgainstChain(pki, pki.certChain, { rootPublicKey: WA_ROOT_PUBLIC_KEY }), 'CERT_ROOT_SIGNATURE'],
    ['an intermediate signed by another key', clientAgainstChain(pki, chain({ intermediateSigner: other.private })), 'CERT_ROOT_SIGNATURE'],
    [
      'a corrupted intermediate signature',
      clientAgainstChain(pki, chain({ mutate: (c) => void (c.intermediate!.signature![5]! ^= 1) })),
      'CERT_ROOT_SIGNATURE',
    ],
    ['a leaf signed by another key', clientAgainstChain(pki, chain({ leafSigner: other.private })), 'CERT_LEAF_SIGNATURE'],
    ['a corrupted leaf signature', clientAgainstChain(pki, chain({ mutate: (c) => void (c.leaf!.signature![40]! ^= 0x80) })), 'CERT_LEAF_SIGNATURE'],
    [
      'a leaf signed by the root instead of the intermediate',
      clientAgainstChain(pki, chain({ leafSigner: pki.root.private })),
      'CERT_LEAF_SIGNATURE',
    ],
    [
      'a chain for another server key',
      clientAgainstChain(pki, makeCertChain({ rootPrivateKey: pki.root.private, intermediateKeyPair: pki.intermediate, serverStaticPublic: other.public })),
      'CERT_KEY_MISMATCH',
    ],
    ['an intermediate issued by another serial', clientAgainstChain(pki, chain({ intermediate: inter({ issuerSerial: 9 }) })), 'CERT_SERIAL'],
    ['a non-default expected root serial', clientAgainstChain(pki, pki.certChain, { rootSerial: 4 }), 'CERT_SERIAL'],
    ['a leaf naming another issuer', clientAgainstChain(pki, chain({ leaf: leaf({ issuerSerial: 7 }) })), 'CERT_SERIAL'],
    ['a missing leaf', clientAgainstChain(pki, chain({ mutate: (c) => void (c.leaf = null) })), 'CERT_MISSING'],
    ['a missing intermediate signature', clientAgainstChain(pki, chain({ mutate: (c) => void (c.intermediate!.signature = null) })), 'CERT_MISSING'],
    ['a short signature', clientAgainstChain(pki, chain({ mutate: (c) => void (c.leaf!.signature = c.leaf!.signature!.subarray(0, 63)) })), 'CERT_MALFORMED'],
    ['an intermediate key of 33 bytes', clientAgainstChain(pki, chain({ intermediate: inter({ key: new Uint8Array(33) }) })), 'CERT_MALFORMED'],
    ['a chain that is not a CertChain', clientAgainstChain(pki, Uint8Array.of(0x0a, 0x05, 1)), 'CERT_MALFORMED'],
  ];
  it.each(cases)('rejects %s', (_name, run, code) => {
    expectNoiseError(run, code);
  });

  it.each(withVerdicts(warm))('rejects %s also after the good chain was remembered', (_name, run, code) => {
    expectNoiseError(run, code);
    expect(warm.size).toBe(1);
  });

  it('remembers only chains that pass, and a remembered chain binds each handshake to its own static key', () => {
    const verdicts = new CertChainVerdicts();
    expectNoiseError(clientAgainstChain(pki, chain({ leafSigner: other.private }), { certVerdicts: verdicts }), 'CERT_LEAF_SIGNATURE');
    expectNoiseError(clientAgainstChain(pki, chain({ leafSigner: other.private }), { certVerdicts: verdicts }), 'CERT_LEAF_SIGNATURE');
    expect(verdicts.size).toBe(0);
    const first = clientAgainstChain(pki, pki.certChain, { certVerdicts: verdicts })();
    const second = clientAgainstChain(pki, pki.certChain, { certVerdicts: verdicts })();
    expect(verdicts.size).toBe(1);
    expect(second.certificates).toEqual(first.certificates);
    expect(hex(second.serverStatic)).toBe(hex(pki.serverStatic.public));
    // A caller changing what it got back does not change what is remembered.
    second.certificates.leaf.serial = 99;
    expect(clientAgainstChain(pki, pki.certChain, { certVerdicts: verdicts })().certificates.leaf.serial).toBe(2);
    // The same bytes signed for another server key are another chain.
    const forOther = makeCertChain({ rootPrivateKey: pki.root.private, intermediateKeyPair: pki.intermediate, serverStaticPublic: other.public });
    expect(() => clientAgainstChain(pki, forOther, { certVerdicts: verdicts, serverStatic: other })()).not.toThrow();
    expectNoiseError(clientAgainstChain(pki, forOther, { certVerdicts: verdicts }), 'CERT_KEY_MISMATCH');
    expect(verdicts.size).toBe(2);
  });

  it('keeps a bounded number of chains, dropping the oldest', () => {
    const verdicts = new CertChainVerdicts(2);
    const chains = [1, 2, 3].map((serial) => makeCertChain({ rootPrivateKey: pki.root.private, intermediateKeyPair: pki.intermediate, serverStaticPublic: pki.serverStatic.public, leafSerial: serial + 10 }));
    for (const c of chains) clientAgainstChain(pki, c, { certVerdicts: verdicts })();
    expect(verdicts.size).toBe(2);
    for (const c of chains) expect(clientAgainstChain(pki, c, { certVerdicts: verdicts })().certificates.leaf.serial).toBeGreaterThan(10);
  });

  it('accepts a chain signed with a non-zero root serial when told to expect it', () => {
    const c = chain({ intermediate: inter({ issuerSerial: 4 }) });
    expect(() => clientAgainstChain(pki, c, { rootSerial: 4 })()).not.toThrow();
  });

  it('checks validity periods only when given the time', () => {
    const dated = makeCertChain({
      rootPrivateKey: pki.root.private,
      intermediateKeyPair: pki.intermediate,
      serverStaticPublic: pki.serverStatic.public,
      notBefore: 1_700_000_000,
      notAfter: 1_800_000_000,
    });
    expect(() => clientAgainstChain(pki, dated)()).not.toThrow();
    expect(() => clientAgainstChain(pki, dated, { now: 1_750_000_000 })()).not.toThrow();
    expectNoiseError(clientAgainstChain(pki, dated, { now: 1_800_000_001 }), 'CERT_VALIDITY');
    expectNoiseError(clientAgainstChain(pki, dated, { now: 1_600_000_000 }), 'CERT_VALIDITY');
    // Remembered while valid, a chain is still refused once it has expired.
    const verdicts = new CertChainVerdicts();
    expect(() => clientAgainstChain(pki, dated, { now: 1_750_000_000, certVerdicts: verdicts })()).not.toThrow();
    expect(verdicts.size).toBe(1);
    expectNoiseError(clientAgainstChain(pki, dated, { now: 1_800_000_001, certVerdicts: verdicts }), 'CERT_VALIDITY');
  });
});

describe('handshake: hostile or damaged messages', () => {
  const pki = makePki();

  function serverHelloWith(mutate: (h: proto.HandshakeMessage.IServerHello) => void) {
    const client = clientHello({ noiseKey: generateKeyPair() });
    const server = readClientHello(client.clientHello, { staticKeyPair: pki.serverStatic, certChain: pki.certChain });
    const msg = proto.HandshakeMessage.decode(server.serverHello);
    mutate(msg.serverHello!);
    const bytes = proto.HandshakeMessage.encode(msg).finish();
    return () => readServerHello(client.state, bytes, { clientPayload: PAYLOAD, rootPublicKey: pki.root.public });
  }

  it.each<[string, (h: proto.HandshakeMessage.IServerHello) => void, NoiseErrorCode]>([
    ['a tampered encrypted static key', (h) => void (h.static![3]! ^= 1), 'DECRYPT'],
    ['a tampered encrypted certificate', (h) => void (h.payload![10]! ^= 1), 'DECRYPT'],
    ['a truncated certificate ciphertext', (h) => void (h.payload = h.payload!.subarray(0, 20)), 'DECRYPT'],
    ['another ephemeral key', (h) => void (h.ephemeral = generateKeyPair().public), 'DECRYPT'],
    ['a short ephemeral key', (h) => void (h.ephemeral = h.ephemeral!.subarray(0, 31)), 'BAD_HANDSHAKE'],
    ['a low-order ephemeral key', (h) => void (h.ephemeral = new Uint8Array(32)), 'BAD_HANDSHAKE'],
    ['no static key', (h) => void (h.static = null), 'BAD_HANDSHAKE'],
  ])('the client rejects a ServerHello with %s', (_name, mutate, code) => {
    expectNoiseError(serverHelloWith(mutate), code);
  });

  it('the client rejects bytes that are not a ServerHello', () => {
    const client = clientHello({ noiseKey: generateKeyPair() });
    const opts = { clientPayload: PAYLOAD, rootPublicKey: pki.root.public };
    expectNoiseError(() => readServerHello(client.state, Uint8Array.of(0xff, 0xff, 0xff), opts), 'BAD_HANDSHAKE');
    expectNoiseError(() => readServerHello(client.state, client.clientHello, opts), 'BAD_HANDSHAKE');
    // A ServerHello frame cut short by the transport.
    const server = readClientHello(client.clientHello, { staticKeyPair: pki.serverStatic, certChain: pki.certChain });
    expectNoiseError(() => readServerHello(client.state, server.serverHello.subarray(0, server.serverHello.length - 5), opts), 'BAD_HANDSHAKE');
  });

  it('a different prologue (intro header) on each side breaks the handshake', () => {
    const client = clientHello({ noiseKey: generateKeyPair(), prologue: Uint8Array.of(0x57, 0x41, 6, 2) });
    const server = readClientHello(client.clientHello, { staticKeyPair: pki.serverStatic, certChain: pki.certChain });
    expectNoiseError(() => readServerHello(client.state, server.serverHello, { clientPayload: PAYLOAD, rootPublicKey: pki.root.public }), 'DECRYPT');
  });

  it('the server rejects bad ClientHellos and ClientFinishes', () => {
    const serverOpts = { staticKeyPair: pki.serverStatic, certChain: pki.certChain };
    expectNoiseError(() => readClientHello(Uint8Array.of(1, 2, 3), serverOpts), 'BAD_HANDSHAKE');
    expectNoiseError(() => readClientHello(proto.HandshakeMessage.encode({ clientHello: {} }).finish(), serverOpts), 'BAD_HANDSHAKE');
    expectNoiseError(
      () => readClientHello(proto.HandshakeMessage.encode({ clientHello: { ephemeral: new Uint8Array(32) } }).finish(), serverOpts),
      'BAD_HANDSHAKE',
    );

    const client = clientHello({ noiseKey: generateKeyPair() });
    const server = readClientHello(client.clientHello, serverOpts);
    const done = readServerHello(client.state, server.serverHello, { clientPayload: PAYLOAD, rootPublicKey: pki.root.public });
    const finish = proto.HandshakeMessage.decode(done.clientFinish).clientFinish!;
    const withFinish = (f: proto.HandshakeMessage.IClientFinish) => () => readClientFinish(server.state, proto.HandshakeMessage.encode({ clientFinish: f }).finish());
    const flip = (b: Uint8Array, i: number) => {
      const c = Uint8Array.from(b);
      c[i]! ^= 1;
      return c;
    };
    expectNoiseError(withFinish({ static: flip(finish.static!, 0), payload: finish.payload }), 'DECRYPT');
    expectNoiseError(withFinish({ static: finish.static, payload: flip(finish.payload!, finish.payload!.length - 1) }), 'DECRYPT');
    expectNoiseError(withFinish({ static: finish.static }), 'BAD_HANDSHAKE');
    expectNoiseError(() => readClientFinish(server.state, server.serverHello), 'BAD_HANDSHAKE');
    // A ClientFinish from another session.
    const stranger = handshake(pki);
    expect(stranger.server.clientPayload).toBeDefined();
    const otherClient = clientHello({ noiseKey: generateKeyPair() });
    const otherServer = readClientHello(otherClient.clientHello, serverOpts);
    const otherDone = readServerHello(otherClient.state, otherServer.serverHello, { clientPayload: PAYLOAD, rootPublicKey: pki.root.public });
    expectNoiseError(() => readClientFinish(server.state, otherDone.clientFinish), 'DECRYPT');
    // The genuine one still works: failed steps left the state untouched.
    expect(hex(readClientFinish(server.state, done.clientFinish).clientPayload)).toBe(hex(PAYLOAD));
  });
});
