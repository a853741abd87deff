/**
 * The phone's (device 0's) long-term key material: the Signal identity (which
 * is also the ADV account key: a WhatsApp primary signs its companions with its
 * identity key), the registration id, one signed prekey and a pool of one-time
 * prekeys whose public halves the server hands to companions and peers.
 *
 * Owns generation, lookup/consumption and (de)serialisation of these keys. It
 * does not hold sessions and does not talk to the host: the phone uploads
 * what `preKeyUpload()` returns.
 */
import { randomBytes } from 'node:crypto';
import { generateKeyPair, keyPairFromPrivate, toSignalPublicKey, xeddsaSign, type KeyPair } from '../../protocol/crypto/index.js';
import type { PreKeyUpload } from '../phone-host.js';

/** How many one-time prekeys the phone keeps on the server; refilled below LOW_WATER. */
export const PREKEY_BATCH = 30;
export const PREKEY_LOW_WATER = 5;
/** Prekey ids are 24-bit on the wire (3-byte BE); they wrap after this. */
const MAX_PREKEY_ID = 0xffffff;

export interface SignedPreKey {
  keyId: number;
  keyPair: KeyPair;
  /** XEdDSA(identity, 0x05 ‖ public). */
  signature: Uint8Array;
}

/** JSON form for SimPhoneApi.snapshot(); keys are base64. */
export interface PhoneKeysJson {
  identityPrivate: string;
  registrationId: number;
  advRawId: number;
  signedPreKey: { keyId: number; private: string; signature: string };
  preKeys: Array<[number, string]>;
  nextPreKeyId: number;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** ADVDeviceIdentity.rawId: names the account's ADV identity; a random non-zero uint32. */
function newAdvRawId(): number {
  return randomBytes(4).readUInt32BE(0) || 1;
}

/** 14-bit like libsignal's generateRegistrationId, never 0. */
function newRegistrationId(): number {
  return (randomBytes(2).readUInt16BE(0) & 0x3fff) || 1;
}

function signPreKey(identity: KeyPair, keyId: number, keyPair: KeyPair): SignedPreKey {
  return { keyId, keyPair, signature: xeddsaSign(identity.private, toSignalPublicKey(keyPair.public)) };
}

export class PhoneKeys {
  readonly identity: KeyPair;
  readonly registrationId: number;
  /** The ADV raw id in every device identity and key index list this phone signs. */
  readonly advRawId: number;
  readonly signedPreKey: SignedPreKey;
  readonly #preKeys: Map<number, KeyPair>;
  #nextPreKeyId: number;

  private constructor(
    identity: KeyPair,
    registrationId: number,
    advRawId: number,
    signedPreKey: SignedPreKey,
    preKeys: Map<number, KeyPair>,
    nextPreKeyId: number,
  ) {
    this.identity = identity;
    this.registrationId = registrationId;
    this.advRawId = advRawId;
    this.signedPreKey = signedPreKey;
    this.#preKeys = preKeys;
    this.#nextPreKeyId = nextPreKeyId;
  }

  /** Fresh keys; the one-time prekey pool starts empty (call mintPreKeys). */
  static generate(): PhoneKeys {
    const identity = generateKeyPair();
    return new PhoneKeys(identity, newRegistrationId(), newAdvRawId(), signPreKey(identity, 1, generateKeyPair()), new Map(), 1);
  }

  /** @throws TypeError on a value that is not a PhoneKeysJson */
  static fromJSON(json: PhoneKeysJson): PhoneKeys {
    if (!json || typeof json.identityPrivate !== 'string' || !json.signedPreKey || !Array.isArray(json.preKeys)) {
      throw new TypeError('not a phone key snapshot');
    }
    const identity = keyPairFromPrivate(unb64(json.identityPrivate));
    const spk: SignedPreKey = {
      keyId: json.signedPreKey.keyId,
      keyPair: keyPairFromPrivate(unb64(json.signedPreKey.private)),
      signature: unb64(json.signedPreKey.signature),
    };
    const pre = new Map<number, KeyPair>(json.preKeys.map(([id, priv]) => [id, keyPairFromPrivate(unb64(priv))]));
    return new PhoneKeys(identity, json.registrationId, json.advRawId, spk, pre, json.nextPreKeyId);
  }

  toJSON(): PhoneKeysJson {
    return {
      identityPrivate: b64(this.identity.private),
      registrationId: this.registrationId,
      advRawId: this.advRawId,
      signedPreKey: { keyId: this.signedPreKey.keyId, private: b64(this.signedPreKey.keyPair.private), signature: b64(this.signedPreKey.signature) },
      preKeys: [...this.#preKeys].map(([id, kp]) => [id, b64(kp.private)]),
      nextPreKeyId: this.#nextPreKeyId,
    };
  }

  /** Number of one-time prekeys not yet consumed by an incoming pkmsg. */
  get preKeyCount(): number {
    return this.#preKeys.size;
  }

  preKey(keyId: number): KeyPair | undefined {
    return this.#preKeys.get(keyId);
  }

  /** Forgets a one-time prekey once a pkmsg used it (a replay must then fail). */
  consumePreKey(keyId: number): void {
    this.#preKeys.delete(keyId);
  }

  /** Makes `count` new one-time prekeys and returns the upload carrying just those. */
  mintPreKeys(count: number = PREKEY_BATCH): PreKeyUpload {
    const minted: Array<{ keyId: number; publicKey: Uint8Array }> = [];
    for (let i = 0; i < count; i++) {
      const keyId = this.#nextPreKeyId;
      this.#nextPreKeyId = keyId >= MAX_PREKEY_ID ? 1 : keyId + 1;
      const kp = generateKeyPair();
      this.#preKeys.set(keyId, kp);
      minted.push({ keyId, publicKey: kp.public });
    }
    return {
      registrationId: this.registrationId,
      identityKey: this.identity.public,
      signedPreKey: { keyId: this.signedPreKey.keyId, publicKey: this.signedPreKey.keyPair.public, signature: this.signedPreKey.signature },
      preKeys: minted,
    };
  }
}
