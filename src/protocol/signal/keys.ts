/**
 * Our long-term Signal keys: identity key pair, registration id, signed prekey
 * and one-time prekeys, made the way libsignal and WhatsApp make them. Pure
 * apart from drawing randomness (node:crypto); storing keys is the caller's job.
 */
import { randomBytes } from 'node:crypto';
import { generateKeyPair, toSignalPublicKey, xeddsaSign, xeddsaVerify, type KeyPair } from '../crypto/curve25519.js';

export interface SignedPreKey {
  readonly keyId: number;
  readonly keyPair: KeyPair;
  /** XEdDSA signature by the identity key over the 33-byte (0x05-prefixed) public key. */
  readonly signature: Uint8Array;
}

export interface PreKey {
  readonly keyId: number;
  readonly keyPair: KeyPair;
}

/** Prekey ids are 24-bit on the wire (WhatsApp sends them in 3 bytes); 0 is never used. */
export const MAX_PREKEY_ID = 0xffffff;

export function generateIdentityKeyPair(): KeyPair {
  return generateKeyPair();
}

/** A random registration id in 1..16383 (14 bits, like libsignal; 0 is left out as "unknown"). */
export function generateRegistrationId(random: () => Uint8Array = () => randomBytes(2)): number {
  for (;;) {
    const b = random();
    const id = ((b[0]! << 8) | b[1]!) & 0x3fff;
    if (id !== 0) return id;
  }
}

export function generateSignedPreKey(identity: KeyPair, keyId: number): SignedPreKey {
  checkKeyId(keyId);
  const keyPair = generateKeyPair();
  return { keyId, keyPair, signature: xeddsaSign(identity.private, toSignalPublicKey(keyPair.public)) };
}

/** True when `signature` is the identity key's signature over the signed prekey's public key. */
export function verifySignedPreKey(identityKey: Uint8Array, signedPreKey: Uint8Array, signature: Uint8Array): boolean {
  return xeddsaVerify(identityKey, toSignalPublicKey(signedPreKey), signature);
}

/**
 * `count` one-time prekeys with consecutive ids from `start`, wrapping from
 * MAX_PREKEY_ID - 1 back to 1 (libsignal's KeyHelper.generatePreKeys).
 */
export function generatePreKeys(start: number, count: number): PreKey[] {
  if (!Number.isInteger(start) || start < 1 || start >= MAX_PREKEY_ID) throw new RangeError(`prekey start id ${start} is not in 1..${MAX_PREKEY_ID - 1}`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`prekey count ${count} is not a count`);
  const out: PreKey[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ keyId: ((start - 1 + i) % (MAX_PREKEY_ID - 1)) + 1, keyPair: generateKeyPair() });
  }
  return out;
}

function checkKeyId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_PREKEY_ID) throw new RangeError(`prekey id ${id} is not in 0..${MAX_PREKEY_ID}`);
}
