/**
 * The forwarding daemon's side of a forwarded request: one HTTP POST to the
 * owner's endpoint (`/wad-cluster/v1/request`, the cluster secret as bearer),
 * the request frame as JSON, optionally followed by an upload's bytes, and
 * the owner's answer read back: `{ok, result}` or `{ok: false, error}`.
 *
 * Bounded: requests in flight (more are refused at once, not queued),
 * kept-alive connections, the answer's size, the time to connect and the
 * time to answer. A failure says whether the request may have reached the
 * owner (`delivered`): after that the outcome is unknown, and the caller is
 * told so. Owns that exchange; which daemon to ask is the router's.
 */
import { createReadStream } from 'node:fs';
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { ErrorPayload } from '../../contract/frames.js';
import { isErrorCode } from '../../contract/errors.js';
import type { ClusterSecret } from './secret.js';

export const FORWARD_PATH = '/wad-cluster/v1/request';
/** The frame's length in bytes when an upload's bytes follow it in the body. */
export const FRAME_BYTES_HEADER = 'x-wad-frame-bytes';
/** Which daemon forwarded the request (for the owner's logs). */
export const FORWARDED_BY_HEADER = 'x-wad-forwarded-by';

export type PeerAnswer = { ok: true; result: Record<string, unknown> } | { ok: false; error: ErrorPayload };

/** Why a forwarded request got no answer. */
export class PeerError extends Error {
  override readonly name = 'PeerError';
  constructor(
    readonly reason: 'busy' | 'unreachable' | 'timeout' | 'refused-secret' | 'bad-answer',
    message: string,
    /** Whether the whole request was written: the owner may have acted on it. */
    readonly delivered: boolean,
  ) {
    super(message);
  }
}

class StaleConnection extends PeerError {
  constructor(message: string) {
    super('unreachable', message, false);
  }
}

export interface PeerClientOptions {
  readonly secret: ClusterSecret;
  /** This daemon's id, sent along for the owner's logs. */
  readonly daemonId: string;
  /** The whole exchange, connecting included. */
  readonly timeoutMs: number;
  /** Largest answer read (and largest frame sent). */
  readonly maxBytes: number;
  /** Requests in flight at once. */
  readonly maxInflight: number;
}

/** An owner that does not even accept the connection in this long is unreachable, however long requests may take. */
const CONNECT_MS = 3000;
const IDLE_MS = 4000;

export class PeerClient {
  readonly #options: PeerClientOptions;
  readonly #agent: Agent;
  #inflight = 0;

  constructor(options: PeerClientOptions) {
    this.#options = options;
    // Idle connections are closed here before the owner's listener closes them (10 s at least), so a request rarely meets a closing one.
    this.#agent = new Agent({ keepAlive: true, timeout: IDLE_MS, maxSockets: options.maxInflight, maxTotalSockets: options.maxInflight, maxFreeSockets: 16 });
  }

  get inflight(): number {
    return this.#inflight;
  }

  /**
   * Sends the frame (and the file's bytes after it) to the daemon at `endpoint` (http://host:port).
   * @throws PeerError
   */
  async post(endpoint: string, frame: Record<string, unknown>, file?: { path: string; bytes: number }): Promise<PeerAnswer> {
    if (this.#inflight >= this.#options.maxInflight) throw new PeerError('busy', `${this.#inflight} forwarded requests in flight already`, false);
    const json = Buffer.from(JSON.stringify(frame), 'utf8');
    if (json.length > this.#options.maxBytes) return { ok: false, error: { code: 'INVALID_PAYLOAD', message: `the request is ${json.length} bytes: a forwarded request takes at most ${this.#options.maxBytes} (cluster.maxForwardBytes)` } };
    let url: URL;
    try {
      url = new URL(FORWARD_PATH, endpoint);
    } catch {
      throw new PeerError('unreachable', `endpoint ${JSON.stringify(endpoint)} is not an http:// address`, false);
    }
    this.#inflight++;
    try {
      try {
        return await this.#exchange(url, json, file);
      } catch (err) {
        // A kept-alive connection the owner closed meanwhile: nothing reached it, so once more on a new one.
        if (err instanceof StaleConnection) return await this.#exchange(url, json, file);
        throw err;
      }
    } finally {
      this.#inflight--;
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #exchange(url: URL, json: Buffer, file: { path: string; bytes: number } | undefined): Promise<PeerAnswer> {
    const { timeoutMs, maxBytes, secret, daemonId } = this.#options;
    return new Promise<PeerAnswer>((resolve, reject) => {
      let delivered = false;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (err: PeerError | undefined, answer?: PeerAnswer): void => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(answer!);
      };
      const headers: Record<string, string> = {
        authorization: secret.header,
        'content-type': file ? 'application/octet-stream' : 'application/json',
        'content-length': String(json.length + (file?.bytes ?? 0)),
        [FORWARDED_BY_HEADER]: daemonId,
      };
      if (file) headers[FRAME_BYTES_HEADER] = String(json.length);
      const req: ClientRequest = request(url, { method: 'POST', agent: this.#agent, headers });
      timers.push(setTimeout(() => finish(new PeerError('timeout', `no answer within ${timeoutMs} ms`, delivered)), timeoutMs));
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const t = setTimeout(() => finish(new PeerError('unreachable', `no connection within ${Math.min(CONNECT_MS, timeoutMs)} ms`, false)), Math.min(CONNECT_MS, timeoutMs));
        timers.push(t);
        socket.once('connect', () => clearTimeout(t));
      });
      req.on('error', (err) => finish(req.reusedSocket && !delivered ? new StaleConnection(err.message) : new PeerError(delivered ? 'bad-answer' : 'unreachable', err.message, delivered)));
      req.on('finish', () => (delivered = true));
      req.on('response', (res) => void readAnswer(res, maxBytes).then((a) => finish(undefined, a), (err: PeerError) => finish(err)));
      if (!file) {
        req.end(json);
        return;
      }
      req.write(json);
      const bytes = createReadStream(file.path);
      bytes.on('error', (err) => finish(new PeerError('unreachable', `the upload could not be read: ${err.message}`, false)));
      bytes.pipe(req);
    });
  }
}

/** The owner's answer: a JSON `{ok, …}` of at most maxBytes. @throws PeerError */
async function readAnswer(res: IncomingMessage, maxBytes: number): Promise<PeerAnswer> {
  const status = res.statusCode ?? 0;
  if (status === 401) {
    res.resume();
    throw new PeerError('refused-secret', 'it refused this daemon\'s cluster secret (cluster.secret differs between the daemons)', true);
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw new PeerError('bad-answer', `its answer is ${declared} bytes, over cluster.maxForwardBytes (${maxBytes})`, true);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw new PeerError('bad-answer', `its answer is over cluster.maxForwardBytes (${maxBytes})`, true);
    }
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new PeerError('bad-answer', `it answered HTTP ${status} with a body that is not JSON`, true);
  }
  const answer = asAnswer(body);
  if (!answer) throw new PeerError('bad-answer', `it answered HTTP ${status} without {ok, result|error}`, true);
  return answer;
}

function asAnswer(body: unknown): PeerAnswer | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { ok?: unknown; result?: unknown; error?: unknown };
  if (b.ok === true && typeof b.result === 'object' && b.result !== null && !Array.isArray(b.result)) return { ok: true, result: b.result as Record<string, unknown> };
  if (b.ok !== false || typeof b.error !== 'object' || b.error === null) return undefined;
  const e = b.error as { code?: unknown; message?: unknown; details?: unknown; retryAfter?: unknown };
  if (!isErrorCode(e.code) || typeof e.message !== 'string') return undefined;
  const error: ErrorPayload = { code: e.code, message: e.message };
  if (typeof e.details === 'object' && e.details !== null && !Array.isArray(e.details)) error.details = e.details as Record<string, unknown>;
  if (typeof e.retryAfter === 'number') error.retryAfter = e.retryAfter;
  return { ok: false, error };
}
