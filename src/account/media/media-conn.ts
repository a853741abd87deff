/**
 * MediaConnCache keeps the answer of the media_conn IQ — upload auth token,
 * hosts, lifetimes — and refetches it when stale or when a host refused it.
 * Concurrent callers share one fetch; a failed fetch is not cached. The IQ
 * itself is the caller's (passed in as a function), so this file depends on
 * no connection.
 *
 * Stale: after min(ttl, auth_ttl) seconds from the fetch, less a margin so a
 * long upload does not start with a token about to expire (whatsapp-rust
 * uses the minimum of the two; WhatsApp Web refreshes early likewise).
 */
import { MediaError } from './errors.js';

export interface MediaHost {
  /** "host[:port]" as media_conn lists it. */
  readonly hostname: string;
  readonly maxContentLengthBytes?: number | undefined;
}

/** What the media_conn IQ answers (src/protocol/iq/media-conn.ts parses it). Lifetimes in seconds. */
export interface MediaConn {
  readonly auth: string;
  readonly ttl: number;
  readonly authTtl?: number | undefined;
  readonly hosts: ReadonlyArray<MediaHost>;
}

export interface MediaConnCacheOptions {
  /** Milliseconds since the epoch; Date.now when absent (tests pass a fake clock). */
  now?: () => number;
  /** Treat the answer as stale this many ms early (default 60 s, at most half its lifetime). */
  marginMs?: number;
}

export class MediaConnCache {
  readonly #fetch: () => Promise<MediaConn>;
  readonly #now: () => number;
  readonly #margin: number;
  #conn: MediaConn | undefined;
  #expiresAt = 0;
  #pending: Promise<MediaConn> | undefined;
  #pendingGeneration = 0;
  /** Bumped by invalidate(), so a fetch started before it cannot store an old answer. */
  #generation = 0;

  constructor(fetch: () => Promise<MediaConn>, opts: MediaConnCacheOptions = {}) {
    this.#fetch = fetch;
    this.#now = opts.now ?? Date.now;
    this.#margin = opts.marginMs ?? 60_000;
  }

  /**
   * The cached answer while fresh, else a new one.
   * @throws MediaError MEDIA_CONN when the fetch fails or answers no hosts
   */
  get(): Promise<MediaConn> {
    if (this.#conn && this.#now() < this.#expiresAt) return Promise.resolve(this.#conn);
    return this.refresh();
  }

  /** Refetches unless a fetch started since the last invalidate() is running (then shares it). @throws as get() */
  refresh(): Promise<MediaConn> {
    if (this.#pending && this.#pendingGeneration === this.#generation) return this.#pending;
    const p = this.#load().finally(() => {
      if (this.#pending === p) this.#pending = undefined;
    });
    this.#pending = p;
    this.#pendingGeneration = this.#generation;
    return p;
  }

  /** Forget the answer (a host said 401/403): the next get() refetches. */
  invalidate(): void {
    this.#conn = undefined;
    this.#expiresAt = 0;
    this.#generation++;
  }

  async #load(): Promise<MediaConn> {
    const generation = this.#generation;
    const started = this.#now();
    let conn: MediaConn;
    try {
      conn = await this.#fetch();
    } catch (cause) {
      throw new MediaError('MEDIA_CONN', `media_conn failed: ${(cause as Error)?.message ?? cause}`, { cause });
    }
    if (!conn.auth || conn.hosts.length === 0) throw new MediaError('MEDIA_CONN', 'media_conn answered no auth or no hosts');
    const lifeMs = Math.max(0, Math.min(conn.ttl, conn.authTtl ?? Infinity)) * 1000;
    if (generation === this.#generation) {
      this.#conn = conn;
      this.#expiresAt = started + lifeMs - Math.min(this.#margin, lifeMs / 2);
    }
    return conn;
  }
}
