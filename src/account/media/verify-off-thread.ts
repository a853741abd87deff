/**
 * VerifyStream's work on the media verifier's thread: the blob passes through
 * unchanged (into the spool) while a copy goes to the worker, and the stream
 * ends only once the worker's verdict is in — a failed check fails it with
 * the same MediaError as on the main thread, so nothing it fed may be
 * released before it finished. Used for blobs large enough that the copy is
 * worth it (download.ts decides).
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { MediaDecryptResult, MediaExpectations, MediaKeys } from '../../protocol/media/index.js';
import type { VerifyJob } from '../../runtime/media-verify/index.js';
import { MediaError, toMediaError } from './errors.js';

/** Opens verification jobs (MediaVerifyThread). */
export interface MediaVerifier {
  open(keys: MediaKeys, expected: MediaExpectations): VerifyJob;
}

export class OffThreadVerifyStream extends Transform {
  readonly #job: VerifyJob;
  readonly #limit: number;
  #received = 0;
  #result: Omit<MediaDecryptResult, 'tail'> | undefined;

  /** @throws MediaError BAD_KEY (the worker would refuse the keys later; checked here first) */
  constructor(verifier: MediaVerifier, keys: MediaKeys, expected: MediaExpectations) {
    super();
    if (keys.cipherKey.length !== 32 || keys.macKey.length !== 32 || keys.iv.length !== 16) throw new MediaError('BAD_KEY', 'media keys of the wrong sizes');
    this.#job = verifier.open(keys, expected);
    this.#limit = expected.maxEncLength ?? Infinity;
  }

  /** Blob bytes seen so far. */
  get received(): number {
    return this.#received;
  }

  /** Set once the whole blob verified. */
  get result(): Omit<MediaDecryptResult, 'tail'> | undefined {
    return this.#result;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#received += chunk.length;
    // Checked here too, so an oversized blob stops at once rather than when the worker gets to it.
    if (this.#received > this.#limit) return cb(new MediaError('TOO_LARGE', `media blob exceeds ${this.#limit} bytes`));
    this.#job.push(chunk).then(
      () => cb(null, chunk),
      (e: unknown) => cb(toMediaError(e, 'BAD_MAC', 'media verification')),
    );
  }

  override _flush(cb: TransformCallback): void {
    this.#job.finish().then(
      (r) => {
        this.#result = r;
        cb();
      },
      (e: unknown) => cb(toMediaError(e, 'BAD_MAC', 'media verification')),
    );
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    if (!this.#result) this.#job.drop();
    cb(err);
  }
}
