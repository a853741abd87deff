/**
 * Assembles one connection's media uploads (binary UPLOAD_CHUNK frames) into
 * temp files in the server's private upload directory, bounded in size, in
 * number and in idle time; hands a finished file's path to message:send and
 * deletes every file it made. Owns the files; must not parse frames.
 */
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { MediaFile } from '../contract/api.js';
import type { BinaryChunkHeader } from '../contract/frames.js';
import { IpcError } from './errors.js';

export interface UploadLimits {
  /** Bytes one upload may hold. */
  maxBytes: number;
  /** Uploads open at once on one connection. */
  maxOpen: number;
  /** An upload with no chunk for this long is dropped. */
  idleMs: number;
}

export interface FinishedUpload {
  path: string;
  mimeType: string;
  type: BinaryChunkHeader['type'];
  bytes: number;
}

interface Upload {
  path: string;
  file: Promise<FileHandle>;
  header: BinaryChunkHeader;
  next: number;
  bytes: number;
  writing: Promise<void>;
  done: Promise<FinishedUpload>;
  resolve: (u: FinishedUpload) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A finished upload as a send's bytes: read from the private upload dir, a
 * file of the daemon's own making (so not subject to the path policy that
 * guards the files callers name).
 */
export function uploadedFile(up: FinishedUpload): MediaFile {
  return { size: up.bytes, read: () => createReadStream(up.path, { highWaterMark: 64 << 10 }) };
}

export class Uploads {
  readonly #open = new Map<number, Upload>();
  /** Finished, not yet taken. */
  readonly #done = new Map<number, Upload>();
  readonly #files = new Set<string>();
  #pending = 0;
  #drained: Array<() => void> = [];
  #closed = false;

  constructor(
    readonly dir: string,
    readonly limits: UploadLimits,
  ) {}

  /** Uploads started or finished and not yet sent: the connection is not idle while it has any. */
  get active(): number {
    return this.#open.size + this.#done.size;
  }

  /** Bytes received but not yet on disk (the connection pauses reading above a bound). */
  get pendingBytes(): number {
    return this.#pending;
  }

  whenDrained(): Promise<void> {
    return this.#pending === 0 ? Promise.resolve() : new Promise((r) => this.#drained.push(r));
  }

  /** @throws IpcError INVALID_PAYLOAD (order, size, mismatch), RATE_LIMITED (too many open) */
  chunk(seq: number, header: BinaryChunkHeader, payload: Uint8Array): void {
    if (this.#closed) throw new IpcError('UNAVAILABLE', 'connection closing');
    let up = this.#open.get(seq);
    if (!up) {
      if (header.chunkIndex !== 0) throw new IpcError('INVALID_PAYLOAD', `upload ${seq} must start with chunk 0`, { upload: seq });
      if (this.#done.has(seq)) throw new IpcError('ALREADY_EXISTS', `upload ${seq} is finished and not yet sent`, { upload: seq });
      if (this.#open.size + this.#done.size >= this.limits.maxOpen) {
        throw new IpcError('RATE_LIMITED', `at most ${this.limits.maxOpen} uploads at once`, { upload: seq }, { retryAfter: 1000 });
      }
      up = this.#start(seq, header);
    } else if (header.chunkIndex !== up.next || header.totalChunks !== up.header.totalChunks) {
      this.#fail(seq, up, new IpcError('INVALID_PAYLOAD', `upload ${seq}: expected chunk ${up.next} of ${up.header.totalChunks}, got ${header.chunkIndex} of ${header.totalChunks}`, { upload: seq }));
      throw new IpcError('INVALID_PAYLOAD', `upload ${seq}: chunk out of order; upload dropped`, { upload: seq });
    }
    if (up.bytes + payload.length > this.limits.maxBytes) {
      this.#fail(seq, up, new IpcError('INVALID_PAYLOAD', `upload ${seq} is larger than ${this.limits.maxBytes} bytes`, { upload: seq }));
      throw new IpcError('INVALID_PAYLOAD', `upload ${seq} is larger than ${this.limits.maxBytes} bytes; upload dropped`, { upload: seq });
    }
    up.next++;
    up.bytes += payload.length;
    up.timer.refresh();
    const copy = Uint8Array.from(payload);
    this.#pending += copy.length;
    const u = up;
    up.writing = up.writing.then(async () => {
      try {
        const fh = await u.file;
        await fh.write(copy);
      } finally {
        this.#pending -= copy.length;
        if (this.#pending === 0) for (const r of this.#drained.splice(0)) r();
      }
    });
    if (up.next === up.header.totalChunks) this.#finish(seq, up);
  }

  /** Waits for upload `seq` to be complete and hands it over; the caller must release() the path. @throws IpcError NOT_FOUND, or the upload's failure */
  async take(seq: number): Promise<FinishedUpload> {
    const up = this.#open.get(seq) ?? this.#done.get(seq);
    if (!up) throw new IpcError('NOT_FOUND', `no upload ${seq} on this connection`, { upload: seq });
    const done = await up.done;
    this.#done.delete(seq);
    return done;
  }

  async release(path: string): Promise<void> {
    if (!this.#files.delete(path)) return;
    await rm(path, { force: true });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const [seq, up] of this.#open) this.#fail(seq, up, new IpcError('UNAVAILABLE', 'connection closed'));
    for (const up of this.#done.values()) clearTimeout(up.timer);
    this.#done.clear();
    await Promise.all([...this.#files].map((p) => this.release(p)));
  }

  #start(seq: number, header: BinaryChunkHeader): Upload {
    const path = join(this.dir, `${seq}-${randomBytes(8).toString('hex')}`);
    this.#files.add(path);
    let resolve!: (u: FinishedUpload) => void;
    let reject!: (e: Error) => void;
    const done = new Promise<FinishedUpload>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => {});
    const file = open(path, 'wx', 0o600);
    file.catch(() => {});
    const up: Upload = {
      path,
      file,
      header,
      next: 0,
      bytes: 0,
      writing: Promise.resolve(),
      done,
      resolve,
      reject,
      timer: setTimeout(() => this.#expire(seq), this.limits.idleMs),
    };
    up.timer.unref();
    this.#open.set(seq, up);
    return up;
  }

  #expire(seq: number): void {
    const open = this.#open.get(seq);
    if (open) return this.#fail(seq, open, new IpcError('INVALID_PAYLOAD', `upload ${seq} idle for ${this.limits.idleMs} ms; dropped`, { upload: seq }));
    const done = this.#done.get(seq);
    if (done) {
      this.#done.delete(seq);
      void this.release(done.path);
    }
  }

  #finish(seq: number, up: Upload): void {
    this.#open.delete(seq);
    this.#done.set(seq, up);
    up.writing
      .then(async () => (await up.file).close())
      .then(
        () => up.resolve({ path: up.path, mimeType: up.header.mimeType, type: up.header.type, bytes: up.bytes }),
        (err: unknown) => {
          // A full disk passes: the caller may send again once there is space, like a refused store write.
          const full = (err as NodeJS.ErrnoException).code === 'ENOSPC';
          up.reject(
            full
              ? new IpcError('UNAVAILABLE', `upload ${seq} could not be stored: storage full (ENOSPC)`, { upload: seq, storage: 'full', errno: 'ENOSPC' }, { cause: err })
              : new IpcError('INTERNAL_ERROR', `upload ${seq} could not be stored: ${(err as Error).message}`, { upload: seq }, { cause: err }),
          );
          void this.release(up.path);
        },
      );
  }

  #fail(seq: number, up: Upload, err: Error): void {
    clearTimeout(up.timer);
    this.#open.delete(seq);
    up.reject(err);
    void up.writing
      .then(async () => (await up.file).close())
      .catch(() => {})
      .then(() => this.release(up.path));
  }
}
