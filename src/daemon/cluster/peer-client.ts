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
 * told so. A download (`download`) goes through the same agent and counts
 * against the same bound for as long as its bytes stream (peer-download.ts).
 * Owns that exchange; which daemon to ask is the router's.
 */
import type { Readable } from 'node:stream';
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { MediaDownload } from '../../contract/api.js';
import { PeerError, readAnswer, StaleConnection, type PeerAnswer } from './peer-answer.js';
export { PeerError, type PeerAnswer } from './peer-answer.js';
import { MEDIA_PATH, peerDownload } from './peer-download.js';
import type { ClusterSecret } from './secret.js';

export const FORWARD_PATH = '/wad-cluster/v1/request';
/** The frame's length in bytes when an upload's bytes follow it in the body. */
export const FRAME_BYTES_HEADER = 'x-wad-frame-bytes';
/** Which daemon forwarded the request (for the owner's logs). */
export const FORWARDED_BY_HEADER = 'x-wad-forwarded-by';

/** Bytes sent after the frame: an upload's `bytes`, read anew from `open()` at each attempt. */
export interface PeerUpload {
  readonly bytes: number;
  open(): Readable;
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
   * `timeoutMs` shortens the exchange's bound (a read that must not hold its caller long).
   * @throws PeerError
   */
  async post(endpoint: string, frame: Record<string, unknown>, file?: PeerUpload, timeoutMs = this.#options.timeoutMs): Promise<PeerAnswer> {
    if (this.#inflight >= this.#options.maxInflight) throw new PeerError('busy', `${this.#inflight} forwarded requests in flight already`, false);
    const json = Buffer.from(JSON.stringify(frame), 'utf8');
    if (json.length > this.#options.maxBytes) return { ok: false, error: { code: 'INVALID_PAYLOAD', message: `the request is ${json.length} bytes: a forwarded request takes at most ${this.#options.maxBytes} (cluster.maxForwardBytes)` } };
    const url = urlOf(FORWARD_PATH, endpoint);
    this.#inflight++;
    try {
      try {
        return await this.#exchange(url, json, file, timeoutMs);
      } catch (err) {
        // A kept-alive connection the owner closed meanwhile: nothing reached it, so once more on a new one.
        if (err instanceof StaleConnection) return await this.#exchange(url, json, file, timeoutMs);
        throw err;
      }
    } finally {
      this.#inflight--;
    }
  }

  /**
   * A media:download frame for the daemon at `endpoint`: its refusal, or the file's bytes
   * streaming in (one slot of maxInflight until the stream is read or dropped).
   * @throws PeerError when no answer came; the stream fails with one when it breaks off
   */
  async download(endpoint: string, frame: Record<string, unknown>): Promise<PeerAnswer | MediaDownload> {
    if (this.#inflight >= this.#options.maxInflight) throw new PeerError('busy', `${this.#inflight} forwarded requests in flight already`, false);
    const json = Buffer.from(JSON.stringify(frame), 'utf8');
    const url = urlOf(MEDIA_PATH, endpoint);
    const { timeoutMs, maxBytes, secret, daemonId } = this.#options;
    const attempt = (): Promise<PeerAnswer | MediaDownload> => {
      this.#inflight++;
      return peerDownload(url, json, {
        agent: this.#agent,
        headers: { authorization: secret.header, [FORWARDED_BY_HEADER]: daemonId },
        timeoutMs,
        connectMs: Math.min(CONNECT_MS, timeoutMs),
        idleMs: timeoutMs,
        maxBytes,
        onClose: () => this.#inflight--,
      });
    };
    // A kept-alive connection the owner closed meanwhile: nothing reached it, so once more on a new one.
    return attempt().catch((err: unknown) => (err instanceof StaleConnection ? attempt() : Promise.reject(err)));
  }

  close(): void {
    this.#agent.destroy();
  }

  #exchange(url: URL, json: Buffer, file: PeerUpload | undefined, timeoutMs: number): Promise<PeerAnswer> {
    const { maxBytes, secret, daemonId } = this.#options;
    return new Promise<PeerAnswer>((resolve, reject) => {
      let delivered = false;
      let settled = false;
      let bytes: Readable | undefined;
      const timers: NodeJS.Timeout[] = [];
      const finish = (err: PeerError | undefined, answer?: PeerAnswer): void => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        if (err) {
          bytes?.destroy();
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
      bytes = file.open();
      bytes.on('error', (err) => finish(new PeerError('unreachable', `the upload could not be read: ${err.message}`, false)));
      bytes.pipe(req);
    });
  }
}

/** @throws PeerError unreachable when the endpoint is not an address */
function urlOf(path: string, endpoint: string): URL {
  try {
    return new URL(path, endpoint);
  } catch {
    throw new PeerError('unreachable', `endpoint ${JSON.stringify(endpoint)} is not an http:// address`, false);
  }
}
