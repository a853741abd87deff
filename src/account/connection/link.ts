/**
 * One connection to the server: the socket, the Noise handshake (client
 * role) and the encrypted transport after it, frame decoding and the binary
 * node codec. It turns bytes into stanzas and back; it does not know what a
 * stanza means (the connection actor does) and keeps no timers (the actor
 * owns the connect and handshake timeouts).
 *
 * Lifecycle: socket open → ClientHello (with the intro, and routing info
 * when the server gave us some) → ServerHello: certificates checked against
 * the pinned root key → ClientFinish with the ClientPayload → `ready`. Every
 * later frame is decrypted and decoded into a node. Any failure ends the
 * link once, with a reason.
 */
import { decodeNode, encodeNode, type BinaryNode } from '../../protocol/binary/index.js';
import type { KeyPair } from '../../protocol/crypto/index.js';
import { CertChainVerdicts, clientHello, encodeFrame, encodeIntro, FrameDecoder, readServerHello, type ClientAwaitingServerHello, type NoiseTransport } from '../../protocol/noise/index.js';
import type { Transport, TransportSocket } from './transport.js';

export interface LinkEvents {
  /** Socket connected, ClientHello sent. */
  open(): void;
  /** Handshake done, ClientFinish sent: stanzas flow from now on. */
  ready(): void;
  node(node: BinaryNode): void;
  /** The link ended (once). */
  closed(reason: string): void;
}

export interface LinkOptions {
  readonly transport: Transport;
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly noiseKey: KeyPair;
  /** The ClientPayload (registration or login). */
  readonly payload: Uint8Array;
  readonly rootPublicKey: Uint8Array;
  readonly routingInfo?: Uint8Array | undefined;
  /** Largest frame accepted from the server. */
  readonly maxFrameBytes?: number;
  /** Unix ms, for the activity timestamps the keepalive reads. */
  readonly now: () => number;
  readonly events: LinkEvents;
}

/**
 * Certificate chains found good, shared by every link of the process: after a
 * restart thousands of accounts log in to servers showing the same chain, and
 * its two signature checks are a large part of each handshake. Each handshake
 * still checks that the chain names the static key it proved.
 */
const certVerdicts = new CertChainVerdicts();

type Phase = { kind: 'connecting' } | { kind: 'hello'; state: ClientAwaitingServerHello } | { kind: 'ready'; noise: NoiseTransport } | { kind: 'closed' };

export class Link {
  readonly #opts: LinkOptions;
  readonly #socket: TransportSocket;
  readonly #decoder: FrameDecoder;
  #phase: Phase = { kind: 'connecting' };
  #paused = false;
  /** Unix ms of the last frame received / sent (0: none yet). */
  lastReceived = 0;
  lastSent = 0;

  constructor(opts: LinkOptions) {
    this.#opts = opts;
    this.#decoder = new FrameDecoder(opts.maxFrameBytes !== undefined ? { maxFrameSize: opts.maxFrameBytes } : {});
    this.#socket = opts.transport(
      opts.url,
      {
        open: () => this.#guard(() => this.#onOpen()),
        data: (chunk) => this.#guard(() => this.#onData(chunk)),
        close: (reason) => this.#end(reason, false),
      },
      { connectTimeoutMs: opts.connectTimeoutMs },
    );
  }

  get ready(): boolean {
    return this.#phase.kind === 'ready';
  }

  get closed(): boolean {
    return this.#phase.kind === 'closed';
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  /** True while reading is paused (the keepalive must not take the silence for a dead socket). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Stops or restarts reading from the socket (back-pressure: our handlers are behind). */
  setPaused(paused: boolean): void {
    if (paused === this.#paused || this.#phase.kind === 'closed') return;
    this.#paused = paused;
    if (paused) this.#socket.pause();
    else this.#socket.resume();
  }

  /**
   * Encodes, encrypts and writes one stanza. Returns false when the link is
   * not ready (nothing sent). @throws EncodeError / NoiseError for a stanza that cannot go on the wire
   */
  send(node: BinaryNode): boolean {
    if (this.#phase.kind !== 'ready') return false;
    const frame = this.#phase.noise.encryptFrame(encodeNode(node));
    this.lastSent = this.#opts.now();
    this.#socket.send(frame);
    return true;
  }

  /** Ends the link (idempotent); `closed` is reported with `reason`. */
  close(reason: string): void {
    this.#end(reason, true);
  }

  #onOpen(): void {
    if (this.#phase.kind !== 'connecting') return;
    const hello = clientHello({ noiseKey: this.#opts.noiseKey });
    this.#phase = { kind: 'hello', state: hello.state };
    const intro = encodeIntro(this.#opts.routingInfo ? { routingInfo: this.#opts.routingInfo } : {});
    this.lastSent = this.#opts.now();
    this.#socket.send(encodeFrame(hello.clientHello, { intro }));
    this.#opts.events.open();
  }

  #onData(chunk: Uint8Array): void {
    if (this.#phase.kind === 'closed') return;
    this.lastReceived = this.#opts.now();
    for (const frame of this.#decoder.push(chunk)) {
      const phase = this.#phase as Phase;
      if (phase.kind === 'hello') this.#onServerHello(phase.state, frame);
      else if (phase.kind === 'ready') this.#opts.events.node(decodeNode(phase.noise.decrypt(frame)));
      else return;
    }
  }

  #onServerHello(state: ClientAwaitingServerHello, frame: Uint8Array): void {
    const result = readServerHello(state, frame, { clientPayload: this.#opts.payload, rootPublicKey: this.#opts.rootPublicKey, certVerdicts });
    this.#phase = { kind: 'ready', noise: result.transport };
    this.lastSent = this.#opts.now();
    this.#socket.send(encodeFrame(result.clientFinish));
    this.#opts.events.ready();
  }

  /** Protocol failures (bad certificate, bad frame, undecodable node) end this link only. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#end(`protocol error: ${(err as Error).message}`, true);
    }
  }

  #end(reason: string, closeSocket: boolean): void {
    if (this.#phase.kind === 'closed') return;
    this.#phase = { kind: 'closed' };
    if (closeSocket) this.#socket.close();
    this.#opts.events.closed(reason);
  }
}
