/**
 * HTTPS to media hosts over node:https with one keep-alive agent. Trust is
 * the system's CAs or, when the config names one (`server.mediaCaPath`, the
 * simulator's self-signed certificate), that CA: verification is never
 * turned off. Only https URLs are fetched, redirects included.
 *
 * Owns requests and their failures (as MediaError); what a status means for
 * an upload or a download is upload.ts's and download.ts's.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import type { Readable } from 'node:stream';
import { MediaError, toMediaError } from './errors.js';

export interface MediaHttpOptions {
  /** PEM of the CA to trust instead of the system's. */
  ca?: string | Buffer;
  /** A request fails with TIMEOUT after this long without a byte moving (default 30 s). */
  idleTimeoutMs?: number;
  /** Sockets per host (default 4). */
  maxSockets?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** WhatsApp Web's origin; media hosts expect it. */
const ORIGIN = 'https://web.whatsapp.com';
const MAX_REDIRECTS = 3;
const MAX_ANSWER_BYTES = 64 * 1024;

export class MediaHttp {
  readonly #agent: Agent;
  readonly #idle: number;

  constructor(opts: MediaHttpOptions = {}) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 4, ...(opts.ca ? { ca: opts.ca } : {}) });
    this.#idle = opts.idleTimeoutMs ?? 30_000;
  }

  /** With the CA file from the config (`server.mediaCaPath`; null: system CAs). @throws MediaError IO */
  static async fromCaFile(caPath: string | null, opts: Omit<MediaHttpOptions, 'ca'> = {}): Promise<MediaHttp> {
    if (caPath === null) return new MediaHttp(opts);
    try {
      return new MediaHttp({ ...opts, ca: await readFile(caPath) });
    } catch (cause) {
      throw new MediaError('IO', `cannot read the media CA ${caPath}`, { cause });
    }
  }

  /**
   * POSTs `length` bytes from `body()` (called again on a redirect) and
   * collects the (small) answer.
   * @throws MediaError NETWORK, TIMEOUT, ABORTED, IO, HTTP_STATUS (bad redirect)
   */
  async post(url: string, body: () => Readable, length: number, opts: RequestOptions = {}): Promise<{ status: number; body: Buffer }> {
    for (let hop = 0; ; hop++) {
      const res = await this.#send('POST', url, opts, { body, length });
      const next = redirect(res, url, hop);
      if (next) {
        res.resume();
        url = next;
        continue;
      }
      return { status: res.statusCode ?? 0, body: await collect(res, MAX_ANSWER_BYTES) };
    }
  }

  /**
   * GETs `url`; the caller reads (or resume()s) the response.
   * @throws MediaError NETWORK, TIMEOUT, ABORTED, HTTP_STATUS (bad redirect)
   */
  async get(url: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    for (let hop = 0; ; hop++) {
      const res = await this.#send('GET', url, opts);
      const next = redirect(res, url, hop);
      if (!next) return res;
      res.resume();
      url = next;
    }
  }

  /** Closes idle sockets. */
  close(): void {
    this.#agent.destroy();
  }

  #send(method: 'GET' | 'POST', url: string, opts: RequestOptions, upload?: { body: () => Readable; length: number }): Promise<IncomingMessage> {
    if (!url.startsWith('https://')) return Promise.reject(new MediaError('HTTP_STATUS', `refusing a non-https media URL: ${url}`));
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Origin: ORIGIN, ...opts.headers };
      if (upload) {
        headers['Content-Type'] = 'application/octet-stream';
        headers['Content-Length'] = String(upload.length);
      }
      const req = request(url, { method, agent: this.#agent, headers, ...(opts.signal ? { signal: opts.signal } : {}) });
      let failed = false;
      const fail = (e: unknown): void => {
        if (failed) return;
        failed = true;
        reject(toMediaError(e, 'NETWORK', `${method} ${new URL(url).host}`));
      };
      req.setTimeout(this.#idle, () => req.destroy(new MediaError('TIMEOUT', `no media traffic for ${this.#idle} ms`)));
      req.on('error', fail);
      req.on('response', (res) => {
        // From here on, failures surface on the response stream, which the caller reads.
        failed = true;
        resolve(res);
      });
      if (!upload) return void req.end();
      let src: Readable;
      try {
        src = upload.body();
      } catch (e) {
        req.destroy();
        return fail(toMediaError(e, 'IO', 'media upload source'));
      }
      src.on('error', (e) => {
        fail(toMediaError(e, 'IO', 'media upload source'));
        req.destroy();
      });
      req.on('close', () => src.destroy());
      src.pipe(req);
    });
  }
}

function redirect(res: IncomingMessage, url: string, hop: number): string | undefined {
  const status = res.statusCode ?? 0;
  if (status < 300 || status >= 400 || status === 304 || !res.headers.location) return undefined;
  if (hop >= MAX_REDIRECTS) throw new MediaError('HTTP_STATUS', `more than ${MAX_REDIRECTS} redirects`, { status });
  const next = new URL(res.headers.location, url);
  if (next.protocol !== 'https:') throw new MediaError('HTTP_STATUS', `refusing a redirect to ${next.protocol}`, { status });
  return next.href;
}

/** The body, up to `max` bytes. @throws MediaError NETWORK, BAD_RESPONSE when longer */
function collect(res: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        res.destroy(new MediaError('BAD_RESPONSE', `media host answer over ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (e) => reject(toMediaError(e, 'NETWORK', 'media host answer')));
  });
}
