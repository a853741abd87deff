/**
 * A bare WhatsApp client for wire-level simulator tests, built on our own
 * protocol core: WebSocket + Noise client role (which verifies the server's
 * certificate chain against the simulator's root key) + binary nodes. It can
 * register (devicePairingData), log in as a known device, send nodes or raw
 * bytes, and await nodes. Test support only.
 */
import { WebSocket } from 'ws';
import { decodeNode, encodeNode, type BinaryNode } from '../../src/protocol/binary/index.js';
import { generateKeyPair, xeddsaSign, type KeyPair } from '../../src/protocol/crypto/index.js';
import {
  FrameDecoder,
  clientHello,
  encodeFrame,
  encodeIntro,
  readServerHello,
  type ClientHandshakeResult,
  type NoiseTransport,
} from '../../src/protocol/noise/index.js';
import { proto } from '../../src/protocol/proto/index.js';

export interface RawIdentity {
  noise: KeyPair;
  identity: KeyPair;
  signedPreKey: KeyPair;
  signedPreKeySig: Uint8Array;
  registrationId: number;
}

export function newIdentity(): RawIdentity {
  const identity = generateKeyPair();
  const signedPreKey = generateKeyPair();
  const signedPreKeySig = xeddsaSign(identity.private, Uint8Array.of(5, ...signedPreKey.public));
  return { noise: generateKeyPair(), identity, signedPreKey, signedPreKeySig, registrationId: 1 + Math.floor(Math.random() * 16000) };
}

export function registrationPayload(id: RawIdentity): Uint8Array {
  return proto.ClientPayload.encode({
    passive: false,
    connectType: 1,
    connectReason: 1,
    devicePairingData: {
      eRegid: be(id.registrationId, 4),
      eKeytype: Uint8Array.of(5),
      eIdent: id.identity.public,
      eSkeyId: be(1, 3),
      eSkeyVal: id.signedPreKey.public,
      eSkeySig: id.signedPreKeySig,
    },
  }).finish();
}

export function loginPayload(phone: string, device: number): Uint8Array {
  return proto.ClientPayload.encode({ username: Number(phone), device, passive: true, pull: true, connectType: 1, connectReason: 1 }).finish();
}

export class RawClient {
  readonly ws: WebSocket;
  readonly received: BinaryNode[] = [];
  handshake: ClientHandshakeResult | undefined;
  closed = false;
  #transport: NoiseTransport | undefined;
  #waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    ws.on('error', () => {});
  }

  /** Connects and completes the Noise handshake with the given ClientPayload. */
  static async connect(wsUrl: string, rootPublicKey: string, noise: KeyPair, payload: Uint8Array): Promise<RawClient> {
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new RawClient(ws);
    const decoder = new FrameDecoder();
    const hello = clientHello({ noiseKey: noise });
    const serverHello = new Promise<Uint8Array>((resolve) => {
      ws.on('message', (data: Buffer) => {
        for (const frame of decoder.push(new Uint8Array(data))) {
          if (!client.#transport) resolve(frame);
          else client.#onFrame(frame);
        }
      });
    });
    ws.send(encodeFrame(hello.clientHello, { intro: encodeIntro() }));
    client.handshake = readServerHello(hello.state, await serverHello, {
      clientPayload: payload,
      rootPublicKey: new Uint8Array(Buffer.from(rootPublicKey, 'hex')),
    });
    client.#transport = client.handshake.transport;
    ws.send(encodeFrame(client.handshake.clientFinish));
    return client;
  }

  send(node: BinaryNode): void {
    this.ws.send(this.#transport!.encryptFrame(encodeNode(node)));
  }

  /** Encrypts arbitrary plaintext as one frame (for malformed-stanza tests). */
  sendPlain(bytes: Uint8Array): void {
    this.ws.send(this.#transport!.encryptFrame(bytes));
  }

  async waitFor(pred: (n: BinaryNode) => boolean, what: string, timeoutMs = 10_000): Promise<BinaryNode> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      if (this.closed) throw new Error(`closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for close');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends an IQ and waits for its answer. */
  async iq(node: BinaryNode): Promise<BinaryNode> {
    this.send(node);
    return this.waitFor((n) => n.tag === 'iq' && n.attrs.id === node.attrs.id && (n.attrs.type === 'result' || n.attrs.type === 'error'), `iq ${node.attrs.id}`);
  }

  close(): void {
    this.ws.terminate();
  }

  #onFrame(frame: Uint8Array): void {
    this.received.push(decodeNode(this.#transport!.decrypt(frame)));
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}

function be(n: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = n & 0xff;
    n >>>= 8;
  }
  return out;
}

export interface LinkedRaw {
  client: RawClient;
  id: RawIdentity;
  deviceJid: string;
  /** The pair-success `<device-identity>` bytes (ADVSignedDeviceIdentityHMAC) as the server sent them. */
  pairSuccessIdentity: Uint8Array;
  advSecret: Uint8Array;
}

/**
 * Registers a raw companion, has the phone scan its QR through the admin API,
 * answers pair-success like a real companion (optionally with a broken
 * device signature), and — when linking succeeded — logs in again.
 */
export async function linkRaw(
  sim: { wsUrl: string; adminUrl: string; rootPublicKey: string },
  phone: string,
  opts: { breakSignature?: boolean } = {},
): Promise<LinkedRaw> {
  const { xeddsaSign: sign, hmacSha256 } = await import('../../src/protocol/crypto/index.js');
  const { randomBytes } = await import('node:crypto');
  const id = newIdentity();
  const reg = await RawClient.connect(sim.wsUrl, sim.rootPublicKey, id.noise, registrationPayload(id));
  const pairDevice = await reg.waitFor((n) => n.tag === 'iq' && childTag(n, 'pair-device') !== undefined, 'pair-device');
  reg.send({ tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'result', id: pairDevice.attrs.id! } });
  const firstRef = Buffer.from(kids(childTag(pairDevice, 'pair-device')!)[0]!.content as Uint8Array).toString('utf8');
  const advSecret = new Uint8Array(randomBytes(32));
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
  const qr = `https://wa.me/settings/linked_devices#${[firstRef, b64(id.noise.public), b64(id.identity.public), b64(advSecret), '1'].join(',')}`;
  const linked = fetch(`${sim.adminUrl}/phones/${phone}/link`, { method: 'POST', body: JSON.stringify({ qr }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { jid?: string } }));

  const ps = await reg.waitFor((n) => n.tag === 'iq' && childTag(n, 'pair-success') !== undefined, 'pair-success');
  const success = childTag(ps, 'pair-success')!;
  const pairSuccessIdentity = childTag(success, 'device-identity')!.content as Uint8Array;
  const deviceJid = childTag(success, 'device')!.attrs.jid!;
  const hmacd = proto.ADVSignedDeviceIdentityHMAC.decode(pairSuccessIdentity);
  if (Buffer.compare(Buffer.from(hmacSha256(advSecret, hmacd.details!)), Buffer.from(hmacd.hmac!)) !== 0) throw new Error('pair-success HMAC does not verify');
  const signed = proto.ADVSignedDeviceIdentity.decode(hmacd.details!);
  const keyIndex = proto.ADVDeviceIdentity.decode(signed.details!).keyIndex ?? 0;
  const msg = Buffer.concat([Uint8Array.of(6, 1), signed.details!, id.identity.public, signed.accountSignatureKey!]);
  const deviceSignature = opts.breakSignature ? new Uint8Array(64) : sign(id.identity.private, msg);
  const reply = proto.ADVSignedDeviceIdentity.encode({ details: signed.details!, accountSignature: signed.accountSignature!, deviceSignature }).finish();
  reg.send({
    tag: 'iq',
    attrs: { to: '@s.whatsapp.net', type: 'result', id: ps.attrs.id! },
    content: [{ tag: 'pair-device-sign', attrs: {}, content: [{ tag: 'device-identity', attrs: { 'key-index': String(keyIndex) }, content: reply }] }],
  });
  await reg.waitClosed();
  const result = await linked;
  if (result.status !== 200) {
    return { client: reg, id, deviceJid, pairSuccessIdentity, advSecret };
  }
  const [user, dev] = deviceJid.split('@')[0]!.split(':') as [string, string];
  const client = await RawClient.connect(sim.wsUrl, sim.rootPublicKey, id.noise, loginPayload(user, Number(dev)));
  await client.waitFor((n) => n.tag === 'success', 'success');
  return { client, id, deviceJid, pairSuccessIdentity, advSecret };
}

export function kids(n: BinaryNode | undefined): BinaryNode[] {
  return n && Array.isArray(n.content) ? n.content : [];
}

export function childTag(n: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return kids(n).find((c) => c.tag === tag);
}
