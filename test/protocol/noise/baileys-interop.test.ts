// Independent implementations: our client against a responder built from
// Baileys' primitives, and Baileys' own client (makeNoiseHandler, driven the
// way Socket/socket.js drives it) against our server role.
import { Curve, decodeBinaryNode, encodeBinaryNode, makeNoiseHandler, proto as baileysProto, WA_CERT_DETAILS, type BinaryNode } from 'baileys';
import * as libsignalCurve from 'libsignal/src/curve.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, keyPairFromPrivate } from '../../../src/protocol/crypto/index.js';
import {
  clientHello,
  encodeFrame,
  encodeIntro,
  FrameDecoder,
  readClientFinish,
  readClientHello,
  readServerHello,
  type ServerHandshakeResult,
} from '../../../src/protocol/noise/index.js';
import { chunkAt, hex, makePki, rng } from './helpers.js';
import { ReferenceServer, referenceCertChain } from './reference-server.js';

const PAYLOAD = new TextEncoder().encode('a ClientPayload');
type NoiseHandler = ReturnType<typeof makeNoiseHandler>;
const silent = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const logger = silent as unknown as Parameters<typeof makeNoiseHandler>[0]['logger'];

describe('our client with a responder built from Baileys primitives', () => {
  const root = Curve.generateKeyPair();
  const intermediate = Curve.generateKeyPair();
  const serverStatic = Curve.generateKeyPair();
  const chain = referenceCertChain(root, intermediate, serverStatic.public);

  it('completes the handshake, verifies libsignal-made signatures, and exchanges frames', () => {
    const ref = new ReferenceServer(serverStatic, chain);
    const noiseKey = generateKeyPair();
    const client = clientHello({ noiseKey });
    const serverHello = ref.hello(client.clientHello);
    const done = readServerHello(client.state, serverHello, { clientPayload: PAYLOAD, rootPublicKey: root.public });
    expect(done.certificates.leaf).toMatchObject({ serial: 12, issuerSerial: 11 });
    const got = ref.finish(done.clientFinish);
    expect(hex(got.clientPayload)).toBe(hex(PAYLOAD));
    expect(hex(got.clientStatic)).toBe(hex(noiseKey.public));
    const r = rng(7);
    for (let i = 0; i < 50; i++) {
      const up = r.bytes(r.int(3000));
      expect(hex(ref.receive(done.transport.encrypt(up)))).toBe(hex(up));
      const down = r.bytes(r.int(3000));
      expect(hex(done.transport.decrypt(ref.send(down)))).toBe(hex(down));
    }
  });

  it('our server role writes the same ServerHello bytes as the reference for the same keys', () => {
    const ephemeral = keyPairFromPrivate(new Uint8Array(32).fill(0x42));
    const client = clientHello({ noiseKey: generateKeyPair() });
    const ours = readClientHello(client.clientHello, {
      staticKeyPair: serverStatic,
      certChain: chain,
      ephemeral,
    });
    const ref = new ReferenceServer(serverStatic, chain, ephemeral);
    expect(hex(ours.serverHello)).toBe(hex(ref.hello(client.clientHello)));
  });

  it('our chains verify with libsignal (an independent XEdDSA verifier)', () => {
    const pki = makePki();
    const c = baileysProto.CertChain.decode(pki.certChain);
    const inter = baileysProto.CertChain.NoiseCertificate.Details.decode(c.intermediate!.details!);
    const leaf = baileysProto.CertChain.NoiseCertificate.Details.decode(c.leaf!.details!);
    const v = (key: Uint8Array, msg: Uint8Array, sig: Uint8Array) => libsignalCurve.verifySignature(Buffer.from(key), Buffer.from(msg), Buffer.from(sig));
    expect(v(pki.root.public, c.intermediate!.details!, c.intermediate!.signature!)).toBe(true);
    expect(v(inter.key!, c.leaf!.details!, c.leaf!.signature!)).toBe(true);
    expect(v(pki.intermediate.public, c.intermediate!.details!, c.intermediate!.signature!)).toBe(false);
    // Baileys compares issuerSerial with ===: it must be on the wire even when 0.
    expect(inter.issuerSerial).toBe(0);
    expect(leaf.issuerSerial).toBe(inter.serial);
    expect(hex(leaf.key!)).toBe(hex(pki.serverStatic.public));
  });
});

describe("Baileys' client with our server role", () => {
  const pki = makePki();
  const saved = { ...WA_CERT_DETAILS };
  beforeEach(() => {
    // The handshake reads this object at call time (baileys-server-notes §1.6).
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(pki.root.public);
  });
  afterEach(() => Object.assign(WA_CERT_DETAILS, saved));

  async function connect(routingInfo?: Buffer, ephemeral = Curve.generateKeyPair(), noiseKey = Curve.generateKeyPair()) {
    const noise: NoiseHandler = makeNoiseHandler({ keyPair: ephemeral, NOISE_HEADER: Buffer.from([0x57, 0x41, 6, 3]), logger, routingInfo });
    const serverIn = new FrameDecoder({ intro: true });
    const helloBytes = baileysProto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish();
    const [helloFrame] = serverIn.push(noise.encodeFrame(helloBytes));
    const server = readClientHello(helloFrame!, { staticKeyPair: pki.serverStatic, certChain: pki.certChain });
    const frames: Uint8Array[] = [];
    await noise.decodeFrame(Buffer.from(encodeFrame(server.serverHello)), (f) => frames.push(f as Uint8Array));
    const keyEnc = noise.processHandshake(baileysProto.HandshakeMessage.decode(frames[0]!), noiseKey);
    const payloadEnc = noise.encrypt(Buffer.from(PAYLOAD));
    const finishWire = noise.encodeFrame(baileysProto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: payloadEnc } }).finish());
    await noise.finishInit();
    const [finishFrame] = serverIn.push(finishWire);
    const result: ServerHandshakeResult = readClientFinish(server.state, finishFrame!);
    return { noise, noiseKey, serverIn, result };
  }

  it('completes the handshake and delivers the payload and noise key', async () => {
    const { noiseKey, result, serverIn } = await connect();
    expect(hex(result.clientPayload)).toBe(hex(PAYLOAD));
    expect(hex(result.clientStatic)).toBe(hex(noiseKey.public));
    expect(serverIn.routingInfo).toBeUndefined();
  });

  it('accepts the ED routing-info intro', async () => {
    const { result, serverIn } = await connect(Buffer.from('edge-routing-token'));
    expect(hex(result.clientPayload)).toBe(hex(PAYLOAD));
    expect(Buffer.from(serverIn.routingInfo!).toString()).toBe('edge-routing-token');
  });

  it('exchanges binary nodes both ways, chunked arbitrarily', async () => {
    const { noise, result, serverIn } = await connect();
    const r = rng(99);
    for (let i = 0; i < 40; i++) {
      const node: BinaryNode = { tag: 'iq', attrs: { id: `id-${i}`, type: 'get', xmlns: 'w:p' }, content: Buffer.from(r.bytes(r.int(2000))) };
      // Baileys → our server, its WS message cut into pieces.
      const wire = noise.encodeFrame(encodeBinaryNode(node));
      const cuts = [r.int(wire.length + 1), r.int(wire.length + 1)];
      const frames = chunkAt(wire, cuts).flatMap((c) => serverIn.push(c));
      expect(frames).toHaveLength(1);
      expect(hex(result.transport.decrypt(frames[0]!))).toBe(hex(encodeBinaryNode(node)));
      // Our server → Baileys.
      const got: BinaryNode[] = [];
      await noise.decodeFrame(Buffer.from(result.transport.encryptFrame(encodeBinaryNode(node))), (f) => got.push(f as BinaryNode));
      expect(got).toHaveLength(1);
      expect(got[0]!.attrs).toEqual(node.attrs);
      expect(hex(got[0]!.content as Uint8Array)).toBe(hex(node.content as Uint8Array));
    }
  });

  it("our client's ClientFinish is byte-identical to Baileys' for the same keys", async () => {
    const ephemeral = keyPairFromPrivate(new Uint8Array(32).fill(0x31));
    const noiseKey = keyPairFromPrivate(new Uint8Array(32).fill(0x32));
    const serverEphemeral = keyPairFromPrivate(new Uint8Array(32).fill(0x33));
    const ours = clientHello({ noiseKey, ephemeral, prologue: encodeIntro() });
    const server = readClientHello(ours.clientHello, { staticKeyPair: pki.serverStatic, certChain: pki.certChain, ephemeral: serverEphemeral });
    const done = readServerHello(ours.state, server.serverHello, { clientPayload: PAYLOAD, rootPublicKey: pki.root.public });

    const noise = makeNoiseHandler({ keyPair: { public: Buffer.from(ephemeral.public), private: Buffer.from(ephemeral.private) }, NOISE_HEADER: Buffer.from(encodeIntro()), logger });
    const keyEnc = noise.processHandshake(baileysProto.HandshakeMessage.decode(server.serverHello), {
      public: Buffer.from(noiseKey.public),
      private: Buffer.from(noiseKey.private),
    });
    const theirs = baileysProto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: noise.encrypt(Buffer.from(PAYLOAD)) } }).finish();
    expect(hex(done.clientFinish)).toBe(hex(theirs));
    await noise.finishInit();
    // Same transport keys and counters: the same plaintext encrypts identically.
    // (Baileys' first encodeFrame carries the intro: nothing was sent through it yet.)
    const frame = noise.encodeFrame(Buffer.from('after the handshake'));
    expect(hex(frame.subarray(0, 4))).toBe('57410603');
    expect(hex(frame.subarray(4))).toBe(hex(done.transport.encryptFrame(new TextEncoder().encode('after the handshake'))));
  });

  it('decodeBinaryNode round-trips what our server encrypts (sanity of the oracle)', async () => {
    const node: BinaryNode = { tag: 'success', attrs: { t: '1700000000' } };
    expect((await decodeBinaryNode(encodeBinaryNode(node))).tag).toBe('success');
  });
});
