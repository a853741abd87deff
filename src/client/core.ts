/**
 * The client side of the control socket: one WebSocket, requests matched to
 * their answers by id, event frames routed to their streams, reconnect with
 * backoff that resubscribes every stream from where it stopped, and media
 * uploads and downloads in binary frames. WadClient (client.ts) adds the typed verbs.
 * Owns the socket and the pending requests; must not know request semantics.
 */
import type WebSocket from 'ws';
import type { WadEvent } from '../contract/api.js';
import type { TypedWadEvent } from '../contract/events.js';
import { decodeBinaryFrame } from '../contract/binary.js';
import { BINARY_TYPE, PROTOCOL_VERSION, type BinaryChunkHeader, type MediaDownloadResult, type RequestMap, type RequestType } from '../contract/frames.js';
import { openSocket, type Endpoint } from './connection.js';
import type { DownloadSink } from './download.js';
import { WadClientError } from './errors.js';
import { PendingRequests } from './pending.js';
import { EventStream, type StreamHost, type SubscribeOptions } from './stream.js';
import { sendChunks } from './upload.js';
import { sleep } from './util.js';

export interface ReconnectOptions {
  initialMs?: number;
  maxMs?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number;
}

export interface WadClientOptions {
  /** The daemon's Unix socket. Default: $WAD_SOCKET, else <data dir>/wad.sock. */
  socket?: string;
  /** ws://host:port of the daemon's TCP listener instead of the socket (needs token). */
  url?: string;
  token?: string;
  /** Reconnect after a lost connection (default true). */
  reconnect?: boolean | ReconnectOptions;
  /** Per request (default 120 s: a send waits for the server's ack). */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * Offer permessage-deflate (the daemon then compresses frames over 1 KiB).
   * Default: true with `url` (TCP), false on the Unix socket, where it only costs CPU.
   */
  compression?: boolean;
}

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export type Route = { account?: string; chat?: string };

const SEEN_MAX = 4096;

export class ClientCore implements StreamHost {
  readonly #ep: Endpoint;
  readonly #opts: WadClientOptions;
  #ws: WebSocket | undefined;
  #status: ConnectionStatus = 'connecting';
  readonly #pending: PendingRequests;
  readonly #streams = new Map<EventStream, string | undefined>();
  readonly #eventListeners = new Set<(ev: TypedWadEvent) => void>();
  readonly #seen = new Set<string>();
  readonly #statusListeners = new Set<(s: ConnectionStatus, err?: Error) => void>();
  #connected: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #n = 0;
  #upload = 0;
  #download = 0;
  /** Downloads under way: their sink, and the request whose timer each chunk refreshes. */
  readonly #downloads = new Map<number, { requestId: string; sink: DownloadSink }>();
  #flowHolds = 0;
  readonly #prefix = `c${Math.random().toString(36).slice(2, 8)}-`;

  constructor(endpoint: Endpoint, opts: WadClientOptions) {
    this.#ep = endpoint;
    this.#opts = opts;
    this.#pending = new PendingRequests(opts.requestTimeoutMs ?? 120_000);
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Connects (once). @throws WadClientError UNAVAILABLE (no daemon), AUTH_*, TIMEOUT */
  async connect(): Promise<this> {
    if (this.#status === 'closed') throw new WadClientError('CLOSED', 'client closed');
    if (this.#ws) return this;
    const ws = await openSocket(this.#ep, this.#opts.connectTimeoutMs ?? 10_000);
    this.#attach(ws);
    return this;
  }

  /** Every event this connection receives, once: by its subscriptions, and connection:update after account:add. */
  onEvent(listener: (ev: TypedWadEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  onStatus(listener: (s: ConnectionStatus, err?: Error) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /**
   * One request, answered by its ack. @throws WadClientError with the daemon's
   * code, UNAVAILABLE if the connection was lost before the answer (the
   * request may or may not have run), TIMEOUT, CLOSED
   */
  request<T extends RequestType>(type: T, data: RequestMap[T]['data'], route: Route = {}): Promise<RequestMap[T]['result']> {
    return this.#request(type, data, route);
  }

  #request<T extends RequestType>(type: T, data: RequestMap[T]['data'], route: Route, onAck?: (data: Record<string, unknown>) => void, id = this.#nextId()): Promise<RequestMap[T]['result']> {
    // Connected (the usual case): sent at once, without waiting a turn for #ready().
    const ws = this.#status === 'connected' ? this.#ws : undefined;
    if (ws !== undefined) return this.#send(ws, type, data, route, onAck, id);
    return this.#ready().then((w) => this.#send(w, type, data, route, onAck, id));
  }

  #send<T extends RequestType>(ws: WebSocket, type: T, data: RequestMap[T]['data'], route: Route, onAck: ((data: Record<string, unknown>) => void) | undefined, id: string): Promise<RequestMap[T]['result']> {
    let frame: string;
    try {
      // One object literal: JSON.stringify leaves out the routing fields that are undefined.
      frame = JSON.stringify({ id, type, version: PROTOCOL_VERSION, timestamp: Date.now(), tenantId: route.account, conversationId: route.chat, data, ack: true });
    } catch (err) {
      return Promise.reject(err);
    }
    const answer = new Promise<RequestMap[T]['result']>((resolve, reject) => {
      this.#pending.add(id, { type, onAck, resolve: resolve as (data: Record<string, unknown>) => void, reject });
    });
    try {
      ws.send(frame, { compress: frame.length > 1024 });
    } catch (err) {
      this.#pending.take(id)?.reject(err as Error);
    }
    return answer;
  }

  /** A stream of events (see SubscribeOptions); iterate it with for await. */
  subscribe(opts: SubscribeOptions = {}): EventStream {
    const stream = new EventStream(this, opts);
    this.#streams.set(stream, undefined);
    if (this.#ws && this.#status === 'connected') void this.#resubscribe(stream);
    return stream;
  }

  /** Uploads bytes or a file in binary frames; resolves with the upload number for message:send. */
  async upload(source: Uint8Array | { path: string }, header: Omit<BinaryChunkHeader, 'chunkIndex' | 'totalChunks'>): Promise<number> {
    const ws = await this.#ready();
    const seq = (this.#upload = (this.#upload + 1) >>> 0);
    await sendChunks(ws, seq, source, header);
    return seq;
  }

  /**
   * media:download of one message: its chunks go to `sink` (in order) and the
   * ack's totals come back once the last one arrived. Each chunk restarts the
   * request timeout. @throws WadClientError as request()
   */
  async downloadInto(account: string, chat: string, messageId: string, sink: DownloadSink): Promise<MediaDownloadResult> {
    const seq = (this.#download = (this.#download + 1) >>> 0);
    const requestId = this.#nextId();
    this.#downloads.set(seq, { requestId, sink });
    try {
      return await this.#request('media:download', { messageId, download: seq }, { account, chat }, undefined, requestId);
    } finally {
      this.#downloads.delete(seq);
    }
  }

  /** Closes the connection; pending requests fail with CLOSED, streams end (done). */
  async close(): Promise<void> {
    if (this.#status === 'closed') return;
    await Promise.all([...this.#streams.keys()].map((s) => s.flush().catch(() => {})));
    this.#setStatus('closed');
    this.#wake?.();
    // Streams end (done), so a for-await over one just finishes.
    for (const s of this.#streams.keys()) s.end();
    this.#streams.clear();
    this.#rejectAll(new WadClientError('CLOSED', 'client closed'));
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState === ws.OPEN) {
      await new Promise<void>((r) => {
        ws.once('close', () => r());
        ws.close(1000);
        setTimeout(() => {
          ws.terminate();
          r();
        }, 1000).unref();
      });
    } else ws?.terminate();
  }

  // ---- StreamHost ---------------------------------------------------------

  async unsubscribe(stream: EventStream): Promise<void> {
    const id = this.#streams.get(stream);
    this.#streams.delete(stream);
    if (id !== undefined && this.#status === 'connected') await this.request('events:unsubscribe', { subscription: id });
  }

  async ack(name: string, account: string, seq: number): Promise<void> {
    await this.request('events:ack', { name, account, seq });
  }

  flow(paused: boolean): void {
    this.#flowHolds = Math.max(0, this.#flowHolds + (paused ? 1 : -1));
    if (!this.#ws) return;
    if (this.#flowHolds > 0) this.#ws.pause();
    else this.#ws.resume();
  }

  // ---- internals ----------------------------------------------------------

  async #ready(): Promise<WebSocket> {
    if (this.#status === 'closed') throw new WadClientError('CLOSED', 'client closed');
    if (!this.#ws) {
      if (this.#status === 'connecting') await this.connect();
      else if (this.#connected) await this.#withTimeout(this.#connected);
    }
    if (!this.#ws || this.#status !== 'connected') throw new WadClientError('UNAVAILABLE', 'not connected to the daemon');
    return this.#ws;
  }

  async #withTimeout(p: Promise<void>): Promise<void> {
    const ms = this.#opts.requestTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p, new Promise<void>((_r, reject) => (timer = setTimeout(() => reject(new WadClientError('TIMEOUT', `not reconnected within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
  }

  #attach(ws: WebSocket): void {
    this.#ws = ws;
    if (this.#flowHolds > 0) ws.pause();
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.#onFrame(data.toString());
      else this.#onBinary(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));
    });
    ws.on('error', () => {});
    ws.on('close', (code, reason) => this.#onClose(ws, code, reason.toString()));
    this.#setStatus('connected');
    for (const s of this.#streams.keys()) void this.#resubscribe(s);
  }

  async #resubscribe(stream: EventStream): Promise<void> {
    try {
      // The id must be known before the next frame (the first event) is read.
      await this.#request('events:subscribe', stream.request(), {}, (ack) => {
        if (!this.#streams.has(stream)) return;
        this.#streams.set(stream, ack['subscription'] as string);
        stream.id = ack['subscription'] as string;
      });
    } catch (err) {
      // Lost again before the answer: the next reconnect retries. Refused: the stream ends.
      if (!(err instanceof WadClientError) || err.code !== 'UNAVAILABLE') stream.fail(err as Error);
    }
  }

  #onFrame(text: string): void {
    let f: { type?: unknown; replyTo?: unknown; subscription?: unknown; tenantId?: unknown; timestamp?: unknown; conversationId?: unknown; data?: Record<string, unknown> };
    try {
      f = JSON.parse(text);
    } catch {
      return;
    }
    const data = f.data ?? {};
    if (typeof f.replyTo === 'string' && (f.type === 'ack' || f.type === 'error')) {
      const p = this.#pending.take(f.replyTo);
      if (!p) return;
      const err = f.type === 'error' ? data : data['success'] === false ? (data['error'] as Record<string, unknown>) : undefined;
      if (err) {
        const e = err as { code?: unknown; message?: unknown; details?: Record<string, unknown>; retryAfter?: unknown };
        p.reject(new WadClientError((e.code as 'INTERNAL_ERROR') ?? 'INTERNAL_ERROR', String(e.message ?? 'request failed'), e.details, typeof e.retryAfter === 'number' ? { retryAfter: e.retryAfter } : {}));
      } else {
        p.onAck?.(data);
        p.resolve(withoutSuccess(data));
      }
      return;
    }
    if (f.type === 'events:synced') {
      for (const [s, id] of this.#streams) if (id === f.subscription) s.markSynced();
      return;
    }
    if (typeof f.type !== 'string' || typeof f.tenantId !== 'string' || typeof data['seq'] !== 'number') return;
    const ev: WadEvent = {
      account: f.tenantId,
      seq: data['seq'],
      type: f.type as WadEvent['type'],
      t: typeof f.timestamp === 'number' ? f.timestamp : Date.now(),
      ...(typeof f.conversationId === 'string' ? { conversationId: f.conversationId } : {}),
      data,
    };
    if (typeof f.subscription === 'string') {
      for (const [s, id] of this.#streams) if (id === f.subscription) s.push(ev);
    }
    if (this.#eventListeners.size === 0) return;
    // Listeners see each event once, whether it came by a subscription or unasked (account:add).
    const key = `${ev.account}\u0000${ev.seq}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    if (this.#seen.size > SEEN_MAX) this.#seen.delete(this.#seen.values().next().value!);
    for (const l of this.#eventListeners) l(ev as unknown as TypedWadEvent);
  }

  #onBinary(buf: Buffer): void {
    let frame: ReturnType<typeof decodeBinaryFrame>;
    try {
      frame = decodeBinaryFrame(buf, BINARY_TYPE.DOWNLOAD_CHUNK);
    } catch {
      return;
    }
    const d = this.#downloads.get(frame.seq);
    if (!d) return;
    this.#pending.refresh(d.requestId);
    d.sink.chunk(frame.header, frame.payload);
  }

  #nextId(): string {
    return this.#prefix + (++this.#n).toString(36);
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.#ws !== ws) return;
    this.#ws = undefined;
    this.#rejectAll(new WadClientError('UNAVAILABLE', `connection to the daemon lost (${code}${reason ? ` ${reason}` : ''}); the request may or may not have been carried out`));
    if (this.#status === 'closed') return;
    const rc = this.#opts.reconnect ?? true;
    if (rc === false) {
      const err = new WadClientError('UNAVAILABLE', `connection to the daemon closed (${code})`);
      this.#setStatus('closed', err);
      for (const s of this.#streams.keys()) s.fail(err);
      return;
    }
    this.#setStatus('reconnecting');
    this.#connected = this.#reconnectLoop(rc === true ? {} : rc);
    this.#connected.catch(() => {});
  }

  async #reconnectLoop(o: ReconnectOptions): Promise<void> {
    let delay = o.initialMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      await new Promise<void>((r) => {
        this.#wake = r;
        setTimeout(r, delay * (0.8 + Math.random() * 0.4));
      });
      if (this.#status === 'closed') throw new WadClientError('CLOSED', 'client closed');
      try {
        const ws = await openSocket(this.#ep, this.#opts.connectTimeoutMs ?? 10_000);
        if ((this.#status as ConnectionStatus) === 'closed') {
          ws.terminate();
          throw new WadClientError('CLOSED', 'client closed');
        }
        this.#attach(ws);
        return;
      } catch (err) {
        const e = err as WadClientError;
        const fatal = ['AUTH_REQUIRED', 'AUTH_INVALID', 'TOKEN_EXPIRED', 'FORBIDDEN', 'CLOSED'].includes(e.code);
        if (fatal || attempt >= (o.maxAttempts ?? Infinity)) {
          this.#setStatus('closed', e);
          for (const s of this.#streams.keys()) s.fail(e);
          throw e;
        }
        delay = Math.min(delay * 2, o.maxMs ?? 5000);
        await sleep(0);
      }
    }
  }

  #rejectAll(err: Error): void {
    this.#pending.rejectAll(err);
  }

  #setStatus(s: ConnectionStatus, err?: Error): void {
    this.#status = s;
    for (const l of this.#statusListeners) l(s, err);
  }
}

/** An ack's data as the request's result: everything but the `success` flag. */
function withoutSuccess(data: Record<string, unknown>): Record<string, unknown> {
  const { success: _s, ...result } = data;
  return result;
}
