/**
 * The media endpoint: an HTTPS listener (WhatsApp clients upload over https
 * only) with a self-signed certificate for 127.0.0.1, whose PEM is written to
 * a file (`mediaCaPath`). Uploads (`POST /mms/<type>/<token>?auth=…&token=…`)
 * are stored as given — the server never sees media keys — after checking the
 * auth token issued by media_conn and, when the token is a SHA-256 (Baileys'
 * fileEncSha256), that it matches the body. Channel media comes unencrypted
 * to `/newsletter/newsletter-<type>/<token>` (token: the file's SHA-256) and
 * is answered with a `handle` too, which the post names as its `media_id`.
 * Downloads are `GET <direct_path>`. Bounded by blob count, blob size and
 * total bytes (oldest evicted).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { BlobStore, MediaEndpoint } from './hub.js';
import type { MediaFault, MediaFaults } from './faults.js';
import type { SimLimits } from './limits.js';
import type { SimStats } from './stats.js';

const MEDIA_TYPES = /^\/(mms\/(image|video|audio|document|md-app-state|md-msg-hist|ptt|sticker|thumbnail-link|gif|ppic)|product\/image|pps\/[a-z-]+|newsletter\/newsletter-(image|video|audio|ptt|document|sticker|gif|ptv))\/([A-Za-z0-9_-]{1,128})$/;
const DOWNLOAD_PATH = /^\/v\/t62\/[a-z-]+\/([0-9a-f]{32})(\.enc)?$/;
const MAX_AUTH_TOKENS = 10_000;

interface Blob {
  bytes: Buffer;
  type: string;
}

export class MediaServer implements MediaEndpoint, BlobStore {
  readonly #server: Server;
  readonly #limits: SimLimits;
  readonly #stats: SimStats;
  readonly #faults: MediaFaults;
  readonly #blobs = new Map<string, Blob>();
  readonly #auth = new Set<string>();
  /** Channel uploads' handles (bounded as the blobs are: a handle outlives its blob only as a name). */
  readonly #handles = new Set<string>();
  #total = 0;
  #hostname = '';
  readonly caPath: string;

  private constructor(server: Server, caPath: string, limits: SimLimits, stats: SimStats, faults: MediaFaults) {
    this.#server = server;
    this.caPath = caPath;
    this.#limits = limits;
    this.#stats = stats;
    this.#faults = faults;
    server.on('request', (req, res) => this.#handle(req, res));
  }

  /**
   * Generates the certificate and writes its PEM into `certDir`. The TLS
   * server does not listen: server.ts hands it the connections that start
   * with a TLS handshake on the shared port, then calls setHostname.
   */
  static async create(opts: { host: string; certDir: string; limits: SimLimits; stats: SimStats; faults: MediaFaults }): Promise<MediaServer> {
    const pems = await generate([{ name: 'commonName', value: opts.host }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
            ...(opts.host !== '127.0.0.1' && opts.host !== 'localhost' ? [{ type: 2 as const, value: opts.host }] : []),
          ],
        },
      ],
    });
    mkdirSync(opts.certDir, { recursive: true });
    const caPath = join(opts.certDir, 'media-ca.pem');
    writeFileSync(caPath, pems.cert);
    const server = createServer({ key: pems.private, cert: pems.cert });
    return new MediaServer(server, caPath, opts.limits, opts.stats, opts.faults);
  }

  /** The TLS server, fed connections by server.ts. */
  get tlsServer(): Server {
    return this.#server;
  }

  /** "host:port" as clients reach it (known once the shared port listens). */
  setHostname(hostname: string): void {
    this.#hostname = hostname;
  }

  get hostname(): string {
    return this.#hostname;
  }

  get url(): string {
    return `https://${this.#hostname}`;
  }

  get maxBlobBytes(): number {
    return this.#limits.maxMediaBlobBytes;
  }

  issueAuth(): string {
    const token = randomBytes(24).toString('base64');
    this.#auth.add(token);
    if (this.#auth.size > MAX_AUTH_TOKENS) this.#auth.delete(this.#auth.values().next().value as string);
    return token;
  }

  close(): void {
    this.#server.closeAllConnections();
  }

  putBlob(type: string, bytes: Uint8Array): string {
    const id = randomBytes(16).toString('hex');
    this.#store(id, { bytes: Buffer.from(bytes), type });
    return directPathOf(type, id);
  }

  getBlob(directPath: string): Uint8Array | undefined {
    return this.#blobAt(new URL(directPath, 'https://sim'))?.bytes;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://sim');
    const fault = req.method === 'POST' || req.method === 'GET' ? this.#faults.take(req.method) : undefined;
    if (fault) return this.#fail(req, res, fault);
    if (req.method === 'POST') return this.#upload(req, res, url);
    if (req.method === 'GET' || req.method === 'HEAD') return this.#download(req, res, url);
    send(res, 405, { error: 'method not allowed' });
  }

  /** An injected fault (POST /faults): a status instead of the answer, or a connection cut mid-transfer. */
  #fail(req: IncomingMessage, res: ServerResponse, fault: MediaFault): void {
    this.#stats.mediaFaults++;
    if (fault.kind === 'status') {
      req.resume();
      req.on('end', () => send(res, fault.status, { error: 'injected fault' }));
      return;
    }
    if (req.method === 'POST') {
      req.resume();
      req.on('end', () => res.socket?.destroy());
      return;
    }
    // A download: headers promise the whole blob, half of it comes, then the connection dies.
    const blob = this.#blobAt(new URL(req.url ?? '/', 'https://sim'));
    if (!blob) return void res.socket?.destroy();
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.bytes.length) });
    res.write(blob.bytes.subarray(0, Math.floor(blob.bytes.length / 2)), () => res.socket?.destroy());
  }

  #upload(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const m = MEDIA_TYPES.exec(url.pathname);
    const auth = url.searchParams.get('auth');
    if (!m || !auth || !this.#auth.has(auth)) {
      // Read and discard the body, so the client sees the answer rather than a reset.
      req.resume();
      req.on('end', () => (m ? send(res, 401, { error: 'bad auth' }) : send(res, 404, { error: 'unknown media path' })));
      return;
    }
    const token = m[4]!;
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > this.#limits.maxMediaBlobBytes) {
        failed = true;
        // Connection: close, so the client does not reuse the socket we are about to cut.
        res.setHeader('Connection', 'close');
        res.once('finish', () => req.destroy());
        send(res, 413, { error: 'too large' });
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      const body = Buffer.concat(chunks);
      const expected = Buffer.from(token, 'base64url');
      if (expected.length === 32 && !createHash('sha256').update(body).digest().equals(expected)) {
        return send(res, 400, { error: 'token is not the SHA-256 of the body' });
      }
      const type = m[1]!.split('/').pop()!;
      const id = randomBytes(16).toString('hex');
      this.#store(id, { bytes: body, type });
      this.#stats.mediaUploads++;
      const channel = m[3] !== undefined;
      const directPath = directPathOf(type, id, channel);
      const answer: Record<string, string> = { url: `https://${this.#hostname}${directPath}`, direct_path: directPath };
      if (channel) answer.handle = this.#newHandle();
      send(res, 200, answer);
    });
  }

  /** Whether `handle` is one a channel upload was answered with. */
  isChannelHandle(handle: string): boolean {
    return this.#handles.has(handle);
  }

  #newHandle(): string {
    const handle = randomBytes(18).toString('base64url');
    this.#handles.add(handle);
    if (this.#handles.size > this.#limits.maxMediaBlobs) this.#handles.delete(this.#handles.values().next().value as string);
    return handle;
  }

  #download(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const blob = this.#blobAt(url);
    if (!blob) return send(res, 404, { error: 'not found' });
    this.#stats.mediaDownloads++;
    let body = blob.bytes;
    let status = 200;
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, body.length - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      if (start > end || start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      headers['Content-Range'] = `bytes ${start}-${end}/${body.length}`;
      body = body.subarray(start, end + 1);
      status = 206;
    }
    headers['Content-Length'] = String(body.length);
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  #blobAt(url: URL): Blob | undefined {
    const m = DOWNLOAD_PATH.exec(url.pathname);
    return m ? this.#blobs.get(m[1]!) : undefined;
  }

  #store(id: string, blob: Blob): void {
    this.#blobs.set(id, blob);
    this.#total += blob.bytes.length;
    while (this.#blobs.size > this.#limits.maxMediaBlobs || this.#total > this.#limits.maxMediaBytes) {
      const [oldest, b] = this.#blobs.entries().next().value as [string, Blob];
      this.#blobs.delete(oldest);
      this.#total -= b.bytes.length;
    }
  }
}

/** Where a blob is served; a channel's file (not encrypted) has no `.enc`. */
function directPathOf(type: string, id: string, unencrypted = false): string {
  return `/v/t62/${type}/${id}${unencrypted ? '' : '.enc'}?ccb=sim`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
