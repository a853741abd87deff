/**
 * Media keys: a random 32-byte mediaKey, carried in the message, expands by
 * HKDF-SHA256 (no salt, the type's info string) to 112 bytes: iv ‖ cipherKey
 * ‖ macKey ‖ refKey. refKey is unused by WhatsApp Web's download path and
 * returned for completeness (whatsmeow names it so).
 */
import { randomBytes } from 'node:crypto';
import { hkdf } from '../crypto/hkdf.js';
import { MediaCryptoError } from './errors.js';
import { MEDIA_TYPES, type MediaType } from './types.js';

export const MEDIA_KEY_LENGTH = 32;
/** Bytes of the truncated HMAC-SHA256 that ends every blob. */
export const MEDIA_MAC_LENGTH = 10;
export const AES_BLOCK = 16;

export interface MediaKeys {
  iv: Uint8Array;
  cipherKey: Uint8Array;
  macKey: Uint8Array;
  refKey: Uint8Array;
}

/** @throws MediaCryptoError BAD_KEY when mediaKey is not 32 bytes. */
export function deriveMediaKeys(mediaKey: Uint8Array, type: MediaType): MediaKeys {
  if (mediaKey.length !== MEDIA_KEY_LENGTH) {
    throw new MediaCryptoError('BAD_KEY', `a media key is ${MEDIA_KEY_LENGTH} bytes, got ${mediaKey.length}`);
  }
  const x = hkdf(mediaKey, 112, { info: MEDIA_TYPES[type].hkdfInfo });
  return { iv: x.slice(0, 16), cipherKey: x.slice(16, 48), macKey: x.slice(48, 80), refKey: x.slice(80, 112) };
}

export function newMediaKey(): Uint8Array {
  return new Uint8Array(randomBytes(MEDIA_KEY_LENGTH));
}

/** The blob length for a plaintext length: PKCS#7 always adds 1–16 bytes, then the MAC. */
export function encryptedLength(fileLength: number): number {
  return (Math.floor(fileLength / AES_BLOCK) + 1) * AES_BLOCK + MEDIA_MAC_LENGTH;
}

export function checkKeys(keys: MediaKeys): void {
  if (keys.iv.length !== 16 || keys.cipherKey.length !== 32 || keys.macKey.length !== 32) {
    throw new MediaCryptoError('BAD_KEY', 'media keys must be a 16-byte iv and 32-byte cipher and MAC keys');
  }
}
