/**
 * AES primitives through node:crypto (AES-NI): GCM for the Noise transport,
 * CBC with PKCS#7 for Signal message bodies and media, CTR for app state.
 * Failures throw CryptoError and never return partial plaintext.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CryptoError } from './errors.js';

const GCM_TAG = 16;

export function aesGcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-gcm', key, iv);
  if (aad) c.setAAD(aad);
  const head = c.update(plaintext);
  const tail = c.final();
  const tag = c.getAuthTag();
  const out = new Uint8Array(head.length + tail.length + GCM_TAG);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(tag, head.length + tail.length);
  return out;
}

/** @throws CryptoError AUTH_FAILED when the tag does not verify, BAD_INPUT when too short. */
export function aesGcmDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (ciphertext.length < GCM_TAG) throw new CryptoError('BAD_INPUT', 'AES-GCM ciphertext shorter than its tag');
  const d = createDecipheriv('aes-256-gcm', key, iv);
  if (aad) d.setAAD(aad);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - GCM_TAG));
  const head = d.update(ciphertext.subarray(0, ciphertext.length - GCM_TAG));
  try {
    const tail = d.final();
    return tail.length === 0 ? new Uint8Array(head.buffer, head.byteOffset, head.length) : Buffer.concat([head, tail]);
  } catch (cause) {
    throw new CryptoError('AUTH_FAILED', 'AES-GCM authentication failed', { cause });
  }
}

export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([c.update(plaintext), c.final()]);
}

/** @throws CryptoError BAD_PADDING on a wrong key or corrupted data, BAD_INPUT on a bad length. */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new CryptoError('BAD_INPUT', `AES-CBC ciphertext length ${ciphertext.length} is not a positive multiple of 16`);
  }
  const d = createDecipheriv('aes-256-cbc', key, iv);
  try {
    return Buffer.concat([d.update(ciphertext), d.final()]);
  } catch (cause) {
    throw new CryptoError('BAD_PADDING', 'AES-CBC padding check failed', { cause });
  }
}

/** AES-256-CTR (symmetric: the same call encrypts and decrypts). */
export function aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}
