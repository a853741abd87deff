/**
 * A Spool holds the bytes of one blob between two passes over it — an upload
 * (the token is the blob's hash, known only at its end) or a download (held
 * until verified) — in memory up to a limit, then in a temp file created
 * 0600 in the given directory. Only ciphertext is ever spooled: decrypted
 * media never touches the disk.
 *
 * A Writable: pipe into it, then read() ranges back as many times as needed,
 * then dispose(), which removes the file.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { MediaError } from './errors.js';

export interface SpoolOptions {
  /** Where temp files go (created 0700 when missing). */
  dir: string;
  /** Bytes kept in memory before the spool moves to a file (default 1 MiB). */
  memoryLimit?: number;
}

const FILE_BUFFER = 1024 * 1024;
// Reads of the spooled file: each is a trip to the thread pool and through the stream machinery,
// and at 64 KiB those trips took about as long as deciphering the bytes (a 64 MiB release pass
// ~2.4x slower than at 256 KiB). 256 KiB is also the control socket's download frame.
const READ_CHUNK = 256 * 1024;

export class Spool extends Writable {
  readonly #dir: string;
  readonly #memoryLimit: number;
  #chunks: Uint8Array[] | undefined = [];
  #size = 0;
  #path: string | undefined;
  #file: WriteStream | undefined;
  #fileError: Error | undefined;
  #disposed = false;
  /** The move to a file, while under way (dispose() waits for it, so no file outlives it). */
  #spilling: Promise<void> | undefined;

  constructor(opts: SpoolOptions) {
    super({ highWaterMark: 256 * 1024 });
    this.#dir = opts.dir;
    this.#memoryLimit = opts.memoryLimit ?? 1024 * 1024;
  }

  get size(): number {
    return this.#size;
  }

  /** The temp file, once the spool moved to one. */
  get path(): string | undefined {
    return this.#path;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.#size += chunk.length;
    if (this.#chunks && this.#size <= this.#memoryLimit) {
      this.#chunks.push(chunk);
      return cb();
    }
    if (!this.#file) {
      this.#spilling ??= this.#spill();
      this.#spilling.then(() => this.#toFile(chunk, cb), cb);
      return;
    }
    this.#toFile(chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (!this.#file) return cb();
    this.#file.end((e?: Error | null) => cb(e ?? this.#fileError));
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.#file?.destroy();
    cb(err);
  }

  /**
   * Bytes [start, end) as a stream. @throws MediaError DISPOSED
   */
  read(start = 0, end = this.#size): Readable {
    if (this.#disposed) throw new MediaError('DISPOSED', 'media spool already disposed');
    if (this.#path) {
      if (end <= start) return Readable.from([]);
      return createReadStream(this.#path, { start, end: end - 1, highWaterMark: READ_CHUNK });
    }
    return Readable.from(slices(this.#chunks!, start, end), { objectMode: false });
  }

  /**
   * Bytes [start, end) for a reader that copies them at once (a decipher): from a file, every
   * piece is a view of one buffer that the next read overwrites, so a pass over a large blob
   * allocates no buffer per read (each such allocation is memory the garbage collector counts
   * as pressure, and a pass over a 64 MiB blob made a full collection of its own).
   * @throws MediaError DISPOSED
   */
  pieces(start = 0, end = this.#size): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.#disposed) throw new MediaError('DISPOSED', 'media spool already disposed');
    return this.#pieces(start, end, this.#path, this.#chunks);
  }

  async *#pieces(start: number, end: number, path: string | undefined, chunks: Uint8Array[] | undefined): AsyncGenerator<Uint8Array, void, undefined> {
    if (!path) {
      yield* slices(chunks!, start, end);
      return;
    }
    // Opened once: the file stays readable after dispose() removed it, as with read().
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.allocUnsafeSlow(Math.min(READ_CHUNK, Math.max(end - start, 1)));
      for (let at = start; at < end; ) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - at), at);
        if (bytesRead === 0) throw new MediaError('IO', `media spool ended at ${at} of ${end} bytes`);
        at += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }

  /** Whole contents when they are in memory, else undefined (read() the file instead). */
  memory(): Buffer | undefined {
    return this.#chunks && !this.#disposed ? Buffer.concat(this.#chunks) : undefined;
  }

  /** Removes the temp file (idempotent). Streams already reading it keep working on Linux. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#chunks = undefined;
    if (!this.writableFinished) this.destroy();
    await this.#spilling?.catch(() => undefined);
    this.#file?.destroy();
    if (this.#path) await rm(this.#path, { force: true });
  }

  async #spill(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const path = join(this.#dir, `wad-media-${randomBytes(8).toString('hex')}.spool`);
    const file = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: FILE_BUFFER });
    file.on('error', (e) => (this.#fileError ??= e));
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    });
    this.#path = path;
    this.#file = file;
    if (this.#disposed) throw new MediaError('DISPOSED', 'media spool disposed while writing');
    for (const c of this.#chunks!) file.write(c);
    this.#chunks = undefined;
  }

  #toFile(chunk: Buffer, cb: (e?: Error | null) => void): void {
    if (this.#fileError) return cb(this.#fileError);
    const file = this.#file!;
    if (file.write(chunk)) return cb();
    const done = (): void => {
      file.off('drain', done).off('close', done);
      cb(this.#fileError ?? (file.destroyed ? new MediaError('IO', 'media spool file closed') : null));
    };
    file.on('drain', done).on('close', done);
  }
}

function* slices(chunks: Uint8Array[], start: number, end: number): Generator<Uint8Array> {
  let at = 0;
  for (const c of chunks) {
    const from = Math.max(start - at, 0);
    const to = Math.min(end - at, c.length);
    if (to > from) yield from === 0 && to === c.length ? c : c.subarray(from, to);
    at += c.length;
    if (at >= end) return;
  }
}
