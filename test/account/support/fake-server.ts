/**
 * An in-memory WhatsApp server for connection-actor unit tests: the Noise
 * responder from src/protocol/noise, a certificate chain of its own, and
 * scriptable answers. No sockets: the transport hands bytes across in
 * microtasks, so tests drive everything with fake timers.
 */
import { deflateSync } from 'node:zlib';
import { encodeNode, decodeNode, type BinaryNode } from '../../../src/protocol/binary/index.js';
import { generateKeyPair } from '../../../src/protocol/crypto/index.js';
import { encodeFrame, FrameDecoder, makeCertChain, readClientFinish, readClientHello, type NoiseTransport, type ServerAwaitingClientFinish } from '../../../src/protocol/noise/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import type { Transport, TransportHandlers } from '../../../src/account/connection/transport.js';

export type IqAnswer = (iq: BinaryNode, conn: FakeConn) => BinaryNode | undefined | 'silent';

export class FakeServer {
  readonly root = generateKeyPair();
  readonly #intermediate = generateKeyPair();
  readonly #static = generateKeyPair();
  readonly certChain: Uint8Array;
  readonly conns: FakeConn[] = [];
  /** 'open': sockets connect; 'hang': they never do (connect timeout); 'refuse': they fail at once. */
  mode: 'open' | 'hang' | 'refuse' = 'open';
  /** Answer the ClientFinish? false: the login answer never comes. */
  answerLogin = true;
  /** One-time prekeys the server says it holds. */
  preKeyCount = 100;
  refs = ['2@ref-one', '2@ref-two', '2@ref-three'];
  /** Per-test IQ answers, tried before the defaults. */
  iq: IqAnswer | undefined;

  constructor() {
    const now = 1_700_000_000;
    this.certChain = makeCertChain({ rootPrivateKey: this.root.private, intermediateKeyPair: this.#intermediate, serverStaticPublic: this.#static.public, notBefore: now - 1000, notAfter: now + 10 ** 8 });
  }

  get rootPublicKey(): Uint8Array {
    return this.root.public;
  }

  get last(): FakeConn {
    return this.conns[this.conns.length - 1]!;
  }

  readonly transport: Transport = (_url, handlers) => {
    const conn = new FakeConn(this, handlers);
    this.conns.push(conn);
    if (this.mode === 'open') queueMicrotask(() => conn.alive && handlers.open());
    if (this.mode === 'refuse') queueMicrotask(() => conn.kill('refused'));
    return conn.socket;
  };

  staticKeyPair() {
    return this.#static;
  }
}

export class FakeConn {
  readonly received: BinaryNode[] = [];
  payload: proto.ClientPayload | undefined;
  alive = true;
  /** Frames to the client wait this long (ms, real setTimeout: use with fake timers). */
  delayMs = 0;
  /** The client stopped reading (frames to it are held until it resumes), and how often it did. */
  paused = false;
  pauses = 0;
  readonly #held: Array<() => void> = [];
  readonly #server: FakeServer;
  readonly #handlers: TransportHandlers;
  readonly #decoder = new FrameDecoder({ intro: true });
  #hello: ServerAwaitingClientFinish | undefined;
  #noise: NoiseTransport | undefined;

  constructor(server: FakeServer, handlers: TransportHandlers) {
    this.#server = server;
    this.#handlers = handlers;
  }

  readonly socket = {
    send: (data: Uint8Array) => {
      if (!this.alive) return;
      const copy = new Uint8Array(data);
      queueMicrotask(() => this.alive && this.#onBytes(copy));
    },
    close: () => this.kill('closed by client'),
    bufferedAmount: 0,
    pause: () => {
      this.paused = true;
      this.pauses++;
    },
    resume: () => {
      this.paused = false;
      const held = this.#held.splice(0);
      for (const f of held) queueMicrotask(f);
    },
  };

  get loginKind(): 'login' | 'register' | undefined {
    if (!this.payload) return undefined;
    return this.payload.username ? 'login' : 'register';
  }

  /** Sends a stanza to the client (optionally zlib-compressed, flag 0x02). */
  send(node: BinaryNode, opts: { compress?: boolean } = {}): void {
    if (!this.alive || !this.#noise) return;
    let plain = encodeNode(node);
    if (opts.compress) plain = Uint8Array.of(2, ...deflateSync(plain.subarray(1)));
    const frame = this.#noise.encryptFrame(plain);
    const deliver = (): void => {
      if (!this.alive) return;
      if (this.paused) this.#held.push(deliver);
      else this.#handlers.data(frame);
    };
    if (this.delayMs > 0) setTimeout(deliver, this.delayMs);
    else queueMicrotask(deliver);
  }

  streamError(code?: string, child?: BinaryNode): void {
    this.send({ tag: 'stream:error', attrs: code ? { code } : {}, ...(child ? { content: [child] } : {}) });
    queueMicrotask(() => queueMicrotask(() => this.kill('stream error')));
  }

  kill(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.#handlers.close(reason);
  }

  /** The stanzas received with this tag. */
  got(tag: string): BinaryNode[] {
    return this.received.filter((n) => n.tag === tag);
  }

  iqs(xmlns: string): BinaryNode[] {
    return this.received.filter((n) => n.tag === 'iq' && n.attrs.xmlns === xmlns);
  }

  #onBytes(bytes: Uint8Array): void {
    for (const frame of this.#decoder.push(bytes)) {
      if (!this.#hello && !this.#noise) {
        const r = readClientHello(frame, { staticKeyPair: this.#server.staticKeyPair(), certChain: this.#server.certChain });
        this.#hello = r.state;
        const out = encodeFrame(r.serverHello);
        queueMicrotask(() => this.alive && this.#handlers.data(out));
      } else if (this.#hello) {
        const done = readClientFinish(this.#hello, frame);
        this.#hello = undefined;
        this.#noise = done.transport;
        this.payload = proto.ClientPayload.decode(done.clientPayload);
        if (this.#server.answerLogin) this.#answerLogin();
      } else {
        const node = decodeNode(this.#noise!.decrypt(frame));
        this.received.push(node);
        if (node.tag === 'iq' && (node.attrs.type === 'get' || node.attrs.type === 'set')) this.#answerIq(node);
      }
    }
  }

  #answerLogin(): void {
    if (this.loginKind === 'login') {
      this.send({ tag: 'success', attrs: { t: '1700000000', lid: '99887766:3@lid' } });
      this.send({ tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: '0' } }] });
    } else {
      const enc = new TextEncoder();
      this.send({
        tag: 'iq',
        attrs: { from: 's.whatsapp.net', type: 'set', id: 'pd1', xmlns: 'md' },
        content: [{ tag: 'pair-device', attrs: {}, content: this.#server.refs.map((r) => ({ tag: 'ref', attrs: {}, content: enc.encode(r) })) }],
      });
    }
  }

  #answerIq(iq: BinaryNode): void {
    const custom = this.#server.iq?.(iq, this);
    if (custom === 'silent') return;
    if (custom) {
      this.send(custom);
      return;
    }
    const result = (content?: BinaryNode[]): BinaryNode => ({ tag: 'iq', attrs: { type: 'result', id: iq.attrs.id!, from: 's.whatsapp.net' }, ...(content ? { content } : {}) });
    const first = Array.isArray(iq.content) ? iq.content[0] : undefined;
    if (iq.attrs.xmlns === 'encrypt' && first?.tag === 'count') this.send(result([{ tag: 'count', attrs: { value: String(this.#server.preKeyCount) } }]));
    else if (iq.attrs.xmlns === 'abt') this.send(result([{ tag: 'props', attrs: { protocol: '1', hash: 'h1' } }]));
    else this.send(result());
  }
}
