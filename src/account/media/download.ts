/**
 * Downloads with verify-then-release: the blob streams from a media host
 * through VerifyStream into a Spool, and a DownloadedMedia is returned only
 * once MAC, fileEncSha256, fileSha256 and the lengths all held. Nothing of a
 * blob that fails is ever handed on; its spool is removed.
 *
 * Where from: `https://<host><directPath>` with the host of the message's
 * url first, then media_conn's hosts (WhatsApp's CDN serves any direct path
 * from any of them), else the url itself. 404/410 is GONE: the file expired,
 * and only the sender can upload it again (a media retry request, through
 * the `reupload` callback). 401/403 drops the media_conn answer; 5xx,
 * network failures and short or cut transfers move on to the next host, and
 * when every host failed so, the download starts over after a pause
 * (retry.ts); a blob that arrives whole but fails a check (MAC, hashes) is
 * not retried. A channel's media is not encrypted: without a media key the
 * file itself is fetched and checked by its fileSha256 (required then) and
 * length, as whatsmeow does.
 */
import { pipeline } from 'node:stream/promises';
import { deriveMediaKeys, downloadUrl, encryptedLength, type MediaKeys, type MediaRef } from '../../protocol/media/index.js';
import { DownloadedMedia } from './downloaded.js';
import { MediaError, toMediaError } from './errors.js';
import type { MediaHttp } from './http.js';
import type { MediaConnCache } from './media-conn.js';
import { DEFAULT_MEDIA_RETRY, withMediaRetry, type MediaRetryPolicy } from './retry.js';
import { Spool, type SpoolOptions } from './spool.js';
import { HashStream, VerifyStream } from './streams.js';
import { OffThreadVerifyStream, type MediaVerifier } from './verify-off-thread.js';

export type { MediaRef } from '../../protocol/media/index.js';

export interface DownloadOptions {
  signal?: AbortSignal;
  /**
   * Asks the sender to upload the file again (a media retry receipt, see
   * src/protocol/media/retry.ts) and resolves with the new direct path. Called
   * at most once, when every host answered GONE.
   */
  reupload?: () => Promise<string>;
}

export interface MediaDownloaderOptions {
  http: MediaHttp;
  /** Hosts to try after the message url's; absent: only that url. */
  conn?: MediaConnCache;
  spool: SpoolOptions;
  /** Largest blob accepted (default 2 GiB). */
  maxBytes?: number;
  /** Tries after passing failures (default DEFAULT_MEDIA_RETRY). */
  retry?: MediaRetryPolicy;
  /** Verifies blobs of OFF_THREAD_FROM bytes and more on a worker thread, beside their download. */
  verifier?: MediaVerifier | undefined;
}

/**
 * Declared size from which a blob is verified off the event loop: below it the
 * copy to the worker costs about what it saves.
 */
export const OFF_THREAD_FROM = 1024 * 1024;

/** WhatsApp's CDN, when a message has a direct path and nothing names a host. */
const DEFAULT_HOST = 'mmg.whatsapp.net';
const RETRY_ON: ReadonlySet<string> = new Set(['HTTP_STATUS', 'NETWORK', 'TIMEOUT', 'TRUNCATED', 'AUTH']);

export class MediaDownloader {
  readonly #http: MediaHttp;
  readonly #conn: MediaConnCache | undefined;
  readonly #spool: SpoolOptions;
  readonly #maxBytes: number;
  readonly #retry: MediaRetryPolicy;
  readonly #verifier: MediaVerifier | undefined;

  constructor(opts: MediaDownloaderOptions) {
    this.#verifier = opts.verifier;
    this.#retry = opts.retry ?? DEFAULT_MEDIA_RETRY;
    this.#http = opts.http;
    this.#conn = opts.conn;
    this.#spool = opts.spool;
    this.#maxBytes = opts.maxBytes ?? 2 * 1024 * 1024 * 1024;
  }

  /**
   * @throws MediaError GONE (and no reupload, or it led to GONE again),
   *   REUPLOAD_FAILED, BAD_MAC, HASH_MISMATCH, TRUNCATED, TOO_LARGE,
   *   BAD_PADDING, LENGTH_MISMATCH, BAD_KEY, NO_HOSTS, HTTP_STATUS / NETWORK /
   *   TIMEOUT / AUTH (the last host's, after the retries), ABORTED
   */
  async download(ref: MediaRef, opts: DownloadOptions = {}): Promise<DownloadedMedia> {
    try {
      return await this.#withRetries(ref, opts.signal);
    } catch (e) {
      if ((e as MediaError).code !== 'GONE' || !opts.reupload) throw e;
      let directPath: string;
      try {
        directPath = await opts.reupload();
      } catch (cause) {
        throw new MediaError('REUPLOAD_FAILED', `the sender could not re-upload the media: ${(cause as Error)?.message ?? cause}`, { cause });
      }
      return this.#withRetries({ ...ref, directPath, url: undefined }, opts.signal);
    }
  }

  #withRetries(ref: MediaRef, signal: AbortSignal | undefined): Promise<DownloadedMedia> {
    return withMediaRetry(this.#retry, signal, () => this.#fromHosts(ref, signal));
  }

  async #fromHosts(ref: MediaRef, signal: AbortSignal | undefined): Promise<DownloadedMedia> {
    let keys: MediaKeys | undefined;
    if (ref.mediaKey) {
      try {
        keys = deriveMediaKeys(ref.mediaKey, ref.type);
      } catch (e) {
        throw toMediaError(e, 'BAD_KEY', 'media key');
      }
    } else if (ref.fileSha256?.length !== 32) {
      // Unencrypted media is trusted only as far as its hash vouches for it.
      throw new MediaError('BAD_KEY', 'media with neither a media key nor a fileSha256 to check it by');
    }
    let last: MediaError | undefined;
    for (const url of await this.#urls(ref)) {
      const expected = {
        ...(ref.fileEncSha256 ? { fileEncSha256: ref.fileEncSha256 } : {}),
        ...(ref.fileSha256 ? { fileSha256: ref.fileSha256 } : {}),
        ...(ref.fileLength !== undefined ? { fileLength: ref.fileLength } : {}),
        maxEncLength: this.#maxBytes,
      };
      const offThread = this.#verifier && (ref.fileLength ?? 0) >= OFF_THREAD_FROM;
      const check = keys
        ? offThread
          ? new OffThreadVerifyStream(this.#verifier!, keys, expected)
          : new VerifyStream(keys, expected)
        : new HashStream({ fileSha256: ref.fileSha256, fileLength: ref.fileLength, maxBytes: this.#maxBytes });
      const spool = new Spool(this.#spool);
      try {
        await this.#fetchInto(url, ref, check, spool, signal);
        if (check instanceof HashStream) return new DownloadedMedia({ type: ref.type, spool, ...check.result! });
        const r = check.result!;
        return new DownloadedMedia({ type: ref.type, keys, spool, fileLength: r.fileLength, fileSha256: r.fileSha256, fileEncSha256: r.fileEncSha256 });
      } catch (e) {
        await spool.dispose();
        const err = toMediaError(e, 'NETWORK', 'media download');
        if (err.code === 'AUTH') this.#conn?.invalidate();
        if (!RETRY_ON.has(err.code)) throw err;
        last = err;
      }
    }
    throw last ?? new MediaError('NO_HOSTS', 'no media host to download from');
  }

  async #fetchInto(url: string, ref: MediaRef, verify: VerifyStream | OffThreadVerifyStream | HashStream, spool: Spool, signal: AbortSignal | undefined): Promise<void> {
    const res = await this.#http.get(url, signal ? { signal } : {});
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      res.resume();
      const code = status === 404 || status === 410 ? 'GONE' : status === 401 || status === 403 ? 'AUTH' : 'HTTP_STATUS';
      throw new MediaError(code, `${new URL(url).host} answered ${status} to a download`, { status });
    }
    const declared = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
    if (declared !== undefined && Number.isSafeInteger(declared)) {
      const want = ref.fileLength === undefined ? undefined : ref.mediaKey ? encryptedLength(ref.fileLength) : ref.fileLength;
      const tooLarge = declared > this.#maxBytes || (want !== undefined && declared > want);
      if (tooLarge || (want !== undefined && declared < want)) {
        res.destroy();
        throw new MediaError(tooLarge ? 'TOO_LARGE' : 'TRUNCATED', `${new URL(url).host} serves ${declared} bytes, expected ${want ?? `at most ${this.#maxBytes}`}`);
      }
    }
    try {
      await pipeline(res, verify, spool, ...(signal ? [{ signal }] : []));
    } catch (e) {
      const err = toMediaError(e, 'NETWORK', 'media download');
      // The connection died mid-blob: a cut transfer, worth another host.
      if (err.code === 'NETWORK' && !signal?.aborted) {
        throw new MediaError('TRUNCATED', `media download cut after ${verify.received} bytes`, { cause: e });
      }
      throw err;
    }
    if (declared !== undefined && verify.received !== declared) {
      throw new MediaError('TRUNCATED', `media download ended after ${verify.received} of ${declared} bytes`);
    }
  }

  async #urls(ref: MediaRef): Promise<string[]> {
    if (!ref.directPath) {
      if (ref.url?.startsWith('https://')) return [ref.url];
      throw new MediaError('NO_HOSTS', 'media has neither a direct path nor an https url');
    }
    const hosts: string[] = [];
    if (ref.url) {
      try {
        hosts.push(new URL(ref.url).host);
      } catch {
        // A malformed url: the direct path still works on the other hosts.
      }
    }
    if (this.#conn) {
      try {
        for (const h of (await this.#conn.get()).hosts) hosts.push(h.hostname);
      } catch (e) {
        if (hosts.length === 0) throw e;
      }
    }
    if (hosts.length === 0) hosts.push(DEFAULT_HOST);
    return [...new Set(hosts)].map((h) => downloadUrl(h, ref.directPath!));
  }
}
