// Test peers for differential Signal tests: one backed by libsignal-node 6.0.0
// (the oracle, driven the way Baileys drives it), one by our pure functions.
// Both expose the same small async surface so a conversation can pair any two.
import { createRequire } from 'node:module';
import {
  decryptMessage,
  deserializeSessionRecord,
  encryptMessage,
  generateIdentityKeyPair,
  generatePreKeys,
  generateRegistrationId,
  generateSignedPreKey,
  initSessionFromBundle,
  serializeSessionRecord,
  type KeyPair,
  type LocalIdentity,
  type MessageType,
  type PreKeyBundle,
  type SessionRecord,
  type SignedPreKey,
} from '../../../src/protocol/signal/index.js';

const require = createRequire(import.meta.url);

export interface LibKeyPair {
  pubKey: Buffer;
  privKey: Buffer;
}

/** The device object libsignal's SessionBuilder.initOutgoing takes (Baileys' E2ESession). */
export interface LibDevice {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKey?: { keyId: number; publicKey: Buffer };
}

interface LibStorage {
  loadSession(id: string): Promise<unknown>;
  storeSession(id: string, record: unknown): Promise<void>;
  isTrustedIdentity(): boolean;
  loadPreKey(id: number | string): Promise<LibKeyPair | undefined>;
  removePreKey(id: number): void;
  loadSignedPreKey(id: number): LibKeyPair | undefined;
  getOurRegistrationId(): number;
  getOurIdentity(): LibKeyPair;
}

interface LibCipher {
  encrypt(data: Buffer): Promise<{ type: number; body: Buffer }>;
  decryptPreKeyWhisperMessage(data: Buffer): Promise<Buffer>;
  decryptWhisperMessage(data: Buffer): Promise<Buffer>;
}

export interface Libsignal {
  keyhelper: {
    generateIdentityKeyPair(): LibKeyPair;
    generateRegistrationId(): number;
    generateSignedPreKey(identity: LibKeyPair, keyId: number): { keyId: number; keyPair: LibKeyPair; signature: Buffer };
    generatePreKey(keyId: number): { keyId: number; keyPair: LibKeyPair };
  };
  ProtocolAddress: new (id: string, deviceId: number) => object;
  SessionBuilder: new (storage: LibStorage, addr: object) => { initOutgoing(device: LibDevice): Promise<void> };
  SessionCipher: new (storage: LibStorage, addr: object) => LibCipher;
  SessionRecord: { deserialize(data: unknown): { serialize(): unknown } };
  SessionError: new (...args: unknown[]) => Error;
  MessageCounterError: new (...args: unknown[]) => Error;
}

export const libsignal = require('libsignal') as Libsignal;
export const libCurve = require('libsignal/src/curve.js') as {
  calculateSignature(priv: Buffer, msg: Buffer): Buffer;
  verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean;
  generateKeyPair(): LibKeyPair;
};

/** What a conversation needs from either side. */
export interface Peer {
  readonly name: string;
  /** A prekey bundle for the other side (raw-or-prefixed keys as the server sends them). */
  bundle(withPreKey: boolean): PreKeyBundle;
  startSession(bundle: PreKeyBundle): Promise<void>;
  encrypt(plaintext: Uint8Array): Promise<{ type: MessageType; ciphertext: Uint8Array }>;
  decrypt(type: MessageType, ciphertext: Uint8Array): Promise<Uint8Array>;
}

let nextPreKeyId = 1;

export class LibPeer implements Peer {
  readonly identity = libsignal.keyhelper.generateIdentityKeyPair();
  readonly registrationId = libsignal.keyhelper.generateRegistrationId();
  readonly signedPreKey = libsignal.keyhelper.generateSignedPreKey(this.identity, 3);
  readonly preKeys = new Map<number, LibKeyPair>();
  /** Records as JSON, as Baileys' key store holds them: every load is a fresh object. */
  readonly sessions = new Map<string, string>();
  readonly address = new libsignal.ProtocolAddress('peer', 0);
  readonly storage: LibStorage = {
    loadSession: async (id) => {
      const json = this.sessions.get(id);
      return json === undefined ? undefined : libsignal.SessionRecord.deserialize(JSON.parse(json));
    },
    storeSession: async (id, record) => void this.sessions.set(id, JSON.stringify(this.serializeRecord(record))),
    isTrustedIdentity: () => true,
    loadPreKey: async (id) => this.preKeys.get(Number(id)),
    removePreKey: (id) => void this.preKeys.delete(id),
    loadSignedPreKey: (id) => (id === this.signedPreKey.keyId ? this.signedPreKey.keyPair : undefined),
    getOurRegistrationId: () => this.registrationId,
    getOurIdentity: () => this.identity,
  };

  constructor(readonly name = 'libsignal') {}

  private serializeRecord(record: unknown): unknown {
    return (record as { serialize(): unknown }).serialize();
  }

  /** The stored record's JSON form (libsignal's `_sessions` keyed by base key). */
  storedRecord(): { _sessions: Record<string, { _chains: Record<string, unknown> }> } {
    return JSON.parse(this.sessions.get(this.address.toString()) ?? '{"_sessions":{}}');
  }

  bundle(withPreKey: boolean): PreKeyBundle {
    let preKey: PreKeyBundle['preKey'];
    if (withPreKey) {
      const k = libsignal.keyhelper.generatePreKey(nextPreKeyId++);
      this.preKeys.set(k.keyId, k.keyPair);
      preKey = { keyId: k.keyId, publicKey: k.keyPair.pubKey };
    }
    return {
      registrationId: this.registrationId,
      identityKey: this.identity.pubKey,
      signedPreKey: { keyId: this.signedPreKey.keyId, publicKey: this.signedPreKey.keyPair.pubKey, signature: this.signedPreKey.signature },
      preKey,
    };
  }

  async startSession(bundle: PreKeyBundle): Promise<void> {
    const b = Buffer.from;
    await new libsignal.SessionBuilder(this.storage, this.address).initOutgoing({
      registrationId: bundle.registrationId,
      identityKey: b(prefixed(bundle.identityKey)),
      signedPreKey: {
        keyId: bundle.signedPreKey.keyId,
        publicKey: b(prefixed(bundle.signedPreKey.publicKey)),
        signature: b(bundle.signedPreKey.signature),
      },
      ...(bundle.preKey ? { preKey: { keyId: bundle.preKey.keyId, publicKey: b(prefixed(bundle.preKey.publicKey)) } } : {}),
    });
  }

  async encrypt(plaintext: Uint8Array): Promise<{ type: MessageType; ciphertext: Uint8Array }> {
    const { type, body } = await new libsignal.SessionCipher(this.storage, this.address).encrypt(Buffer.from(plaintext));
    return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: new Uint8Array(body) };
  }

  async decrypt(type: MessageType, ciphertext: Uint8Array): Promise<Uint8Array> {
    const cipher = new libsignal.SessionCipher(this.storage, this.address);
    const data = Buffer.from(ciphertext);
    return new Uint8Array(type === 'pkmsg' ? await cipher.decryptPreKeyWhisperMessage(data) : await cipher.decryptWhisperMessage(data));
  }
}

export class OurPeer implements Peer {
  readonly local: LocalIdentity = { identityKey: generateIdentityKeyPair(), registrationId: generateRegistrationId() };
  readonly signedPreKey: SignedPreKey = generateSignedPreKey(this.local.identityKey, 5);
  readonly preKeys = new Map<number, KeyPair>();
  record: SessionRecord | undefined;

  constructor(readonly name = 'wad') {}

  bundle(withPreKey: boolean): PreKeyBundle {
    let preKey: PreKeyBundle['preKey'];
    if (withPreKey) {
      const [k] = generatePreKeys(nextPreKeyId++, 1);
      this.preKeys.set(k!.keyId, k!.keyPair);
      preKey = { keyId: k!.keyId, publicKey: k!.keyPair.public };
    }
    return {
      registrationId: this.local.registrationId,
      identityKey: this.local.identityKey.public,
      signedPreKey: { keyId: this.signedPreKey.keyId, publicKey: this.signedPreKey.keyPair.public, signature: this.signedPreKey.signature },
      preKey,
    };
  }

  async startSession(bundle: PreKeyBundle): Promise<void> {
    this.record = initSessionFromBundle(this.record, this.local, bundle).record;
  }

  async encrypt(plaintext: Uint8Array): Promise<{ type: MessageType; ciphertext: Uint8Array }> {
    const out = encryptMessage(this.record, this.local, plaintext);
    this.record = out.record;
    return out;
  }

  async decrypt(type: MessageType, ciphertext: Uint8Array): Promise<Uint8Array> {
    const out = decryptMessage(this.record, this.local, type, ciphertext, {
      preKey: (id) => this.preKeys.get(id),
      signedPreKey: (id) => (id === this.signedPreKey.keyId ? this.signedPreKey.keyPair : undefined),
    });
    this.record = out.record;
    if (out.usedPreKeyId !== undefined) this.preKeys.delete(out.usedPreKeyId);
    return out.plaintext;
  }

  /** The store's round trip: bytes out, bytes back in. */
  restore(): void {
    if (this.record) this.record = deserializeSessionRecord(serializeSessionRecord(this.record));
  }

  snapshot(): string {
    return this.record ? Buffer.from(serializeSessionRecord(this.record)).toString('hex') : '';
  }
}

function prefixed(key: Uint8Array): Uint8Array {
  if (key.length === 33) return key;
  const out = new Uint8Array(33);
  out[0] = 5;
  out.set(key, 1);
  return out;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
