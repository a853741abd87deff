/**
 * The Noise framework's SymmetricState as WhatsApp runs it, as plain
 * immutable data and pure functions: each step returns a new state, so a failed
 * step leaves the caller's state untouched. Used only during the handshake; the
 * per-frame cipher after `split` is transport.ts.
 *
 * WhatsApp's choices: HKDF-SHA256 with the chaining key as salt and empty info;
 * AES-256-GCM with the running hash as associated data; nonce = 8 zero bytes
 * then the 32-bit big-endian counter; the hash mixes the *ciphertext*.
 */
import { aesGcmDecrypt, aesGcmEncrypt, hkdf, sha256 } from '../crypto/index.js';
import { NOISE_MODE } from './constants.js';
import { NoiseError } from './errors.js';

export interface SymmetricState {
  /** h: the transcript hash, used as AES-GCM associated data. */
  readonly hash: Uint8Array;
  /** ck: the chaining key, the HKDF salt of the next mix. */
  readonly salt: Uint8Array;
  /** k: the handshake cipher key; undefined until the first mixKeys. */
  readonly key: Uint8Array | undefined;
  /** n: the nonce counter of `key`, reset by every mixKeys. */
  readonly counter: number;
}

export function initSymmetric(prologue: Uint8Array, protocolName: Uint8Array = NOISE_MODE): SymmetricState {
  const h = protocolName.length === 32 ? Uint8Array.from(protocolName) : sha256(protocolName);
  return mixHash({ hash: h, salt: h, key: undefined, counter: 0 }, prologue);
}

/** h = SHA-256(h ‖ data). */
export function mixHash(state: SymmetricState, data: Uint8Array): SymmetricState {
  return { ...state, hash: sha256(state.hash, data) };
}

/** (ck, k) = HKDF(ikm, salt = ck), n = 0. */
export function mixKeys(state: SymmetricState, ikm: Uint8Array): SymmetricState {
  const out = hkdf(ikm, 64, { salt: state.salt });
  return { ...state, salt: out.subarray(0, 32), key: out.subarray(32, 64), counter: 0 };
}

function nonce(counter: number): Uint8Array {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(8, counter);
  return iv;
}

/** @throws NoiseError BAD_HANDSHAKE when no key has been mixed in yet. */
export function encryptWithAd(state: SymmetricState, plaintext: Uint8Array): { state: SymmetricState; ciphertext: Uint8Array } {
  const key = requireKey(state);
  const ciphertext = aesGcmEncrypt(key, nonce(state.counter), plaintext, state.hash);
  return { state: { ...state, hash: sha256(state.hash, ciphertext), counter: state.counter + 1 }, ciphertext };
}

/** @throws NoiseError DECRYPT when authentication fails, BAD_HANDSHAKE when no key has been mixed in yet. */
export function decryptWithAd(state: SymmetricState, ciphertext: Uint8Array): { state: SymmetricState; plaintext: Uint8Array } {
  const key = requireKey(state);
  let plaintext: Uint8Array;
  try {
    plaintext = aesGcmDecrypt(key, nonce(state.counter), ciphertext, state.hash);
  } catch (cause) {
    throw new NoiseError('DECRYPT', 'handshake ciphertext failed authentication', { cause });
  }
  return { state: { ...state, hash: sha256(state.hash, ciphertext), counter: state.counter + 1 }, plaintext };
}

/**
 * The two transport keys. `initiatorToResponder` is the client's sending key
 * (WhatsApp's TransportState(encKey = first half, decKey = second half)).
 */
export function split(state: SymmetricState): { initiatorToResponder: Uint8Array; responderToInitiator: Uint8Array } {
  const out = hkdf(new Uint8Array(0), 64, { salt: state.salt });
  return { initiatorToResponder: out.subarray(0, 32), responderToInitiator: out.subarray(32, 64) };
}

function requireKey(state: SymmetricState): Uint8Array {
  if (state.key === undefined) throw new NoiseError('BAD_HANDSHAKE', 'cipher used before any key was mixed in');
  return state.key;
}
