/**
 * The receiving end of one media:download: its DOWNLOAD_CHUNK frames,
 * checked to come in order, kept in memory or written to a file (created
 * 0600, never over an existing one; reading from the socket pauses while the
 * disk lags), then checked against the ack's totals. A failed download
 * leaves no file. Owns one download's bytes; must not send requests.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { BinaryChunkHeader, MediaDownloadResult } from '../contract/frames.js';
import { WadClientError } from './errors.js';

/** A downloaded media file: in `data`, or at `path` when a destination was given. */
export interface DownloadedFile {
  /** image, video, audio, document, sticker. */
  type: string;
  mimeType: string;
  fileLength: number;
  fileName?: string;
  data?: Buffer;
  path?: string;
}

export class DownloadSink {
  readonly #path: string | undefined;
  readonly #flow: (paused: boolean) => void;
  #file: WriteStream | undefined;
  readonly #chunks: Buffer[] = [];
  #next = 0;
  #bytes = 0;
  #error: Error | undefined;
  #holding = false;

  private constructor(path: string | undefined, flow: (paused: boolean) => void) {
    this.#path = path;
    this.#flow = flow;
  }

  /** @param flow pauses (true) or resumes (false) reading from the socket. @throws the fs error when `to` exists or cannot be created */
  static async create(opts: { to?: string | undefined; flow: (paused: boolean) => void }): Promise<DownloadSink> {
    const sink = new DownloadSink(opts.to, opts.flow);
    if (opts.to !== undefined) {
      const file = createWriteStream(opts.to, { flags: 'wx', mode: 0o600 });
      await new Promise<void>((resolve, reject) => {
        file.once('open', () => resolve());
        file.once('error', reject);
      });
      file.on('error', (err) => (sink.#error ??= err));
      sink.#file = file;
    }
    return sink;
  }

  /** One frame of this download (in the socket's order). */
  chunk(header: BinaryChunkHeader, payload: Uint8Array): void {
    if (this.#error) return;
    if (header.chunkIndex !== this.#next || header.chunkIndex >= header.totalChunks) {
      this.#error = new WadClientError('INTERNAL_ERROR', `download chunk ${header.chunkIndex} of ${header.totalChunks} arrived, expected ${this.#next}`);
      return;
    }
    this.#next++;
    this.#bytes += payload.length;
    if (!this.#file) {
      this.#chunks.push(Buffer.from(payload));
      return;
    }
    if (!this.#file.write(payload) && !this.#holding) {
      this.#holding = true;
      this.#flow(true);
      this.#file.once('drain', () => this.#release());
    }
  }

  /** Checks the totals the ack gave and hands the file over. @throws WadClientError INTERNAL_ERROR when chunks went missing; fs errors */
  async finish(r: MediaDownloadResult): Promise<DownloadedFile> {
    if (!this.#error && (this.#next !== r.totalChunks || this.#bytes !== r.fileLength)) {
      this.#error = new WadClientError('INTERNAL_ERROR', `download ${r.download}: got ${this.#bytes} bytes in ${this.#next} chunks, the daemon sent ${r.fileLength} in ${r.totalChunks}`);
    }
    if (this.#error) throw this.#error;
    const info = { type: r.type, mimeType: r.mimeType, fileLength: r.fileLength, ...(r.fileName !== undefined ? { fileName: r.fileName } : {}) };
    if (!this.#file) return { ...info, data: Buffer.concat(this.#chunks) };
    const file = this.#file;
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    this.#release();
    if (this.#error) throw this.#error;
    return { ...info, path: this.#path! };
  }

  /** Drops what arrived (and the file). */
  async abort(): Promise<void> {
    this.#chunks.length = 0;
    this.#release();
    if (!this.#file) return;
    this.#file.destroy();
    await rm(this.#path!, { force: true });
  }

  #release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.#flow(false);
  }
}
