/**
 * A downloaded blob that has passed every check (MAC, both hashes, length),
 * still encrypted in its spool. Reading it deciphers on the fly (the cheap
 * second pass), so the plaintext exists only in the reader's hands. Dispose
 * it when done: that removes the temp file.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { MEDIA_MAC_LENGTH, MediaDecipher, type MediaKeys, type MediaType } from '../../protocol/media/index.js';
import { MediaError, toMediaError } from './errors.js';
import type { Spool } from './spool.js';
import { DecipherStream } from './streams.js';

export class DownloadedMedia {
  readonly type: MediaType;
  /** Plaintext bytes. */
  readonly fileLength: number;
  readonly fileSha256: Uint8Array;
  readonly fileEncSha256: Uint8Array;
  readonly #spool: Spool;
  readonly #keys: MediaKeys;

  constructor(init: { type: MediaType; keys: MediaKeys; spool: Spool; fileLength: number; fileSha256: Uint8Array; fileEncSha256: Uint8Array }) {
    this.type = init.type;
    this.#keys = init.keys;
    this.#spool = init.spool;
    this.fileLength = init.fileLength;
    this.fileSha256 = init.fileSha256;
    this.fileEncSha256 = init.fileEncSha256;
  }

  /**
   * The plaintext as a stream (may be called more than once). With
   * `dispose: true` the media is disposed when the stream closes.
   * @throws MediaError DISPOSED
   */
  stream(opts: { dispose?: boolean } = {}): Readable {
    const src = this.#spool.read(0, this.#spool.size - MEDIA_MAC_LENGTH);
    const out = pipeline(src, new DecipherStream(this.#keys), () => {
      if (opts.dispose) void this.dispose();
    });
    return out;
  }

  /**
   * The whole plaintext in memory. @throws MediaError DISPOSED, TOO_LARGE
   * when over `maxBytes` (default 64 MiB: big files should be streamed), IO
   */
  async buffer(maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
    if (this.fileLength > maxBytes) throw new MediaError('TOO_LARGE', `media of ${this.fileLength} bytes is over ${maxBytes}; stream it`);
    const mem = this.#spool.memory();
    if (mem) {
      const d = new MediaDecipher(this.#keys);
      const body = d.update(mem.subarray(0, mem.length - MEDIA_MAC_LENGTH));
      return Buffer.concat([body, d.final()]);
    }
    const chunks: Buffer[] = [];
    try {
      for await (const c of this.stream()) chunks.push(c as Buffer);
    } catch (e) {
      throw toMediaError(e, 'IO', 'reading downloaded media');
    }
    return Buffer.concat(chunks);
  }

  /** Removes the temp file. */
  dispose(): Promise<void> {
    return this.#spool.dispose();
  }
}
