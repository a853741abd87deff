/**
 * The socket seam: a dumb pipe for bytes (whatsapp-rust's Transport). The
 * default opens a WebSocket with `ws`; tests pass an in-memory transport.
 * Must not know about Noise or stanzas.
 */
import { WebSocket } from 'ws';

export interface TransportHandlers {
  /** The socket is connected; bytes may be sent. */
  open(): void;
  /** One received chunk (a WebSocket message; it may hold several frames or part of one). */
  data(chunk: Uint8Array): void;
  /** The socket is gone (called once; never before `open` when the connect itself failed). */
  close(reason: string): void;
}

export interface TransportSocket {
  send(data: Uint8Array): void;
  /** Tears the socket down now; `close` follows. */
  close(): void;
  /** Bytes accepted by send() and not yet written (backpressure). */
  readonly bufferedAmount: number;
  /** Stops reading: no more `data` until resume(), and the peer's sends back up in TCP. */
  pause(): void;
  resume(): void;
}

export interface TransportOptions {
  /** The `ws` handshake timeout; the connection actor has its own connect timeout too. */
  readonly connectTimeoutMs: number;
}

export type Transport = (url: string, handlers: TransportHandlers, opts: TransportOptions) => TransportSocket;

/** WebSocket over `ws`, with the Origin WhatsApp Web sends and no subprotocol. */
export const wsTransport: Transport = (url, handlers, opts) => {
  const ws = new WebSocket(url, { origin: 'https://web.whatsapp.com', handshakeTimeout: opts.connectTimeoutMs, perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  let closed = false;
  const finish = (reason: string): void => {
    if (closed) return;
    closed = true;
    handlers.close(reason);
  };
  ws.on('open', () => handlers.open());
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) handlers.data(data);
  });
  ws.on('error', (err: Error) => finish(`socket error: ${err.message}`));
  ws.on('close', (code: number) => finish(`socket closed (${code})`));
  return {
    send: (data) => ws.send(data),
    close: () => {
      ws.terminate();
      finish('closed by us');
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
};
