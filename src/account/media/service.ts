/**
 * MediaService: one account's media transfers — the media_conn cache, HTTPS
 * to media hosts, uploads (encrypt into a spool, then POST) and verified
 * downloads — behind two calls. The messaging layer builds image/video/…
 * messages from upload()'s answer and hands download() the fields of a
 * received one.
 */
import type { MediaType } from '../../protocol/media/index.js';
import { MediaDownloader, type DownloadOptions, type MediaRef } from './download.js';
import type { DownloadedMedia } from './downloaded.js';
import { encryptToSpool, spoolUnencrypted, type MediaSource } from './encrypt-source.js';
import type { MediaHttp } from './http.js';
import { MediaConnCache, type MediaConn } from './media-conn.js';
import { DEFAULT_MEDIA_RETRY, type MediaRetryPolicy } from './retry.js';
import { MediaUploader } from './upload.js';
import type { MediaVerifier } from './verify-off-thread.js';

export interface MediaServiceOptions {
  /** Runs the media_conn IQ. */
  fetchMediaConn: () => Promise<MediaConn>;
  http: MediaHttp;
  /** Temp files (encrypted blobs only) go here; the daemon's data dir is a good parent. */
  spoolDir: string;
  /** Blobs up to this size stay in memory (default 1 MiB). */
  memoryLimit?: number;
  /** Largest plaintext sent (default 2 GiB, WhatsApp's document limit). */
  maxUploadBytes?: number;
  /** Largest blob received (default 2 GiB). */
  maxDownloadBytes?: number;
  /** For the media_conn cache; Date.now when absent. */
  now?: () => number;
  /** Retries after a 5xx, a reset, a stall or a cut transfer (default DEFAULT_MEDIA_RETRY: 3 tries, 0.5 s then 1 s apart). */
  retry?: Partial<MediaRetryPolicy>;
  /** Verifies large downloads on a worker thread (the daemon's shared MediaVerifyThread); absent: on the event loop. */
  verifier?: MediaVerifier | undefined;
}

/** What a media message carries about its file, after upload. */
export interface UploadedMedia {
  type: MediaType;
  mediaKey: Uint8Array;
  directPath: string;
  url?: string;
  fileSha256: Uint8Array;
  fileEncSha256: Uint8Array;
  fileLength: number;
}

/** A channel's file after upload: not encrypted, so no key; the host's handle the post names. */
export interface UploadedChannelMedia {
  type: MediaType;
  directPath: string;
  url?: string;
  fileSha256: Uint8Array;
  fileLength: number;
  handle?: string;
}

const GiB2 = 2 * 1024 * 1024 * 1024;

export class MediaService {
  readonly conn: MediaConnCache;
  readonly #http: MediaHttp;
  readonly #uploader: MediaUploader;
  readonly #downloader: MediaDownloader;
  readonly #spool: { dir: string; memoryLimit?: number };
  readonly #maxUpload: number;

  constructor(opts: MediaServiceOptions) {
    this.conn = new MediaConnCache(opts.fetchMediaConn, opts.now ? { now: opts.now } : {});
    this.#http = opts.http;
    this.#spool = { dir: opts.spoolDir, ...(opts.memoryLimit !== undefined ? { memoryLimit: opts.memoryLimit } : {}) };
    this.#maxUpload = opts.maxUploadBytes ?? GiB2;
    const retry: MediaRetryPolicy = { ...DEFAULT_MEDIA_RETRY, ...opts.retry };
    this.#uploader = new MediaUploader({ http: this.#http, conn: this.conn, retry });
    this.#downloader = new MediaDownloader({ http: this.#http, conn: this.conn, spool: this.#spool, maxBytes: opts.maxDownloadBytes ?? GiB2, retry, verifier: opts.verifier });
  }

  /**
   * Encrypts and uploads. @throws MediaError (see encryptToSpool and MediaUploader.upload)
   */
  async upload(source: MediaSource, type: MediaType, opts: { signal?: AbortSignal; mediaKey?: Uint8Array } = {}): Promise<UploadedMedia> {
    const enc = await encryptToSpool(source, type, { ...this.#spool, maxBytes: this.#maxUpload, ...opts });
    try {
      const blob = { type, spool: enc.spool, length: enc.encLength, sha256: enc.fileEncSha256, channel: false };
      const where = await this.#uploader.upload(blob, opts.signal ? { signal: opts.signal } : {});
      return {
        type,
        mediaKey: enc.mediaKey,
        directPath: where.directPath,
        ...(where.url ? { url: where.url } : {}),
        fileSha256: enc.fileSha256,
        fileEncSha256: enc.fileEncSha256,
        fileLength: enc.fileLength,
      };
    } finally {
      await enc.spool.dispose();
    }
  }

  /**
   * Uploads a channel post's file as is: channel posts are not end-to-end
   * encrypted, and WhatsApp keeps their media unencrypted on its own path.
   * @throws MediaError (see spoolUnencrypted and MediaUploader.upload)
   */
  async uploadUnencrypted(source: MediaSource, type: MediaType, opts: { signal?: AbortSignal } = {}): Promise<UploadedChannelMedia> {
    const plain = await spoolUnencrypted(source, type, { ...this.#spool, maxBytes: this.#maxUpload, ...opts });
    try {
      const blob = { type, spool: plain.spool, length: plain.fileLength, sha256: plain.fileSha256, channel: true };
      const where = await this.#uploader.upload(blob, opts.signal ? { signal: opts.signal } : {});
      return { type, directPath: where.directPath, ...(where.url ? { url: where.url } : {}), fileSha256: plain.fileSha256, fileLength: plain.fileLength, ...(where.handle ? { handle: where.handle } : {}) };
    } finally {
      await plain.spool.dispose();
    }
  }

  /** Downloads and verifies; dispose the result when read. @throws MediaError (see MediaDownloader.download) */
  download(ref: MediaRef, opts?: DownloadOptions): Promise<DownloadedMedia> {
    return this.#downloader.download(ref, opts);
  }

  close(): void {
    this.#http.close();
  }
}
