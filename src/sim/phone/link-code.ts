/**
 * The phone's half of "link with phone number" (pairing code) crypto, the
 * mirror of Baileys' requestPairingCode / link_code_companion_reg handler:
 *
 * 1. companion_hello carries salt(32) ‖ iv(16) ‖ AES-256-CTR(PBKDF2(code, salt), iv, E_c.pub):
 *    the phone unwraps E_c.pub with the code the user typed.
 * 2. The phone makes an ephemeral P and wraps P.pub the same way for the
 *    link_code_companion_reg notification (with its identity pub I.pub).
 * 3. companion_finish carries salt(32) ‖ iv(12) ‖ AES-GCM(HKDF(DH(E_c, P), salt,
 *    'link_code_pairing_key_bundle_encryption_key'), companionIdentity ‖ I.pub ‖ random(32)).
 * 4. Both sides derive advSecret = HKDF(DH(E_c, P) ‖ DH(companionIdentity, I) ‖ random, 'adv_secret').
 *
 * Pure crypto only: no stanzas, no state between steps beyond what the caller keeps.
 * PBKDF2 runs 131072 iterations synchronously (~50–100 ms per call).
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import {
  aesCtr,
  aesGcmDecrypt,
  bytesEqual,
  generateKeyPair,
  hkdf,
  sharedSecret,
  type KeyPair,
} from '../../protocol/crypto/index.js';
import { PhoneError } from './errors.js';

/** 2 << 16, as WhatsApp Web (and Baileys) use. */
export const LINK_CODE_PBKDF2_ITERATIONS = 131072;
const BUNDLE_INFO = 'link_code_pairing_key_bundle_encryption_key';
const ADV_INFO = 'adv_secret';
const WRAPPED_PUB_LENGTH = 32 + 16 + 32;
const BUNDLE_PLAIN_LENGTH = 96;
const BUNDLE_LENGTH = 32 + 12 + BUNDLE_PLAIN_LENGTH + 16;

/**
 * The code as the companion used it for PBKDF2. WhatsApp shows it as
 * "ABCD-1234"; the dash is display only.
 * @throws PhoneError BAD_LINK_CODE unless 8 letters/digits (optionally split by one dash)
 */
export function normalizeLinkCode(code: string): string {
  const m = typeof code === 'string' ? /^([A-Za-z0-9]{4})-?([A-Za-z0-9]{4})$/.exec(code.trim()) : null;
  if (!m) throw new PhoneError('BAD_LINK_CODE', 'a pairing code is 8 letters or digits');
  return m[1]! + m[2]!;
}

/** PBKDF2-SHA256(code, salt, 131072, 32): the key wrapping both ephemeral pubs. */
export function derivePairingCodeKey(code: string, salt: Uint8Array): Uint8Array {
  return new Uint8Array(pbkdf2Sync(Buffer.from(code, 'utf8'), salt, LINK_CODE_PBKDF2_ITERATIONS, 32, 'sha256'));
}

/**
 * E_c.pub from companion_hello's link_code_pairing_wrapped_companion_ephemeral_pub.
 * A wrong code does not fail here (CTR has no tag): it yields a wrong key and
 * the companion_finish bundle then fails to decrypt.
 * @throws PhoneError BAD_LINK_BUNDLE when shorter than 80 bytes
 */
export function unwrapEphemeralPub(code: string, wrapped: Uint8Array): Uint8Array {
  if (wrapped.length < WRAPPED_PUB_LENGTH) {
    throw new PhoneError('BAD_LINK_BUNDLE', `wrapped ephemeral key is ${wrapped.length} bytes, want ${WRAPPED_PUB_LENGTH}`);
  }
  const key = derivePairingCodeKey(code, wrapped.subarray(0, 32));
  return aesCtr(key, wrapped.subarray(32, 48), wrapped.subarray(48, 80));
}

/** salt(32) ‖ iv(16) ‖ AES-CTR(PBKDF2(code, salt), iv, pub): the inverse of unwrapEphemeralPub. */
export function wrapEphemeralPub(
  code: string,
  pub: Uint8Array,
  salt: Uint8Array = randomBytes(32),
  iv: Uint8Array = randomBytes(16),
): Uint8Array {
  const out = new Uint8Array(WRAPPED_PUB_LENGTH);
  out.set(salt, 0);
  out.set(iv, 32);
  out.set(aesCtr(derivePairingCodeKey(code, salt), iv, pub), 48);
  return out;
}

/** What the phone keeps between the notification and companion_finish. */
export interface LinkCodeState {
  code: string;
  companionEphemeralPub: Uint8Array;
  primaryEphemeral: KeyPair;
}

export interface LinkCodeStart {
  state: LinkCodeState;
  /** Content of <link_code_pairing_wrapped_primary_ephemeral_pub>. */
  wrappedPrimaryEphemeralPub: Uint8Array;
}

/**
 * Step 2: the user typed `code` for a companion whose hello carried `wrappedCompanionEphemeralPub`.
 * @throws PhoneError BAD_LINK_CODE, BAD_LINK_BUNDLE
 */
export function startLinkCode(code: string, wrappedCompanionEphemeralPub: Uint8Array, primaryEphemeral: KeyPair = generateKeyPair()): LinkCodeStart {
  const normalized = normalizeLinkCode(code);
  const companionEphemeralPub = unwrapEphemeralPub(normalized, wrappedCompanionEphemeralPub);
  return {
    state: { code: normalized, companionEphemeralPub, primaryEphemeral },
    wrappedPrimaryEphemeralPub: wrapEphemeralPub(normalized, primaryEphemeral.public),
  };
}

export interface LinkCodeFinish {
  companionIdentityPub: Uint8Array;
  advSecret: Uint8Array;
}

/**
 * Steps 3–4: opens companion_finish's wrapped key bundle and derives the ADV secret.
 * `companionIdentityPub` is the IQ's <companion_identity_public>; it must match the bundle.
 * @throws PhoneError BAD_LINK_BUNDLE (wrong size, or the GCM tag fails: usually a mistyped code),
 *   LINK_IDENTITY_MISMATCH (bundle names another primary or companion identity)
 */
export function finishLinkCode(
  state: LinkCodeState,
  primaryIdentity: KeyPair,
  wrappedBundle: Uint8Array,
  companionIdentityPub: Uint8Array,
): LinkCodeFinish {
  if (wrappedBundle.length !== BUNDLE_LENGTH) {
    throw new PhoneError('BAD_LINK_BUNDLE', `key bundle is ${wrappedBundle.length} bytes, want ${BUNDLE_LENGTH}`);
  }
  let ephemeralShared: Uint8Array;
  try {
    ephemeralShared = sharedSecret(state.primaryEphemeral.private, state.companionEphemeralPub);
  } catch (cause) {
    throw new PhoneError('BAD_LINK_BUNDLE', 'companion ephemeral key is not a usable X25519 key (mistyped code?)', { cause });
  }
  const bundleKey = hkdf(ephemeralShared, 32, { salt: wrappedBundle.subarray(0, 32), info: BUNDLE_INFO });
  let plain: Uint8Array;
  try {
    plain = aesGcmDecrypt(bundleKey, wrappedBundle.subarray(32, 44), wrappedBundle.subarray(44));
  } catch (cause) {
    throw new PhoneError('BAD_LINK_BUNDLE', 'key bundle does not decrypt (mistyped code?)', { cause });
  }
  const bundleCompanion = plain.subarray(0, 32);
  const bundlePrimary = plain.subarray(32, 64);
  const random = plain.subarray(64, 96);
  if (!bytesEqual(bundlePrimary, primaryIdentity.public)) {
    throw new PhoneError('LINK_IDENTITY_MISMATCH', 'key bundle names another primary identity');
  }
  if (!bytesEqual(bundleCompanion, companionIdentityPub)) {
    throw new PhoneError('LINK_IDENTITY_MISMATCH', 'key bundle names another companion identity than companion_identity_public');
  }
  let identityShared: Uint8Array;
  try {
    identityShared = sharedSecret(primaryIdentity.private, companionIdentityPub);
  } catch (cause) {
    throw new PhoneError('BAD_LINK_BUNDLE', 'companion identity is not a usable X25519 key', { cause });
  }
  const advSecret = hkdf(Buffer.concat([ephemeralShared, identityShared, random]), 32, { info: ADV_INFO });
  return { companionIdentityPub: new Uint8Array(bundleCompanion), advSecret };
}
