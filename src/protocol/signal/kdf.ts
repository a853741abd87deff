/**
 * Signal's key agreement and derivations (libsignal-node's session_builder and
 * session_cipher): X25519 with typed errors, the X3DH master secret, the
 * root-key ratchet, the symmetric chain and the expansion of one message key.
 * Pure functions of their inputs.
 */
import { sharedSecret } from '../crypto/curve25519.js';
import { hkdf } from '../crypto/hkdf.js';
import { hkdfSmall, hmacByte, hmacBytePair, hmacPads } from '../crypto/sha256-small.js';
import { InvalidKeyError } from './errors.js';

const MESSAGE_KEY_SEED = 0x01;
const CHAIN_KEY_SEED = 0x02;
const INFO_TEXT = new TextEncoder().encode('WhisperText');
const INFO_RATCHET = new TextEncoder().encode('WhisperRatchet');
const INFO_MESSAGE_KEYS = new TextEncoder().encode('WhisperMessageKeys');

/** X25519. @throws InvalidKeyError for a low-order (or malformed) public key */
export function agree(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    return sharedSecret(privateKey, publicKey);
  } catch (cause) {
    throw new InvalidKeyError('key agreement failed: the public key is unusable', { cause });
  }
}

/** 32 bytes of 0xFF that open the X3DH input ("discontinuity bytes"). */
export const X3DH_PREFIX = new Uint8Array(32).fill(0xff);

/** Root key from the X3DH agreements (0xFF×32 ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4]). */
export function x3dhRootKey(agreements: Uint8Array): Uint8Array {
  return hkdf(agreements, 32, { info: INFO_TEXT });
}

/** One step of the root ratchet: a new root key and a new chain key from a DH output. */
export function rootStep(rootKey: Uint8Array, dh: Uint8Array): { rootKey: Uint8Array; chainKey: Uint8Array } {
  const out = hkdfSmall(dh, 64, rootKey, INFO_RATCHET);
  return { rootKey: out.subarray(0, 32), chainKey: out.subarray(32, 64) };
}

/** The message-key seed at this chain position. */
export function messageKeySeed(chainKey: Uint8Array): Uint8Array {
  return hmacByte(hmacPads(chainKey), MESSAGE_KEY_SEED);
}

/** The chain key at the next position. */
export function nextChainKey(chainKey: Uint8Array): Uint8Array {
  return hmacByte(hmacPads(chainKey), CHAIN_KEY_SEED);
}

/** Both at once (the chain key's HMAC pads are computed once for the two). */
export function chainStep(chainKey: Uint8Array): { readonly seed: Uint8Array; readonly next: Uint8Array } {
  const [seed, next] = hmacBytePair(chainKey, MESSAGE_KEY_SEED, CHAIN_KEY_SEED);
  return { seed, next };
}

export interface MessageKeys {
  readonly cipherKey: Uint8Array;
  readonly macKey: Uint8Array;
  readonly iv: Uint8Array;
}

/** AES-256-CBC key, HMAC key and IV of one message. */
export function messageKeys(seed: Uint8Array): MessageKeys {
  const out = hkdfSmall(seed, 80, undefined, INFO_MESSAGE_KEYS);
  return { cipherKey: out.subarray(0, 32), macKey: out.subarray(32, 64), iv: out.subarray(64, 80) };
}
