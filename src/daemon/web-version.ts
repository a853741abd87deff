/**
 * The WhatsApp Web build every account announces, kept current: WhatsApp
 * refuses a retired build at login (405), and retires builds every few
 * weeks, so a build fixed at release would one day stop every account.
 * It starts from the configured build (or the one wad was released with),
 * or the newer one fetched before (kept in the store across restarts); it
 * fetches the published one daily and whenever an account is refused.
 * Concurrent refreshes (a 405 on every account at once) share one fetch,
 * and one just done answers the next without fetching again.
 */
import type { Logger } from 'pino';
import { compareWebVersions, DEFAULT_WEB_VERSION, formatWebVersion, parseWebVersion, publishedWebVersion, type WebVersion } from '../protocol/pairing/index.js';
import type { Store } from '../store/index.js';

/** The page is a few kilobytes; more is not the service worker script. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
/** A refresh this soon after the last fetch answers with what that fetch found (no hammering the page). */
const MIN_REFETCH_MS = 30_000;
const RECORD = 'web-version';

export interface WebVersionOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** The configured build ("2.3000.<build>"), or null for the built-in one. */
  readonly configured: string | null;
  /** Where the build is published; null: never fetch. */
  readonly url: string | null;
  readonly refreshMs: number;
  readonly now?: () => number;
}

export class WebVersionKeeper {
  readonly #o: WebVersionOptions;
  readonly #now: () => number;
  #current: WebVersion;
  #fetching: Promise<WebVersion | undefined> | undefined;
  #fetchedAt = -Infinity;
  #timer: NodeJS.Timeout | undefined;

  private constructor(o: WebVersionOptions, current: WebVersion) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#current = current;
  }

  /** The configured build, or the one fetched before when that is newer. */
  static async open(o: WebVersionOptions): Promise<WebVersionKeeper> {
    const configured = (o.configured !== null ? parseWebVersion(o.configured) : undefined) ?? DEFAULT_WEB_VERSION;
    let current = configured;
    try {
      const cached = await o.store.daemonRecord(RECORD);
      const fetched = typeof cached?.version === 'string' ? parseWebVersion(cached.version) : undefined;
      if (fetched && compareWebVersions(fetched, configured) > 0) current = fetched;
    } catch (err) {
      o.logger.warn({ err }, 'the Web build fetched before could not be read: starting from the configured one');
    }
    return new WebVersionKeeper(o, current);
  }

  get current(): WebVersion {
    return this.#current;
  }

  /** Fetches daily from now on (the timer keeps no process alive). */
  startDaily(): void {
    if (!this.#o.url || this.#timer) return;
    this.#timer = setInterval(() => void this.refresh(), this.#o.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Fetches the published build and makes it the current one (stored for
   * the next start). Resolves the current build, or undefined when nothing
   * could be fetched; never rejects.
   */
  refresh(): Promise<WebVersion | undefined> {
    if (!this.#o.url) return Promise.resolve(undefined);
    if (this.#fetching) return this.#fetching;
    if (this.#now() - this.#fetchedAt < MIN_REFETCH_MS) return Promise.resolve(this.#current);
    this.#fetching = this.#fetch(this.#o.url).finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(url: string): Promise<WebVersion | undefined> {
    let published: WebVersion | undefined;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { 'sec-fetch-site': 'none', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      published = publishedWebVersion(await boundedText(res));
      if (!published) throw new Error('the page names no client_revision');
    } catch (err) {
      this.#o.logger.warn({ url, err: (err as Error).message }, 'could not fetch the published WhatsApp Web build');
      return undefined;
    }
    this.#fetchedAt = this.#now();
    if (compareWebVersions(published, this.#current) !== 0) {
      this.#o.logger.info({ from: formatWebVersion(this.#current), to: formatWebVersion(published) }, 'WhatsApp publishes a new Web build: announcing it from the next login');
      this.#current = published;
      await this.#o.store.putDaemonRecord(RECORD, { version: formatWebVersion(published), fetchedAt: this.#fetchedAt }).catch((err: unknown) => {
        this.#o.logger.warn({ err }, 'the fetched Web build could not be stored: it is used until the daemon stops');
      });
    }
    return this.#current;
  }
}

async function boundedText(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`the page is over ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
