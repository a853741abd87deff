/**
 * Second pass of an upload: the spooled blob is POSTed to a media host from
 * media_conn, `https://<host><type path>/<token>?auth=<auth>&token=<token>`
 * (token = unpadded base64url of fileEncSha256). Hosts are tried in order; a
 * 401/403 refreshes media_conn once and starts over; a host whose
 * maxContentLengthBytes is below the blob is skipped. When every host failed
 * with something passing (5xx, reset, stall) the whole round is tried again
 * after a pause (retry.ts). A channel's media goes unencrypted to the
 * channel path (token = the file's SHA-256), and the host answers a `handle`
 * the post names.
 */
import { channelUploadUrl, uploadUrl, type MediaType } from '../../protocol/media/index.js';
import type { Spool } from './spool.js';
import { MediaError } from './errors.js';
import type { MediaHttp } from './http.js';
import type { MediaConnCache } from './media-conn.js';
import { DEFAULT_MEDIA_RETRY, withMediaRetry, type MediaRetryPolicy } from './retry.js';

export interface UploadResult {
  /** Where the blob lives: direct_path as the host answered, or the path of its url. */
  directPath: string;
  /** The full URL when the host gave one. */
  url?: string;
  /** A channel upload's handle (the post's `media_id`). */
  handle?: string;
}

/** What is uploaded: the spooled bytes, their SHA-256 (the token) and length; `channel`: unencrypted to the channel path. */
export interface UploadBlob {
  type: MediaType;
  spool: Spool;
  length: number;
  sha256: Uint8Array;
  channel: boolean;
}

export class MediaUploader {
  readonly #http: MediaHttp;
  readonly #conn: MediaConnCache;
  readonly #retry: MediaRetryPolicy;

  constructor(deps: { http: MediaHttp; conn: MediaConnCache; retry?: MediaRetryPolicy }) {
    this.#http = deps.http;
    this.#conn = deps.conn;
    this.#retry = deps.retry ?? DEFAULT_MEDIA_RETRY;
  }

  /**
   * Uploads the spooled blob (the spool stays the caller's to dispose).
   * @throws MediaError MEDIA_CONN, AUTH, TOO_LARGE (every host refused the
   *   size), HTTP_STATUS, BAD_RESPONSE, NETWORK, TIMEOUT (the last host's
   *   failure, after the retries), ABORTED, NO_HOSTS
   */
  upload(media: UploadBlob, opts: { signal?: AbortSignal } = {}): Promise<UploadResult> {
    return withMediaRetry(this.#retry, opts.signal, () => this.#round(media, opts));
  }

  /** One try at every host. */
  async #round(media: UploadBlob, opts: { signal?: AbortSignal }): Promise<UploadResult> {
    let conn = await this.#conn.get();
    let refreshed = false;
    let last: MediaError | undefined;
    for (let i = 0; i < conn.hosts.length; i++) {
      const host = conn.hosts[i]!;
      if (host.maxContentLengthBytes && media.length > host.maxContentLengthBytes) {
        last = new MediaError('TOO_LARGE', `${media.length} bytes is over ${host.hostname}'s limit of ${host.maxContentLengthBytes}`);
        continue;
      }
      const url = (media.channel ? channelUploadUrl : uploadUrl)(host.hostname, media.type, media.sha256, conn.auth);
      let answer: { status: number; body: Buffer };
      try {
        answer = await this.#http.post(url, () => media.spool.read(), media.length, opts.signal ? { signal: opts.signal } : {});
      } catch (e) {
        if ((e as MediaError).code === 'ABORTED' || (e as MediaError).code === 'IO') throw e;
        last = e as MediaError;
        continue;
      }
      const { status } = answer;
      if (status === 401 || status === 403) {
        if (refreshed) throw new MediaError('AUTH', `${host.hostname} refused a fresh media_conn auth (${status})`, { status });
        this.#conn.invalidate();
        conn = await this.#conn.refresh();
        refreshed = true;
        i = -1;
        continue;
      }
      if (status < 200 || status >= 300) {
        last = new MediaError(status === 413 ? 'TOO_LARGE' : 'HTTP_STATUS', `${host.hostname} answered ${status} to an upload`, { status });
        continue;
      }
      const result = parseAnswer(answer.body);
      if (result) return result;
      last = new MediaError('BAD_RESPONSE', `${host.hostname} answered an upload without url or direct_path`, { status });
    }
    throw last ?? new MediaError('NO_HOSTS', 'media_conn listed no hosts');
  }
}

function parseAnswer(body: Buffer): UploadResult | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { url, direct_path: directPath, handle } = json as { url?: unknown; direct_path?: unknown; handle?: unknown };
  const u = typeof url === 'string' && url.startsWith('https://') ? url : undefined;
  const h = typeof handle === 'string' && handle !== '' && handle.length <= 512 ? { handle } : {};
  if (typeof directPath === 'string' && directPath.startsWith('/')) return { directPath, ...(u ? { url: u } : {}), ...h };
  if (!u) return undefined;
  const parsed = new URL(u);
  return { directPath: parsed.pathname + parsed.search, url: u, ...h };
}
