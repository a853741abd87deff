/**
 * One client socket: frame decoding, the Noise server handshake, the
 * transport cipher, stanza decode/encode, an ordered send path with an
 * optional injected delay, and the rule that anything malformed closes this
 * socket only. It knows nothing about users or routing: the handler given to
 * it (session.ts) decides what a stanza means.
 */
import type { WebSocket } from 'ws';
import { decodeNode, encodeNode, type BinaryNode } from '../protocol/binary/index.js';
import type { KeyPair } from '../protocol/crypto/index.js';
import {
  FrameDecoder,
  NoiseTransport,
  encodeFrame,
  readClientFinish,
  readClientHello,
  type ServerAwaitingClientFinish,
} from '../protocol/noise/index.js';
import type { SimLimits } from './limits.js';
import { node } from './nodes.js';
import type { SimStats } from './stats.js';

export interface ConnectionHandler {
  /** The Noise handshake finished: the client's static key and ClientPayload bytes. */
  onHandshake(conn: Connection, clientStatic: Uint8Array, clientPayload: Uint8Array): void;
  /** A decoded stanza from the client. Throwing closes this connection. */
  onNode(conn: Connection, stanza: BinaryNode): void;
  /** The socket is gone (called once). */
  onClose(conn: Connection): void;
}

export interface ConnectionOptions {
  staticKeyPair: KeyPair;
  certChain: Uint8Array;
  limits: SimLimits;
  stats: SimStats;
  handler: ConnectionHandler;
  /** Debug sink for one-line traces; silent when absent. */
  log?: (msg: string) => void;
}

let nextConnectionId = 1;

export class Connection {
  readonly id = nextConnectionId++;
  readonly #ws: WebSocket;
  readonly #opts: ConnectionOptions;
  readonly #decoder: FrameDecoder;
  #handshake: ServerAwaitingClientFinish | undefined;
  #transport: NoiseTransport | undefined;
  #stage: 'hello' | 'finish' | 'open' | 'closed' = 'hello';
  #handshakeTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Stanzas waiting for an injected delay; kept in order. */
  #delayed: Array<{ due: number; stanza: BinaryNode }> = [];
  #delayTimer: NodeJS.Timeout | undefined;
  /** Delay applied to every outgoing stanza (fault injection). */
  delayMs = 0;

  constructor(ws: WebSocket, opts: ConnectionOptions) {
    this.#ws = ws;
    this.#opts = opts;
    this.#decoder = new FrameDecoder({ intro: true, maxFrameSize: opts.limits.maxFrameBytes });
    opts.stats.connectionsOpened++;
    this.#handshakeTimer = setTimeout(() => this.close('handshake timeout'), opts.limits.handshakeTimeoutMs);
    this.#handshakeTimer.unref();
    this.#idleTimer = setTimeout(() => this.close('idle'), opts.limits.idleTimeoutMs);
    this.#idleTimer.unref();
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', () => this.#closed());
    // ws reports protocol breaches (oversized or invalid WebSocket frames) as errors, then closes.
    ws.on('error', () => {
      if (this.#stage !== 'closed') opts.stats.malformedFrames++;
      this.#closed();
    });
  }

  get open(): boolean {
    return this.#stage === 'open';
  }

  /** The client logged in (or is registering): stop the handshake clock. */
  loggedIn(): void {
    if (this.#handshakeTimer) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
  }

  /** Encrypts and sends a stanza (after the injected delay, if any). */
  send(stanza: BinaryNode): void {
    if (this.#stage === 'closed') return;
    if (this.delayMs > 0 || this.#delayed.length > 0) {
      this.#delayed.push({ due: Date.now() + this.delayMs, stanza });
      this.#scheduleDelayed();
      return;
    }
    this.#sendNow(stanza);
  }

  /** `<stream:error code=…>[child]</stream:error>`, then close (what WhatsApp does before hanging up). */
  streamError(code: number | undefined, childNode?: BinaryNode): void {
    if (this.#stage !== 'open') return this.close(`stream error ${code}`);
    const attrs: Record<string, string> = code === undefined ? {} : { code: String(code) };
    this.#flushDelayed();
    this.#sendNow(node('stream:error', attrs, childNode ? [childNode] : undefined));
    this.close(`stream error ${code ?? ''}`);
  }

  /** Closes the socket after what was sent has been flushed. */
  close(reason: string): void {
    if (this.#stage === 'closed') return;
    this.#opts.log?.(`conn ${this.id} close: ${reason}`);
    this.#ws.close(1000);
    // A client that does not answer the close handshake is cut off.
    setTimeout(() => this.#ws.terminate(), 2_000).unref();
    this.#closed();
  }

  /** Cuts the socket with no close handshake (fault `drop`). */
  terminate(): void {
    this.#ws.terminate();
    this.#closed();
  }

  #onMessage(data: unknown, isBinary: boolean): void {
    if (this.#stage === 'closed') return;
    this.#idleTimer?.refresh();
    try {
      if (!isBinary) throw new Error('text frame');
      const chunk = toBytes(data);
      for (const frame of this.#decoder.push(chunk)) {
        if (this.#isClosed()) return;
        this.#onFrame(frame);
      }
    } catch (err) {
      this.#opts.stats.malformedFrames++;
      if (this.#stage !== 'open') this.#opts.stats.handshakesFailed++;
      this.close(`malformed input: ${(err as Error).message}`);
    }
  }

  /** A method, so that TypeScript does not narrow #stage across the handler calls that may close us. */
  #isClosed(): boolean {
    return this.#stage === 'closed';
  }

  #onFrame(frame: Uint8Array): void {
    switch (this.#stage) {
      case 'hello': {
        const { state, serverHello } = readClientHello(frame, {
          staticKeyPair: this.#opts.staticKeyPair,
          certChain: this.#opts.certChain,
        });
        this.#handshake = state;
        this.#stage = 'finish';
        this.#ws.send(encodeFrame(serverHello));
        return;
      }
      case 'finish': {
        const result = readClientFinish(this.#handshake!, frame);
        this.#handshake = undefined;
        this.#transport = result.transport;
        this.#stage = 'open';
        this.#opts.handler.onHandshake(this, result.clientStatic, result.clientPayload);
        return;
      }
      case 'open': {
        const plain = this.#transport!.decrypt(frame);
        const stanza = decodeNode(plain, { maxBytes: this.#opts.limits.maxFrameBytes });
        this.#opts.stats.stanzasIn++;
        this.#opts.handler.onNode(this, stanza);
        return;
      }
      default:
        return;
    }
  }

  #sendNow(stanza: BinaryNode): void {
    if (this.#stage !== 'open' || !this.#transport) return;
    if (this.#ws.bufferedAmount > this.#opts.limits.maxSendBufferBytes) {
      this.close('send buffer full: client too slow');
      return;
    }
    this.#opts.stats.stanzasOut++;
    this.#ws.send(this.#transport.encryptFrame(encodeNode(stanza)));
  }

  #scheduleDelayed(): void {
    if (this.#delayTimer || this.#delayed.length === 0) return;
    const wait = Math.max(0, this.#delayed[0]!.due - Date.now());
    this.#delayTimer = setTimeout(() => {
      this.#delayTimer = undefined;
      const now = Date.now();
      while (this.#delayed.length > 0 && this.#delayed[0]!.due <= now) this.#sendNow(this.#delayed.shift()!.stanza);
      this.#scheduleDelayed();
    }, wait);
  }

  #flushDelayed(): void {
    if (this.#delayTimer) clearTimeout(this.#delayTimer);
    this.#delayTimer = undefined;
    for (const d of this.#delayed.splice(0)) this.#sendNow(d.stanza);
  }

  #closed(): void {
    if (this.#stage === 'closed') return;
    this.#stage = 'closed';
    if (this.#handshakeTimer) clearTimeout(this.#handshakeTimer);
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    if (this.#delayTimer) clearTimeout(this.#delayTimer);
    this.#delayed = [];
    this.#opts.stats.connectionsClosed++;
    this.#opts.handler.onClose(this);
  }
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new Error('unsupported WebSocket payload');
}
