/**
 * Errors of media encryption and verified decryption. A MediaCryptoError from
 * a decryptor means the blob must be dropped: nothing it produced is trusted.
 */
export type MediaCryptoErrorCode =
  /** A media key that is not 32 bytes, or a key set of the wrong sizes. */
  | 'BAD_KEY'
  /** The blob is shorter than it must be: under 26 bytes, not 16·k + 10 long, or shorter than declared. */
  | 'TRUNCATED'
  /** More bytes than declared, or than the caller's limit. */
  | 'TOO_LARGE'
  /** fileEncSha256 (the blob) or fileSha256 (the plaintext) differs from the declared hash (see `field`). */
  | 'HASH_MISMATCH'
  /** The 10-byte HMAC-SHA256 over iv ‖ ciphertext does not verify: wrong key or altered bytes. */
  | 'BAD_MAC'
  /** The MAC verified but the PKCS#7 padding is malformed (a broken sender). */
  | 'BAD_PADDING'
  /** The plaintext length differs from the declared fileLength (a broken sender). */
  | 'LENGTH_MISMATCH'
  /** update() or final() called after final(), or after a failure. */
  | 'FINISHED';

export class MediaCryptoError extends Error {
  override readonly name = 'MediaCryptoError';
  /** For HASH_MISMATCH: which hash failed. */
  readonly field?: 'fileSha256' | 'fileEncSha256';

  constructor(
    readonly code: MediaCryptoErrorCode,
    message: string,
    options?: { cause?: unknown; field?: 'fileSha256' | 'fileEncSha256' },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.field) this.field = options.field;
  }
}
