/**
 * GETs of web pages and images for link previews, bounded every way a page
 * on the internet could hold the daemon: one deadline for the whole preview
 * (the caller's signal), a byte cap on each body (counted as decoded, so a
 * compressed bomb stops at the cap too), a bounded number of redirects, each
 * hop http(s) only, and, unless the config allows private networks, only
 * public addresses (checked on the resolved address at connect time, see
 * address-policy.ts). One keep-alive agent for every account.
 */
import { isIP } from 'node:net';
import { Agent, fetch, type Response } from 'undici';
import { assertPublic, publicOnlyLookup } from './address-policy.js';
import { LinkPreviewError } from './errors.js';

export interface WebFetchOptions {
  /** Fetch from loopback, private, link-local and ULA addresses too (tests, intranets). */
  readonly allowPrivateNetworks: boolean;
  /** Largest page read, bytes (its head is what a preview needs). */
  readonly maxPageBytes: number;
  /** Largest image read, bytes. */
  readonly maxImageBytes: number;
  readonly maxRedirects: number;
}

export interface Fetched {
  /** The URL the body came from, after redirects. */
  readonly url: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

// Sites give their Open Graph tags to WhatsApp's fetcher; some give a bare page to unknown agents.
const USER_AGENT = 'WhatsApp/2.24 (wad link preview)';

export class WebFetcher {
  readonly #opts: WebFetchOptions;
  readonly #agent: Agent;

  constructor(opts: WebFetchOptions) {
    this.#opts = opts;
    this.#agent = new Agent({
      keepAliveTimeout: 10_000,
      connections: 8,
      ...(opts.allowPrivateNetworks ? {} : { connect: { lookup: publicOnlyLookup } }),
    });
  }

  /** An HTML page. @throws LinkPreviewError */
  page(url: string, signal: AbortSignal): Promise<Fetched> {
    return this.#get(url, signal, 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1', this.#opts.maxPageBytes, (t) => /^(text\/html|application\/xhtml\+xml)\b/i.test(t), 'HTML');
  }

  /** An image. @throws LinkPreviewError */
  image(url: string, signal: AbortSignal): Promise<Fetched> {
    return this.#get(url, signal, 'image/*', this.#opts.maxImageBytes, (t) => /^image\//i.test(t), 'an image');
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  async #get(start: string, signal: AbortSignal, accept: string, cap: number, fits: (contentType: string) => boolean, what: string): Promise<Fetched> {
    let url = httpUrl(start);
    for (let hop = 0; ; hop++) {
      // A literal address is connected to without a lookup: checked here instead.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!this.#opts.allowPrivateNetworks && isIP(host) !== 0) assertPublic(url.host, host);
      const res = await this.#fetch(url, accept, signal);
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel().catch(() => {});
        if (hop >= this.#opts.maxRedirects) throw new LinkPreviewError('REDIRECTS', `more than ${this.#opts.maxRedirects} redirects from ${start}`);
        url = httpUrl(new URL(res.headers.get('location')!, url).toString());
        continue;
      }
      if (res.status < 200 || res.status >= 300) {
        await res.body?.cancel().catch(() => {});
        throw new LinkPreviewError('HTTP_STATUS', `${url.host} answered ${res.status}`);
      }
      const contentType = res.headers.get('content-type') ?? '';
      if (!fits(contentType)) {
        await res.body?.cancel().catch(() => {});
        throw new LinkPreviewError('NOT_HTML', `${url.toString().slice(0, 200)} is not ${what} (${contentType.slice(0, 80) || 'no content type'})`);
      }
      return { url: url.toString(), contentType, body: await readCapped(res, cap, url, signal) };
    }
  }

  async #fetch(url: URL, accept: string, signal: AbortSignal): Promise<Response> {
    try {
      return await fetch(url, { dispatcher: this.#agent, redirect: 'manual', signal, headers: { accept, 'user-agent': USER_AGENT } });
    } catch (err) {
      throw fetchFailure(err, url, signal);
    }
  }
}

/** @throws LinkPreviewError NO_LINK (not http or https), REDIRECTS for a hop elsewhere */
function httpUrl(s: string): URL {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new LinkPreviewError('NO_LINK', `not a URL: ${s.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LinkPreviewError('REDIRECTS', `not an http(s) URL: ${s.slice(0, 200)}`);
  return url;
}

/** The body, refused once it passes `cap` bytes (announced or counted). */
async function readCapped(res: Response, cap: number, url: URL, signal: AbortSignal): Promise<Uint8Array> {
  const announced = Number(res.headers.get('content-length') ?? NaN);
  if (announced > cap) {
    await res.body?.cancel().catch(() => {});
    throw new LinkPreviewError('TOO_LARGE', `${url.host} sends ${announced} bytes, more than ${cap}`);
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const part of res.body ?? []) {
      size += part.byteLength;
      if (size > cap) throw new LinkPreviewError('TOO_LARGE', `${url.host} sends more than ${cap} bytes`);
      parts.push(part);
    }
  } catch (err) {
    await res.body?.cancel().catch(() => {});
    throw fetchFailure(err, url, signal);
  }
  return Buffer.concat(parts);
}

function fetchFailure(err: unknown, url: URL, signal: AbortSignal): LinkPreviewError {
  if (err instanceof LinkPreviewError) return err;
  if (signal.aborted) return new LinkPreviewError('TIMEOUT', `${url.host} did not answer in time`, { cause: err });
  // undici wraps what the socket said (our lookup's refusal included) as the cause of "fetch failed".
  let cause: unknown = err;
  for (let i = 0; i < 4 && cause instanceof Error; i++) {
    if (cause instanceof LinkPreviewError) return cause;
    cause = cause.cause;
  }
  const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
  return new LinkPreviewError('NETWORK', `${url.host}: ${why}`, { cause: err });
}
