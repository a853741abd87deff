/**
 * The owner's side of a forwarded request: an HTTP listener at
 * `cluster.listen` that takes `POST /wad-cluster/v1/request` from the other
 * daemons of the cluster (and `/wad-cluster/v1/media`, a download: see
 * media-route.ts), checks the cluster secret (constant time), reads
 * the request frame (and an upload's bytes after it, into a private spool
 * file), and runs it through the control socket's own parser and dispatch,
 * with no forwarder: a forwarded request is never forwarded again. A request
 * for an account this daemon does not hold (its lease moved on since the
 * sender looked) is refused before anything runs, so the sender may look
 * again and resend it safely.
 *
 * Bounded: requests in flight (more: RATE_LIMITED), the frame's size, the
 * upload's size, a request that stalls mid-body. Every answer is
 * `{ok: true, result}` or `{ok: false, error}` (the error as the socket would
 * have sent it); 401 for a wrong secret, 413 for a body over the bounds.
 * Owns the listener; the forwarding decision is the router's.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DaemonApi } from '../../contract/api.js';
import type { ErrorPayload } from '../../contract/frames.js';
import { dispatch, type UploadSource } from '../../ipc/dispatch.js';
import { IpcError, toErrorPayload } from '../../ipc/errors.js';
import { accountOf } from '../../ipc/forwarding.js';
import { parseFrame, type Request } from '../../ipc/requests.js';
import type { FinishedUpload } from '../../ipc/uploads.js';
import { FORWARD_PATH, FORWARDED_BY_HEADER, FRAME_BYTES_HEADER, type PeerAnswer } from './peer-client.js';
import { serveDownload } from './media-route.js';
import { MEDIA_PATH } from './peer-download.js';
import type { ClusterSecret } from './secret.js';

export interface ForwardServerOptions {
  readonly listen: { readonly host: string; readonly port: number };
  readonly secret: ClusterSecret;
  readonly daemonId: string;
  /** Whether this daemon holds the account's lease now. */
  readonly held: (account: string) => boolean;
  readonly api: DaemonApi;
  readonly maxInflight: number;
  /** Largest frame. */
  readonly maxBytes: number;
  /** Largest upload after the frame. */
  readonly maxUploadBytes: number;
  /** Owner-only directory for uploads' bytes while their send runs. */
  readonly spoolDir: string;
  /** A body that stops arriving for this long is cut off. */
  readonly idleMs: number;
  readonly logger: Logger;
}

export interface ForwardServer {
  /** Where it listens (the port resolved when 0 was asked). */
  readonly address: { host: string; port: number };
  /** Stops taking requests; those in flight finish first. */
  close(): Promise<void>;
}

class TooLarge extends Error {}

/** @throws Error when the address cannot be bound */
export async function startForwardServer(o: ForwardServerOptions): Promise<ForwardServer> {
  await mkdir(o.spoolDir, { recursive: true, mode: 0o700 });
  let inflight = 0;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || (req.url !== FORWARD_PATH && req.url !== MEDIA_PATH)) return refuse(req, res, 404, { code: 'NOT_FOUND', message: `no route ${String(req.method)} ${String(req.url).slice(0, 100)}` });
    if (!o.secret.accepts(req.headers.authorization)) {
      o.logger.warn({ remote: req.socket.remoteAddress }, 'cluster: refused a forwarded request (wrong or missing secret)');
      return refuse(req, res, 401, { code: 'AUTH_INVALID', message: 'wrong cluster secret' });
    }
    if (inflight >= o.maxInflight) return refuse(req, res, 200, { code: 'RATE_LIMITED', message: `daemon ${o.daemonId} has ${inflight} forwarded requests in flight`, retryAfter: 1000 });
    inflight++;
    // A download holds its slot until its last byte left (or the connection broke).
    const handled = req.url === MEDIA_PATH ? serveDownload(req, res, o, (error, status = 200) => (status === 200 ? reply(res, status, error) : refuse(req, res, status, error))) : handle(req, res, o);
    void handled
      .catch((err: unknown) => {
        o.logger.warn({ err: (err as Error).message, from: req.headers[FORWARDED_BY_HEADER] }, 'cluster: a forwarded download broke off');
        res.destroy();
      })
      .finally(() => inflight--);
  });
  server.requestTimeout = 0; // a send may take long; a stalled body is cut by idleMs instead
  server.headersTimeout = Math.min(o.idleMs, 60_000);
  server.setTimeout(o.idleMs, (socket) => socket.destroy());
  server.maxHeadersCount = 32;
  // Longer than the forwarding side keeps an idle connection (4 s): it is the one to close it.
  server.keepAliveTimeout = Math.max(o.idleMs, 10_000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const address = { host: o.listen.host, port: typeof addr === 'object' && addr ? addr.port : o.listen.port };
  o.logger.info({ cluster: address }, 'cluster: taking forwarded requests');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, o: ForwardServerOptions): Promise<void> {
  let file: FinishedUpload | undefined;
  try {
    let body: { frame: Buffer; file?: FinishedUpload };
    try {
      body = await readBody(req, o);
    } catch (err) {
      if (err instanceof TooLarge) return refuse(req, res, 413, { code: 'INVALID_PAYLOAD', message: err.message });
      throw err;
    }
    file = body.file;
    let request: Request;
    try {
      request = parseFrame(JSON.parse(body.frame.toString('utf8')));
    } catch (err) {
      return reply(res, 200, toErrorPayload(err instanceof SyntaxError ? new IpcError('INVALID_PAYLOAD', 'the forwarded frame is not JSON') : err));
    }
    const account = accountOf(request);
    if (account !== undefined && !o.held(account)) {
      return reply(res, 200, { code: 'UNAVAILABLE', message: `account ${account} is not run by daemon ${o.daemonId} (its lease moved on)`, details: { account, owner: o.daemonId, notOwner: true } });
    }
    const uploads = spooled(file);
    try {
      answer(res, 200, { ok: true, result: await dispatch(request, { api: o.api, uploads, allowPaths: false, scope: undefined }) });
    } catch (err) {
      const error = toErrorPayload(err);
      if (error.code === 'INTERNAL_ERROR') o.logger.error({ err, account, type: request.type, from: req.headers[FORWARDED_BY_HEADER] }, 'cluster: forwarded request failed');
      reply(res, 200, error);
    }
  } catch (err) {
    o.logger.warn({ err: (err as Error).message, from: req.headers[FORWARDED_BY_HEADER] }, 'cluster: a forwarded request broke off');
    if (!res.headersSent) reply(res, 200, { code: 'UNAVAILABLE', message: `the forwarded request broke off: ${(err as Error).message}` });
  } finally {
    if (file) await rm(file.path, { force: true });
  }
}

/** The frame, and the upload's bytes after it (spooled to a file) when the sender said how long the frame is. */
async function readBody(req: IncomingMessage, o: ForwardServerOptions): Promise<{ frame: Buffer; file?: FinishedUpload }> {
  const framed = req.headers[FRAME_BYTES_HEADER];
  const frameBytes = framed === undefined ? undefined : Number(framed);
  if (frameBytes !== undefined && (!Number.isSafeInteger(frameBytes) || frameBytes < 2)) throw new TooLarge(`${FRAME_BYTES_HEADER} must be the frame's length`);
  const frameLimit = frameBytes ?? o.maxBytes;
  if (frameLimit > o.maxBytes) throw new TooLarge(`the frame is over ${o.maxBytes} bytes (cluster.maxForwardBytes)`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > frameLimit + (frameBytes !== undefined ? o.maxUploadBytes : 0)) throw new TooLarge(`the body is ${declared} bytes, over the bounds`);
  const head: Buffer[] = [];
  let headBytes = 0;
  let out: WriteStream | undefined;
  let path: string | undefined;
  let fileBytes = 0;
  try {
    // Refusing mid-body must leave the socket open for the 413 answer.
    for await (const c of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      let chunk = c;
      if (headBytes < frameLimit) {
        const take = chunk.subarray(0, frameLimit - headBytes);
        head.push(take);
        headBytes += take.length;
        chunk = chunk.subarray(take.length);
      }
      if (chunk.length === 0) continue;
      if (frameBytes === undefined) throw new TooLarge(`the frame is over ${o.maxBytes} bytes (cluster.maxForwardBytes)`);
      fileBytes += chunk.length;
      if (fileBytes > o.maxUploadBytes) throw new TooLarge(`the upload is over ${o.maxUploadBytes} bytes`);
      if (!out) {
        path = join(o.spoolDir, `forwarded-${randomBytes(9).toString('hex')}`);
        out = createWriteStream(path, { mode: 0o600 });
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (out) {
      out.end();
      await once(out, 'finish');
    }
  } catch (err) {
    out?.destroy();
    if (path) await rm(path, { force: true });
    throw err;
  }
  const frame = Buffer.concat(head);
  if (frameBytes === undefined || path === undefined) return { frame };
  const mimeType = mimeOf(frame) ?? 'application/octet-stream';
  return { frame, file: { path, mimeType, type: 'document', bytes: fileBytes } };
}

/** The frame's data.mimeType (the sender puts the upload's there). */
function mimeOf(frame: Buffer): string | undefined {
  try {
    const m = (JSON.parse(frame.toString('utf8')) as { data?: { mimeType?: unknown } }).data?.mimeType;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The spooled upload as the one upload of the request (deleted by the request's end, not by the send). */
function spooled(file: FinishedUpload | undefined): UploadSource {
  return {
    take: async () => {
      if (!file) throw new IpcError('INVALID_PAYLOAD', 'the forwarded request carried no upload', { field: 'data.upload' });
      return file;
    },
    release: async () => {},
  };
}

/** Answers before the body was read: the rest of it is thrown away and the connection closed after the answer. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: ErrorPayload): void {
  res.setHeader('connection', 'close');
  req.resume();
  reply(res, status, error);
}

function reply(res: ServerResponse, status: number, error: ErrorPayload): void {
  answer(res, status, { ok: false, error });
}

function answer(res: ServerResponse, status: number, body: PeerAnswer): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
