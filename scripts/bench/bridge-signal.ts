// whatsapp-rust-bridge (whatsapp-rust's Signal code compiled to WASM, the engine
// Baileys is moving to) driven the way Baileys drives it, for the Signal
// benchmarks. Records are bytes between calls: `loadSession`/`loadSenderKey`
// hand the bridge stored bytes and `storeSessionRaw`/`storeSenderKey` receive
// bytes back, so the bridge parses and serialises a record on every call, as
// wad does when it loads from and saves to its store.
//
// Its fastest setting otherwise: one SessionCipher/GroupCipher per peer, made
// once and reused. A cipher made per call and left to the garbage collector
// halves its throughput (its WASM memory is only released by finalizers).
import * as bridge from 'whatsapp-rust-bridge';

const GROUP = '120363000000000000@g.us';

/** One device: its keys and a byte store of its sessions and sender keys. */
export class BridgeDevice {
  readonly identity = bridge.generateIdentityKeyPair();
  readonly registrationId = bridge.generateRegistrationId();
  readonly signed = bridge.generateSignedPreKey(this.identity, 1);
  readonly preKeys = new Map<number, bridge.KeyPair>();
  readonly sessions = new Map<string, Uint8Array>();
  readonly senderKeys = new Map<string, Uint8Array>();
  readonly storage: bridge.SignalStorage & { storeSessionRaw(address: string, record: Uint8Array): void } = {
    loadSession: (address) => this.sessions.get(address),
    storeSession: (address, record) => void this.sessions.set(address, record.serialize()),
    storeSessionRaw: (address, record) => void this.sessions.set(address, record),
    getOurIdentity: () => this.identity,
    getOurRegistrationId: () => this.registrationId,
    isTrustedIdentity: () => true,
    loadPreKey: (id) => this.preKeys.get(id),
    removePreKey: (id) => void this.preKeys.delete(id),
    loadSignedPreKey: () => this.signed,
    loadSenderKey: (id) => this.senderKeys.get(id),
    storeSenderKey: (id, record) => void this.senderKeys.set(id, record),
  };

  bundle(keyId: number): bridge.PreKeyBundleInput {
    const pre = bridge.generatePreKey(keyId);
    this.preKeys.set(keyId, pre.keyPair);
    return {
      registrationId: this.registrationId,
      identityKey: this.identity.pubKey,
      signedPreKey: { keyId: 1, publicKey: this.signed.keyPair.pubKey, signature: this.signed.signature },
      preKey: { keyId, publicKey: pre.keyPair.pubKey },
    };
  }
}

const PEER_A = new bridge.ProtocolAddress('15550001111', 0);
const PEER_B = new bridge.ProtocolAddress('15550002222', 0);

/** Two bridge devices with a session from A's side (A has not sent yet). */
export async function bridgePair(): Promise<{ roundTrip: (plaintext: Uint8Array) => Promise<void> }> {
  const [a, b] = [new BridgeDevice(), new BridgeDevice()];
  await new bridge.SessionBuilder(a.storage, PEER_B).initOutgoing(b.bundle(1));
  const [aToB, bToA] = [new bridge.SessionCipher(a.storage, PEER_B), new bridge.SessionCipher(b.storage, PEER_A)];
  const send = async (from: bridge.SessionCipher, to: bridge.SessionCipher, plaintext: Uint8Array) => {
    const { type, body } = await from.encrypt(plaintext);
    await (type === 3 ? to.decryptPreKeyWhisperMessage(body) : to.decryptWhisperMessage(body));
  };
  return {
    roundTrip: async (plaintext) => {
      await send(aToB, bToA, plaintext);
      await send(bToA, aToB, plaintext);
    },
  };
}

/** Session setup from a bundle (X3DH, signature check), the session stored as bytes. */
export function bridgeSetup(): () => Promise<void> {
  const a = new BridgeDevice();
  const bundle = new BridgeDevice().bundle(1);
  const builder = new bridge.SessionBuilder(a.storage, PEER_B);
  return () => builder.initOutgoing(bundle);
}

/** A group sender (its sender key record as bytes) and ways to receive its messages. */
export class BridgeGroupSender {
  readonly #device = new BridgeDevice();
  readonly #name = new bridge.SenderKeyName(GROUP, PEER_A);
  readonly #cipher = new bridge.GroupCipher(this.#device.storage, GROUP, PEER_A);
  distribution: Uint8Array = new Uint8Array(0);

  async init(): Promise<this> {
    this.distribution = (await new bridge.GroupSessionBuilder(this.#device.storage).create(this.#name)).serialize();
    return this;
  }

  encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#cipher.encrypt(plaintext);
  }

  /** A fresh receiver of this sender's messages: `decrypt` one skmsg at a time. */
  async receiver(): Promise<{ decrypt: (skmsg: Uint8Array) => Promise<Uint8Array> }> {
    const device = new BridgeDevice();
    await new bridge.GroupSessionBuilder(device.storage).process(this.#name, bridge.SenderKeyDistributionMessage.deserialize(this.distribution));
    const cipher = new bridge.GroupCipher(device.storage, GROUP, PEER_A);
    return { decrypt: (skmsg) => cipher.decrypt(skmsg) };
  }
}

/** A fresh sender key and its distribution message (what a first group send starts with). */
export async function bridgeNewSenderKey(): Promise<Uint8Array> {
  return (await new BridgeGroupSender().init()).distribution;
}

export const bridgeSign = (privateKey: Uint8Array, message: Uint8Array): Uint8Array => bridge.calculateSignature(privateKey, message);
export const bridgeVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => bridge.verifySignature(publicKey, message, signature);
export const bridgeKeyPair = (): bridge.KeyPair => bridge.generateKeyPair();
