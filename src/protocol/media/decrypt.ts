/**
 * Verified media decryption, incrementally. A MediaDecryptor takes the blob
 * in chunks of any size, holds back the last 10 bytes (they may be the MAC),
 * and feeds the rest once each to the HMAC, the blob hash, AES-256-CBC and
 * the plaintext hash. What update() returns is NOT yet authentic: a caller
 * must keep it from everyone until final() returns (or, as src/account/media
 * does, discard it and decipher the verified blob again with MediaDecipher).
 *
 * final() checks, in this order: blob length (TRUNCATED / TOO_LARGE),
 * fileEncSha256 (HASH_MISMATCH), the MAC (BAD_MAC), the padding
 * (BAD_PADDING), fileSha256 (HASH_MISMATCH), fileLength (LENGTH_MISMATCH).
 * Each hash is checked only when the caller declares it; the MAC always is.
 */
import { createDecipheriv, createHash, createHmac, timingSafeEqual, type Decipher, type Hash, type Hmac } from 'node:crypto';
import { MediaCryptoError } from './errors.js';
import { AES_BLOCK, checkKeys, deriveMediaKeys, encryptedLength, MEDIA_MAC_LENGTH, type MediaKeys } from './keys.js';
import type { MediaType } from './types.js';

/** What the message declares about the blob; absent fields are not checked. */
export interface MediaExpectations {
  fileEncSha256?: Uint8Array;
  fileSha256?: Uint8Array;
  fileLength?: number;
  /** A hard cap on blob bytes (TOO_LARGE as soon as it is passed). */
  maxEncLength?: number;
}

export interface MediaDecryptResult {
  /** The last plaintext bytes: append them after every update() output. */
  tail: Uint8Array;
  fileSha256: Uint8Array;
  fileEncSha256: Uint8Array;
  fileLength: number;
  encLength: number;
}

const EMPTY = Buffer.alloc(0);
/** The smallest blob: one block of padding and the MAC. */
const MIN_BLOB = AES_BLOCK + MEDIA_MAC_LENGTH;

export class MediaDecryptor {
  readonly #aes: Decipher;
  readonly #hmac: Hmac;
  readonly #plainHash: Hash = createHash('sha256');
  readonly #encHash: Hash = createHash('sha256');
  readonly #expected: MediaExpectations;
  /** The exact blob length fileLength implies (Infinity when undeclared). */
  readonly #declared: number;
  readonly #limit: number;
  /** The last ≤ 10 bytes seen: the MAC once the blob ends. */
  #held: Buffer = EMPTY;
  #encLength = 0;
  #fileLength = 0;
  #done = false;

  /** @throws MediaCryptoError BAD_KEY */
  constructor(keys: MediaKeys, expected: MediaExpectations = {}) {
    checkKeys(keys);
    this.#aes = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
    this.#hmac = createHmac('sha256', keys.macKey).update(keys.iv);
    this.#expected = expected;
    this.#declared = expected.fileLength === undefined ? Infinity : encryptedLength(expected.fileLength);
    this.#limit = Math.min(this.#declared, expected.maxEncLength ?? Infinity);
  }

  static forType(mediaKey: Uint8Array, type: MediaType, expected?: MediaExpectations): MediaDecryptor {
    return new MediaDecryptor(deriveMediaKeys(mediaKey, type), expected);
  }

  get encLength(): number {
    return this.#encLength;
  }

  /**
   * Unverified plaintext for this chunk (possibly empty).
   * @throws MediaCryptoError TOO_LARGE past the declared length or the cap; FINISHED
   */
  update(chunk: Uint8Array): Uint8Array {
    return this.#feed(chunk, true);
  }

  /**
   * update() for a caller that only verifies (the plaintext is hashed, then
   * dropped), saving the copy update() makes when a chunk meets held bytes.
   * @throws as update()
   */
  absorb(chunk: Uint8Array): void {
    this.#feed(chunk, false);
  }

  /** Verifies everything; the last plaintext and the hashes. @throws MediaCryptoError (see the module comment) */
  final(): MediaDecryptResult {
    this.#live();
    this.#done = true;
    const { fileEncSha256: wantEnc, fileSha256: wantPlain, fileLength: wantLength } = this.#expected;
    const len = this.#encLength;
    if (len < MIN_BLOB || (len - MEDIA_MAC_LENGTH) % AES_BLOCK !== 0 || (this.#declared !== Infinity && len < this.#declared)) {
      throw new MediaCryptoError('TRUNCATED', `media blob of ${len} bytes is incomplete`);
    }
    const mac = this.#held;
    const encHash = this.#encHash.update(mac).digest();
    if (wantEnc && !same(encHash, wantEnc)) {
      throw new MediaCryptoError('HASH_MISMATCH', 'media blob does not match fileEncSha256', { field: 'fileEncSha256' });
    }
    if (!same(this.#hmac.digest().subarray(0, MEDIA_MAC_LENGTH), mac)) {
      throw new MediaCryptoError('BAD_MAC', 'media MAC does not verify');
    }
    let tail: Buffer;
    try {
      tail = this.#aes.final();
    } catch (cause) {
      throw new MediaCryptoError('BAD_PADDING', 'media padding is malformed', { cause });
    }
    this.#fileLength += tail.length;
    const plainHash = this.#plainHash.update(tail).digest();
    if (wantPlain && !same(plainHash, wantPlain)) {
      throw new MediaCryptoError('HASH_MISMATCH', 'decrypted media does not match fileSha256', { field: 'fileSha256' });
    }
    if (wantLength !== undefined && wantLength !== this.#fileLength) {
      throw new MediaCryptoError('LENGTH_MISMATCH', `decrypted media is ${this.#fileLength} bytes, declared ${wantLength}`);
    }
    return { tail, fileSha256: plainHash, fileEncSha256: encHash, fileLength: this.#fileLength, encLength: len };
  }

  #feed(chunk: Uint8Array, keep: boolean): Uint8Array {
    this.#live();
    this.#encLength += chunk.length;
    if (this.#encLength > this.#limit) {
      this.#done = true;
      throw new MediaCryptoError('TOO_LARGE', `media blob exceeds ${this.#limit} bytes`);
    }
    const held = this.#held;
    const total = held.length + chunk.length;
    if (total <= MEDIA_MAC_LENGTH) {
      this.#held = Buffer.concat([held, chunk]);
      return EMPTY;
    }
    // Process all but the last 10 bytes of held ‖ chunk, without concatenating them.
    const n = total - MEDIA_MAC_LENGTH;
    if (n <= held.length) {
      const out = this.#decrypt(held.subarray(0, n));
      this.#held = Buffer.concat([held.subarray(n), chunk]);
      return out;
    }
    const a = held.length > 0 ? this.#decrypt(held) : EMPTY;
    const cut = n - held.length;
    const b = this.#decrypt(chunk.subarray(0, cut));
    this.#held = Buffer.from(chunk.subarray(cut));
    return !keep ? EMPTY : a.length === 0 ? b : Buffer.concat([a, b]);
  }

  #decrypt(ciphertext: Uint8Array): Buffer {
    this.#hmac.update(ciphertext);
    this.#encHash.update(ciphertext);
    const plain = this.#aes.update(ciphertext);
    this.#fileLength += plain.length;
    this.#plainHash.update(plain);
    return plain;
  }

  #live(): void {
    if (this.#done) throw new MediaCryptoError('FINISHED', 'media decryptor already finished or failed');
  }
}

/**
 * Plain AES-256-CBC decryption of ciphertext that a MediaDecryptor has
 * already verified (the MAC stripped by the caller): the second, cheap pass
 * of verify-then-release. Never use it on bytes nothing has verified.
 */
export class MediaDecipher {
  readonly #aes: Decipher;

  /** @throws MediaCryptoError BAD_KEY */
  constructor(keys: MediaKeys) {
    checkKeys(keys);
    this.#aes = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
  }

  update(ciphertext: Uint8Array): Uint8Array {
    return this.#aes.update(ciphertext);
  }

  /** @throws MediaCryptoError BAD_PADDING (the bytes changed since they were verified) */
  final(): Uint8Array {
    try {
      return this.#aes.final();
    } catch (cause) {
      throw new MediaCryptoError('BAD_PADDING', 'media padding is malformed', { cause });
    }
  }
}

/**
 * One-shot verified decryption of a whole blob (thumbnails, history sync and
 * app state blobs). @throws MediaCryptoError as MediaDecryptor
 */
export function decryptMedia(blob: Uint8Array, mediaKey: Uint8Array, type: MediaType, expected?: MediaExpectations): Uint8Array {
  const d = MediaDecryptor.forType(mediaKey, type, expected);
  const body = d.update(blob);
  const { tail } = d.final();
  return tail.length === 0 ? body : Buffer.concat([body, tail]);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
