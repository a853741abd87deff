/**
 * One client of the control socket: reads its frames (text requests, binary
 * upload chunks), lets each request through the gate (expiry, scope, rate
 * limits: request-gate.ts), runs requests through dispatch(), answers exactly once per acked request, and
 * owns the connection's subscriptions and account:add watchers. Bounded:
 * requests in flight, uploads, and the send buffer (delivery pauses above the
 * high-water mark; the connection is closed 1008 above the hard limit or when
 * paused too long). A token's expiry ends the connection, subscribed or not:
 * no event leaves after it. Tells admission control whether it is idle.
 * Must not touch other connections.
 */
import type { WebSocket, RawData } from 'ws';
import type { DaemonApi, WadEvent } from '../contract/api.js';
import { BinaryLayoutError, decodeBinaryFrame } from '../contract/binary.js';
import { dispatch, type DispatchContext } from './dispatch.js';
import { sendDownload } from './downloads.js';
import { IpcError, toErrorPayload } from './errors.js';
import { ackFrame, errorFrame, eventFrame, nackFrame } from './frames.js';
import { CLOSE, type ErrorPayload } from '../contract/frames.js';
import { KeyedLimiter, TokenBucket } from './rate-limit.js';
import { FrameRejection, parseRequest, type Request } from './requests.js';
import { refuseRequest, type GateState } from './request-gate.js';
import { watchExpiry } from './auth.js';
import { Subscription, type Outlet } from './subscription.js';
import type { Admitted } from './admission.js';
import type { IpcLogger, ResolvedOptions } from './options.js';
import { Uploads } from './uploads.js';

export interface ConnectionAuth {
  kind: 'unix' | 'tcp';
  /** Accounts the token may act on; undefined: all. */
  scope: ReadonlySet<string> | undefined;
  /** Unix ms after which the token is refused. */
  expiresAt: number | undefined;
}

interface Shared {
  api: DaemonApi;
  opts: ResolvedOptions;
  accountLimiter: KeyedLimiter;
  log: IpcLogger;
}

const COMPRESS_ABOVE = 1024;
// ws copies its options: one constant each rather than an object per frame.
const COMPRESSED = { compress: true } as const;
const PLAIN = { compress: false } as const;
const BINARY_COMPRESSED = { binary: true, compress: true } as const;
const BINARY_PLAIN = { binary: true, compress: false } as const;

/** Upload bytes not yet on disk above which the connection stops reading. */
const UPLOAD_PAUSE_BYTES = 8 << 20;

export class Connection implements Outlet, Admitted {
  readonly #ws: WebSocket;
  readonly #shared: Shared;
  readonly #bucket: TokenBucket;
  readonly #subs = new Map<string, Subscription>();
  /** account:add callers get connection:update of that account until it is online. */
  readonly #watch = new Set<string>();
  readonly #uploads: Uploads;
  #inflight = 0;
  #liveCount = 0;
  #pausedAt: number | undefined;
  #closed = false;
  #alive = true;
  #pingAt: number;
  /** Last frame received (admission's idle clock). */
  #heardAt: number;
  /** Ends the connection at the token's expiry, whether or not it says anything by then. */
  readonly #expiry: { cancel(): void };
  /** What the request gate reads, kept for the connection's life (only `inflight` changes). */
  readonly #gate: GateState;
  /** What dispatch() needs, the same for every request of the connection. */
  readonly #context: DispatchContext;
  /** Made once: a closure per frame sent is garbage on the hottest path. */
  readonly #onSent = (err?: Error): void => {
    if (!err) this.#maybeResume();
  };

  constructor(
    readonly id: string,
    ws: WebSocket,
    readonly auth: ConnectionAuth,
    shared: Shared,
  ) {
    this.#ws = ws;
    this.#shared = shared;
    this.#bucket = new TokenBucket(shared.opts.rateLimit, shared.opts.now());
    this.#uploads = new Uploads(shared.opts.uploadDir, shared.opts.uploads);
    this.#pingAt = shared.opts.now();
    this.#heardAt = this.#pingAt;
    this.#expiry = watchExpiry(auth.expiresAt, shared.opts.now, () => this.#expired());
    this.#context = { api: shared.api, uploads: this.#uploads, allowPaths: auth.kind === 'unix', scope: auth.scope, forwarder: shared.opts.forwarder };
    this.#gate = { scope: auth.scope, expiresAt: auth.expiresAt, inflight: 0, maxInflight: shared.opts.maxInflight, bucket: this.#bucket, accountLimiter: shared.accountLimiter };
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('error', (err) => shared.log.debug({ conn: id, err: err.message }, 'ipc connection error'));
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ---- Outlet -----------------------------------------------------------

  get paused(): boolean {
    return this.#ws.bufferedAmount > this.#shared.opts.sendBuffer.highWater;
  }

  /** Frames of subscriptions: none leaves once the token has expired. */
  send(frame: string): boolean {
    if (this.#expired()) return false;
    return this.#write(frame);
  }

  #write(frame: string): boolean {
    if (this.#closed) return false;
    if (this.#ws.bufferedAmount + frame.length > this.#shared.opts.sendBuffer.hardLimit) {
      this.close(CLOSE.SLOW_CONSUMER, `slow consumer: send buffer over ${this.#shared.opts.sendBuffer.hardLimit} bytes`);
      return false;
    }
    // ws compresses every message unless told otherwise; the contract compresses only frames over 1 KiB.
    this.#ws.send(frame, frame.length > COMPRESS_ABOVE ? COMPRESSED : PLAIN, this.#onSent);
    if (this.paused) {
      this.#pausedAt ??= this.#shared.opts.now();
      return false;
    }
    return true;
  }

  fail(err: unknown): void {
    this.#shared.log.error({ conn: this.id, err: (err as Error).message }, 'ipc event delivery failed');
    this.#write(errorFrame({ code: 'UNAVAILABLE', message: `event delivery failed: ${(err as Error).message}` }));
  }

  // ---- called by the server --------------------------------------------

  /** A live event (already persisted). */
  onEvent(ev: WadEvent): void {
    if (this.#closed || this.#expired()) return;
    let covered = false;
    for (const sub of this.#subs.values()) {
      if (sub.covers(ev)) covered = true;
      sub.onLive(ev);
    }
    if (ev.type === 'connection:update' && this.#watch.has(ev.account)) {
      if (!covered) this.#write(eventFrame(ev));
      const state = ev.data['state'];
      if (state === 'online' || state === 'loggedOut') this.#watch.delete(ev.account);
    }
  }

  /** Periodic: keepalive and the paused-too-long bound. Returns false once the connection is gone. */
  tick(): boolean {
    if (this.#closed || this.#expired()) return false;
    const now = this.#shared.opts.now();
    if (now - this.#pingAt >= this.#shared.opts.pingMs) {
      if (!this.#alive) {
        this.#ws.terminate();
        return false;
      }
      this.#alive = false;
      this.#pingAt = now;
      this.#ws.ping();
    }
    const pausedAt = this.#pausedAt;
    if (pausedAt !== undefined && this.paused && now - pausedAt > this.#shared.opts.sendBuffer.maxPausedMs) {
      this.close(CLOSE.SLOW_CONSUMER, `slow consumer: paused for over ${this.#shared.opts.sendBuffer.maxPausedMs} ms`);
      return false;
    }
    if (!this.paused) this.#maybeResume();
    return true;
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#shared.log.info({ conn: this.id, code, reason }, 'ipc connection closed by daemon');
    this.#goodbye(code, reason);
  }

  // ---- admission control ------------------------------------------------

  idleSince(): number | undefined {
    if (this.#closed || this.#subs.size > 0 || this.#watch.size > 0 || this.#inflight > 0 || this.#uploads.active > 0) return undefined;
    return this.#heardAt;
  }

  /** Pushed out for a newcomer, or idle too long: debug only, a flood makes thousands. */
  evict(reason: string): void {
    if (this.#closed) return;
    this.#shared.log.debug({ conn: this.id, reason }, 'ipc connection evicted');
    this.#goodbye(CLOSE.TRY_AGAIN_LATER, reason);
  }

  #goodbye(code: number, reason: string): void {
    this.#ws.close(code, reason.slice(0, 120));
    // A peer that does not finish the closing handshake is cut off.
    setTimeout(() => this.#ws.terminate(), 2000).unref();
    this.dispose();
  }

  /** The socket is gone: stop subscriptions, delete uploads. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#expiry.cancel();
    for (const s of this.#subs.values()) s.stop();
    this.#subs.clear();
    this.#watch.clear();
    void this.#uploads.close();
  }

  // ---- inbound ------------------------------------------------------------

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    const now = this.#shared.opts.now();
    this.#heardAt = now;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) return this.#onBinary(buf);
    let req: Request;
    try {
      req = parseRequest(buf.toString('utf8'));
    } catch (err) {
      const e = err instanceof FrameRejection ? err : new FrameRejection('INVALID_PAYLOAD', 'malformed frame', undefined);
      this.#write(errorFrame(toErrorPayload(e), e.replyTo));
      return;
    }
    this.#gate.inflight = this.#inflight;
    const refusal = refuseRequest(req, this.#gate, now);
    if (refusal?.code === 'TOKEN_EXPIRED') setImmediate(() => this.#expired());
    if (refusal) return this.#answerError(req, refusal);
    if (req.type === 'events:subscribe') return this.#subscribe(req);
    this.#inflight++;
    this.#run(req).then(
      (result) => {
        this.#inflight--;
        if (req.ack) this.#write(ackFrame(req.id, result, req.account));
      },
      (err: unknown) => {
        this.#inflight--;
        const payload = toErrorPayload(err);
        if (payload.code === 'INTERNAL_ERROR') this.#shared.log.error({ conn: this.id, type: req.type, err: (err as Error)?.stack }, 'ipc request failed');
        this.#answerError(req, payload);
      },
    );
  }

  #onBinary(buf: Buffer): void {
    try {
      const frame = decodeBinaryFrame(buf);
      this.#uploads.chunk(frame.seq, frame.header, frame.payload);
      if (this.#uploads.pendingBytes > UPLOAD_PAUSE_BYTES && !this.#ws.isPaused) {
        this.#ws.pause();
        void this.#uploads.whenDrained().then(() => {
          if (!this.#closed) this.#ws.resume();
        });
      }
    } catch (err) {
      if (err instanceof BinaryLayoutError) {
        this.close(CLOSE.BAD_BINARY, err.message);
        return;
      }
      this.#write(errorFrame(toErrorPayload(err)));
    }
  }

  #answerError(req: Request, error: ErrorPayload): void {
    this.#write(req.ack ? nackFrame(req.id, error, req.account) : errorFrame(error, req.id));
  }

  /** The connection's own requests, or dispatch(); not async itself, so the common request waits no extra turn. */
  #run(req: Request): Promise<Record<string, unknown>> {
    switch (req.type) {
      case 'events:unsubscribe':
      case 'media:download':
      case 'account:add':
        return this.#runOwn(req);
      default:
        return dispatch(req, this.#context);
    }
  }

  async #runOwn(req: Extract<Request, { type: 'events:unsubscribe' | 'media:download' | 'account:add' }>): Promise<Record<string, unknown>> {
    const { api } = this.#shared;
    switch (req.type) {
      case 'events:unsubscribe': {
        const sub = this.#subs.get(req.data.subscription);
        if (!sub) throw new IpcError('NOT_FOUND', `no subscription ${req.data.subscription} on this connection`);
        sub.stop();
        this.#subs.delete(req.data.subscription);
        return {};
      }
      case 'media:download': {
        // In a cluster, an account another daemon runs streams from that daemon.
        const media = (await this.#shared.opts.forwarder?.download(req.account!, req.chat!, req.data.messageId)) ?? (await api.downloadMedia(req.account!, req.chat!, req.data.messageId));
        return { ...(await sendDownload(media, req.data.download, req.chat!, (frame) => this.#sendBinary(frame))) };
      }
      case 'account:add':
        // Watch before adding: the first QR may come before addAccount resolves.
        this.#watch.add(req.account!);
        try {
          return await dispatch(req, this.#context);
        } catch (err) {
          this.#watch.delete(req.account!);
          throw err;
        }
    }
  }

  /** One binary frame; resolves once the socket took it (a download's backpressure). */
  #sendBinary(frame: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new IpcError('UNAVAILABLE', 'connection closed'));
    return new Promise((resolve, reject) => {
      this.#ws.send(frame, frame.length > COMPRESS_ABOVE ? BINARY_COMPRESSED : BINARY_PLAIN, (err) => (err ? reject(new IpcError('UNAVAILABLE', `connection lost: ${err.message}`)) : resolve()));
    });
  }

  /** Synchronous, so the ack goes out before the first event and no live event slips between. */
  #subscribe(req: Extract<Request, { type: 'events:subscribe' }>): void {
    const data = req.data;
    const id = data.name ?? `live-${++this.#liveCount}`;
    if (this.#subs.size >= this.#shared.opts.maxSubscriptions && !this.#subs.has(id)) {
      const error = { code: 'RATE_LIMITED' as const, message: `at most ${this.#shared.opts.maxSubscriptions} subscriptions per connection`, retryAfter: 1000 };
      return this.#answerError(req, error);
    }
    this.#subs.get(id)?.stop();
    const scope = this.auth.scope;
    const sub = new Subscription(id, data, this.#shared.api, this, scope ? (a) => scope.has(a) : () => true);
    this.#subs.set(id, sub);
    if (req.ack) this.#write(ackFrame(req.id, { subscription: id }));
    try {
      sub.start();
    } catch (err) {
      this.#subs.delete(id);
      sub.stop();
      this.fail(err);
    }
  }


  /** True once the token has expired; the connection is then on its way out (4001). */
  #expired(): boolean {
    const at = this.auth.expiresAt;
    if (at === undefined || this.#shared.opts.now() < at) return false;
    this.close(CLOSE.TOKEN_EXPIRED, 'token expired');
    return true;
  }

  #maybeResume(): void {
    if (this.#closed || this.#pausedAt === undefined) return;
    if (this.#ws.bufferedAmount > this.#shared.opts.sendBuffer.lowWater) return;
    this.#pausedAt = undefined;
    for (const s of this.#subs.values()) s.resume();
  }
}
