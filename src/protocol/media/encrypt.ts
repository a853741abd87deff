/**
 * Incremental media encryption: AES-256-CBC with PKCS#7 under the derived
 * cipherKey and iv, then a 10-byte HMAC-SHA256(macKey, iv ‖ ciphertext)
 * appended; SHA-256 of the plaintext (fileSha256) and of the whole blob,
 * MAC included (fileEncSha256), computed on the way. State only: a caller
 * feeds chunks of any size (no 16-byte alignment needed) and writes what
 * comes back, so a file of any length passes in constant memory.
 *
 * All four passes are node:crypto (AES-NI, SHA-NI). Each chunk is handed to
 * them once, and the ciphertext is hashed while it is still in cache.
 */
import { createCipheriv, createHash, createHmac, type Cipher, type Hash, type Hmac } from 'node:crypto';
import { MediaCryptoError } from './errors.js';
import { deriveMediaKeys, MEDIA_MAC_LENGTH, newMediaKey } from './keys.js';
import type { MediaType } from './types.js';

export interface MediaEncryptResult {
  /** The last ciphertext bytes (the padded final block) and the MAC: append them after every update() output. */
  tail: Uint8Array;
  mac: Uint8Array;
  /** SHA-256 of the plaintext. */
  fileSha256: Uint8Array;
  /** SHA-256 of the whole blob (ciphertext ‖ MAC): the upload token. */
  fileEncSha256: Uint8Array;
  /** Plaintext bytes. */
  fileLength: number;
  /** Blob bytes (ciphertext + MAC). */
  encLength: number;
}

export class MediaEncryptor {
  readonly mediaKey: Uint8Array;
  readonly #aes: Cipher;
  readonly #hmac: Hmac;
  readonly #plainHash: Hash = createHash('sha256');
  readonly #encHash: Hash = createHash('sha256');
  #fileLength = 0;
  #encLength = 0;
  #done = false;

  /**
   * @param mediaKey a fresh random key when absent (the normal case; tests pass one).
   * @throws MediaCryptoError BAD_KEY when mediaKey is not 32 bytes
   */
  constructor(type: MediaType, mediaKey: Uint8Array = newMediaKey()) {
    this.mediaKey = mediaKey;
    const keys = deriveMediaKeys(mediaKey, type);
    this.#aes = createCipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
    this.#hmac = createHmac('sha256', keys.macKey).update(keys.iv);
  }

  /** Ciphertext for this chunk (possibly empty: CBC emits whole blocks). @throws MediaCryptoError FINISHED */
  update(chunk: Uint8Array): Uint8Array {
    if (this.#done) throw new MediaCryptoError('FINISHED', 'media encryptor already finished');
    this.#fileLength += chunk.length;
    this.#plainHash.update(chunk);
    const out = this.#aes.update(chunk);
    if (out.length > 0) this.#absorb(out);
    return out;
  }

  /** The last block and MAC, and the hashes. @throws MediaCryptoError FINISHED */
  final(): MediaEncryptResult {
    if (this.#done) throw new MediaCryptoError('FINISHED', 'media encryptor already finished');
    this.#done = true;
    const last = this.#aes.final();
    this.#absorb(last);
    const mac = this.#hmac.digest().subarray(0, MEDIA_MAC_LENGTH);
    this.#encHash.update(mac);
    this.#encLength += mac.length;
    const tail = Buffer.concat([last, mac]);
    return {
      tail,
      mac: new Uint8Array(mac),
      fileSha256: this.#plainHash.digest(),
      fileEncSha256: this.#encHash.digest(),
      fileLength: this.#fileLength,
      encLength: this.#encLength,
    };
  }

  #absorb(ciphertext: Uint8Array): void {
    this.#hmac.update(ciphertext);
    this.#encHash.update(ciphertext);
    this.#encLength += ciphertext.length;
  }
}

/** One-shot encryption of a small plaintext (thumbnails, app state blobs): the blob and its metadata. */
export function encryptMedia(
  plaintext: Uint8Array,
  type: MediaType,
  mediaKey?: Uint8Array,
): Omit<MediaEncryptResult, 'tail'> & { blob: Uint8Array; mediaKey: Uint8Array } {
  const enc = new MediaEncryptor(type, mediaKey);
  const body = enc.update(plaintext);
  const { tail, ...rest } = enc.final();
  return { ...rest, blob: Buffer.concat([body, tail]), mediaKey: enc.mediaKey };
}

