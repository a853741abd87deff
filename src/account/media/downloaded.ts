/**
 * A downloaded blob that has passed every check (MAC, both hashes, length),
 * still encrypted in its spool. Reading it deciphers on the fly (the cheap
 * second pass), so the plaintext exists only in the reader's hands. A
 * channel's media is not encrypted (it is public): without keys the spool
 * holds the file itself, checked by its hash and length. Dispose it when
 * done: that removes the temp file.
 */
import { finished, PassThrough, pipeline, Readable } from 'node:stream';
import { MEDIA_MAC_LENGTH, MediaDecipher, type MediaKeys, type MediaType } from '../../protocol/media/index.js';
import { MediaError, toMediaError } from './errors.js';
import type { Spool } from './spool.js';

export class DownloadedMedia {
  readonly type: MediaType;
  /** Plaintext bytes. */
  readonly fileLength: number;
  readonly fileSha256: Uint8Array;
  /** Absent for unencrypted (channel) media. */
  readonly fileEncSha256: Uint8Array | undefined;
  readonly #spool: Spool;
  readonly #keys: MediaKeys | undefined;

  constructor(init: { type: MediaType; keys?: MediaKeys | undefined; spool: Spool; fileLength: number; fileSha256: Uint8Array; fileEncSha256?: Uint8Array | undefined }) {
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
    const done = (): void => {
      if (opts.dispose) void this.dispose();
    };
    if (!this.#keys) return pipeline(this.#spool.read(), new PassThrough(), done);
    const out = Readable.from(deciphered(this.#spool.pieces(0, this.#spool.size - MEDIA_MAC_LENGTH), this.#keys), { objectMode: false });
    finished(out, done);
    return out;
  }

  /**
   * The whole plaintext in memory. @throws MediaError DISPOSED, TOO_LARGE
   * when over `maxBytes` (default 64 MiB: big files should be streamed), IO
   */
  async buffer(maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
    if (this.fileLength > maxBytes) throw new MediaError('TOO_LARGE', `media of ${this.fileLength} bytes is over ${maxBytes}; stream it`);
    const mem = this.#spool.memory();
    if (mem && !this.#keys) return mem;
    if (mem && this.#keys) {
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

/** The plaintext of verified ciphertext; each piece is deciphered (copied) before the next is read. */
async function* deciphered(pieces: AsyncIterable<Uint8Array>, keys: MediaKeys): AsyncGenerator<Uint8Array, void, undefined> {
  const dec = new MediaDecipher(keys);
  for await (const piece of pieces) {
    const out = dec.update(piece);
    if (out.length > 0) yield out;
  }
  let last: Uint8Array;
  try {
    last = dec.final();
  } catch (e) {
    throw toMediaError(e, 'BAD_PADDING', 'media decipher');
  }
  if (last.length > 0) yield last;
}
