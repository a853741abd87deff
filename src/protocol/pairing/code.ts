/**
 * The companion's crypto of "link with phone number" (pairing code), the
 * mirror of the phone's side (WhatsApp Web; Baileys' requestPairingCode and
 * its link_code_companion_reg handler):
 *
 * 1. The code: 8 Crockford base32 characters from 5 random bytes.
 * 2. companion_hello carries salt(32) ‖ iv(16) ‖ AES-256-CTR(K, iv, E.pub),
 *    K = PBKDF2-SHA256(code, salt, 131072 iterations, 32 bytes), E our pairing ephemeral key.
 * 3. The phone's notification carries its identity I.pub and salt ‖ iv ‖ CTR(K', P.pub).
 * 4. companion_finish: salt'(32) ‖ iv(12) ‖ AES-GCM(HKDF(DH(E, P), salt',
 *    'link_code_pairing_key_bundle_encryption_key'), ourIdentity ‖ I.pub ‖ random(32)),
 *    and advSecret = HKDF(DH(E, P) ‖ DH(ourIdentity, I) ‖ random, 'adv_secret').
 *
 * PBKDF2 is the only slow step (~50–100 ms): the runtime derives K with the
 * asynchronous node:crypto call off the event loop and passes the key in;
 * derivePairingCodeKeySync is for tests. The seeds' page says 2^16
 * iterations; Baileys and the simulator's phone use 2 << 16 = 131072, so do we.
 */
import { pbkdf2Sync } from 'node:crypto';
import { aesCtr, aesGcmEncrypt, hkdf, sharedSecret, type KeyPair } from '../crypto/index.js';
import { PairingError } from './errors.js';

export const CROCKFORD_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';
export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_CODE_ITERATIONS = 131072;
export const PAIRING_CODE_KEY_LENGTH = 32;
/** How long the phone accepts a code (WhatsApp: about three minutes). */
export const PAIRING_CODE_TTL_MS = 180_000;
const BUNDLE_INFO = 'link_code_pairing_key_bundle_encryption_key';
const ADV_INFO = 'adv_secret';
const WRAPPED_LENGTH = 80;

/** Crockford base32 without padding, most significant bits first (Baileys' bytesToCrockford). */
export function bytesToCrockford(bytes: Uint8Array): string {
  let value = 0;
  let bits = 0;
  let out = '';
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A fresh code from 5 random bytes (40 bits → exactly 8 characters). */
export function newPairingCode(random5: Uint8Array): string {
  if (random5.length !== 5) throw new RangeError('a pairing code is made from 5 random bytes');
  return bytesToCrockford(random5);
}

/**
 * A code as the user may type it (lower case, "ABCD-1234") in the form the
 * key derivation uses. @throws PairingError BAD_CODE
 */
export function normalizePairingCode(code: string): string {
  const c = code.trim().replace('-', '').toUpperCase();
  if (c.length !== PAIRING_CODE_LENGTH || [...c].some((ch) => !CROCKFORD_ALPHABET.includes(ch))) {
    throw new PairingError('BAD_CODE', 'a pairing code is 8 characters of 1-9 and A-Z without I, O and U');
  }
  return c;
}

/** Phone number digits as the hello needs them (E.164 without '+'). @throws PairingError BAD_CODE */
export function normalizePhoneNumber(phone: string): string {
  const digits = phone.replace(/[^0-9]/g, '');
  if (digits.length < 7 || digits.length > 15 || digits.startsWith('0')) {
    throw new PairingError('BAD_CODE', 'the phone number must be 7 to 15 digits in international format, without a leading 0');
  }
  return digits;
}

/** K = PBKDF2-SHA256(code, salt, 131072, 32), synchronously (tests; the runtime uses the async call). */
export function derivePairingCodeKeySync(code: string, salt: Uint8Array): Uint8Array {
  return new Uint8Array(pbkdf2Sync(Buffer.from(code, 'utf8'), salt, PAIRING_CODE_ITERATIONS, PAIRING_CODE_KEY_LENGTH, 'sha256'));
}

/** salt ‖ iv ‖ AES-CTR(key, iv, pub): our ephemeral pub for companion_hello. `key` was derived from `salt`. */
export function wrapEphemeralPub(key: Uint8Array, salt: Uint8Array, iv: Uint8Array, pub: Uint8Array): Uint8Array {
  if (salt.length !== 32 || iv.length !== 16 || pub.length !== 32) throw new RangeError('wrap needs salt(32), iv(16), pub(32)');
  const out = new Uint8Array(WRAPPED_LENGTH);
  out.set(salt, 0);
  out.set(iv, 32);
  out.set(aesCtr(key, iv, pub), 48);
  return out;
}

/** The salt a wrapped pub was made with (derive its key from it, then unwrapEphemeralPub). @throws PairingError MALFORMED */
export function wrappedSalt(wrapped: Uint8Array): Uint8Array {
  if (wrapped.length < WRAPPED_LENGTH) throw new PairingError('MALFORMED', `wrapped ephemeral key is ${wrapped.length} bytes, want ${WRAPPED_LENGTH}`);
  return wrapped.subarray(0, 32);
}

/** The phone's ephemeral pub from its notification, with the key derived from wrappedSalt(wrapped). @throws PairingError MALFORMED */
export function unwrapEphemeralPub(key: Uint8Array, wrapped: Uint8Array): Uint8Array {
  wrappedSalt(wrapped);
  return aesCtr(key, wrapped.subarray(32, 48), wrapped.subarray(48, 80));
}

export interface CompanionFinishInput {
  readonly pairingEphemeral: KeyPair;
  readonly identity: KeyPair;
  readonly primaryIdentityPub: Uint8Array;
  readonly primaryEphemeralPub: Uint8Array;
  /** 32 random bytes each: the bundle's secret, the bundle key's salt; and the 12-byte GCM iv. */
  readonly random: Uint8Array;
  readonly salt: Uint8Array;
  readonly iv: Uint8Array;
}

export interface CompanionFinish {
  /** Content of <link_code_pairing_wrapped_key_bundle>. */
  readonly wrappedKeyBundle: Uint8Array;
  /** The new ADV secret: the pair-success HMAC key from now on. */
  readonly advSecret: Uint8Array;
}

/** Step 4. @throws PairingError BAD_KEY when the phone's keys are not usable X25519 keys (a mistyped code) */
export function companionFinish(f: CompanionFinishInput): CompanionFinish {
  let ephemeralShared: Uint8Array;
  let identityShared: Uint8Array;
  try {
    ephemeralShared = sharedSecret(f.pairingEphemeral.private, f.primaryEphemeralPub);
    identityShared = sharedSecret(f.identity.private, f.primaryIdentityPub);
  } catch (cause) {
    throw new PairingError('BAD_KEY', 'the phone sent an unusable key (mistyped pairing code?)', { cause });
  }
  const bundleKey = hkdf(ephemeralShared, 32, { salt: f.salt, info: BUNDLE_INFO });
  const sealed = aesGcmEncrypt(bundleKey, f.iv, Buffer.concat([f.identity.public, f.primaryIdentityPub, f.random]));
  const wrappedKeyBundle = Buffer.concat([f.salt, f.iv, sealed]);
  const advSecret = hkdf(Buffer.concat([ephemeralShared, identityShared, f.random]), 32, { info: ADV_INFO });
  return { wrappedKeyBundle: new Uint8Array(wrappedKeyBundle), advSecret };
}
