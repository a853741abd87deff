/**
 * Node stream wrappers around the pure media crypto (src/protocol/media):
 * EncryptStream turns plaintext into the blob; VerifyStream passes a blob
 * through unchanged while checking it, and fails at its end unless MAC and
 * hashes hold (so whatever it fed must not be released before it finished);
 * DecipherStream deciphers a blob that VerifyStream has already passed;
 * HashStream passes an unencrypted file (a channel's media) through while
 * hashing it, and, given what to expect, fails at its end unless it matches.
 * Every failure is a MediaError.
 */
import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import {
  MediaDecipher,
  MediaDecryptor,
  MediaEncryptor,
  type MediaDecryptResult,
  type MediaEncryptResult,
  type MediaExpectations,
  type MediaKeys,
  type MediaType,
} from '../../protocol/media/index.js';
import { MediaError, toMediaError } from './errors.js';

export class EncryptStream extends Transform {
  readonly #enc: MediaEncryptor;
  readonly #maxBytes: number;
  #seen = 0;
  #result: MediaEncryptResult | undefined;

  /** @throws MediaCryptoError BAD_KEY. `maxBytes`: fail with TOO_LARGE past this much plaintext. */
  constructor(type: MediaType, opts: { mediaKey?: Uint8Array; maxBytes?: number } = {}) {
    super();
    this.#enc = new MediaEncryptor(type, opts.mediaKey);
    this.#maxBytes = opts.maxBytes ?? Infinity;
  }

  get mediaKey(): Uint8Array {
    return this.#enc.mediaKey;
  }

  /** Hashes and lengths, once the stream has flushed. */
  get result(): MediaEncryptResult | undefined {
    return this.#result;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#maxBytes) return cb(new MediaError('TOO_LARGE', `media over ${this.#maxBytes} bytes`));
    const out = this.#enc.update(chunk);
    cb(null, out.length > 0 ? out : undefined);
  }

  override _flush(cb: TransformCallback): void {
    this.#result = this.#enc.final();
    cb(null, this.#result.tail);
  }
}

export class VerifyStream extends Transform {
  readonly #dec: MediaDecryptor;
  #result: MediaDecryptResult | undefined;

  /** @throws MediaError BAD_KEY */
  constructor(keys: MediaKeys, expected?: MediaExpectations) {
    super();
    try {
      this.#dec = new MediaDecryptor(keys, expected);
    } catch (e) {
      throw toMediaError(e, 'BAD_KEY', 'media keys');
    }
  }

  /** Blob bytes seen so far. */
  get received(): number {
    return this.#dec.encLength;
  }

  /** Set once the whole blob verified. */
  get result(): MediaDecryptResult | undefined {
    return this.#result;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.#dec.absorb(chunk);
    } catch (e) {
      return cb(toMediaError(e, 'BAD_MAC', 'media verification'));
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.#result = this.#dec.final();
    } catch (e) {
      return cb(toMediaError(e, 'BAD_MAC', 'media verification'));
    }
    cb();
  }
}

export class DecipherStream extends Transform {
  readonly #dec: MediaDecipher;

  constructor(keys: MediaKeys) {
    super();
    this.#dec = new MediaDecipher(keys);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const out = this.#dec.update(chunk);
    cb(null, out.length > 0 ? out : undefined);
  }

  override _flush(cb: TransformCallback): void {
    try {
      cb(null, this.#dec.final());
    } catch (e) {
      cb(toMediaError(e, 'BAD_PADDING', 'media decipher'));
    }
  }
}

export class HashStream extends Transform {
  readonly #hash: Hash = createHash('sha256');
  readonly #expected: { fileSha256?: Uint8Array | undefined; fileLength?: number | undefined };
  readonly #maxBytes: number;
  #length = 0;
  #result: { fileSha256: Uint8Array; fileLength: number } | undefined;

  /** With `fileSha256` / `fileLength`, the end fails (HASH_MISMATCH, LENGTH_MISMATCH) unless they hold. */
  constructor(opts: { fileSha256?: Uint8Array | undefined; fileLength?: number | undefined; maxBytes?: number } = {}) {
    super();
    this.#expected = opts;
    this.#maxBytes = opts.maxBytes ?? Infinity;
  }

  /** Bytes seen so far. */
  get received(): number {
    return this.#length;
  }

  /** The file's SHA-256 and length, once it has passed. */
  get result(): { fileSha256: Uint8Array; fileLength: number } | undefined {
    return this.#result;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#length += chunk.length;
    if (this.#length > this.#maxBytes) return cb(new MediaError('TOO_LARGE', `media over ${this.#maxBytes} bytes`));
    this.#hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const fileSha256 = new Uint8Array(this.#hash.digest());
    const { fileSha256: want, fileLength } = this.#expected;
    if (fileLength !== undefined && fileLength !== this.#length) return cb(new MediaError('LENGTH_MISMATCH', `media is ${this.#length} bytes, the message says ${fileLength}`));
    if (want !== undefined && (want.length !== fileSha256.length || !timingSafeEqual(want, fileSha256))) return cb(new MediaError('HASH_MISMATCH', 'media does not match its fileSha256'));
    this.#result = { fileSha256, fileLength: this.#length };
    cb();
  }
}
