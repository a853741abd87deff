/**
 * The listening side: one TCP port shared by the admin HTTP API, the
 * WebSocket chat endpoint (`/ws/chat`, upgraded from the same HTTP server)
 * and the HTTPS media endpoint — a connection whose first byte is a TLS
 * handshake record (0x16) goes to the media server, everything else to the
 * plain HTTP server. Each WebSocket gets a Connection and a Session; the
 * connection limit is enforced here.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { KeyPair } from '../protocol/crypto/index.js';
import { handleAdmin, type AdminContext } from './admin.js';
import { Connection } from './connection.js';
import type { Hub } from './hub.js';
import type { MediaServer } from './media.js';
import type { Pairing } from './pairing.js';
import { Session } from './session.js';

const TLS_HANDSHAKE = 0x16;
export const CHAT_PATH = '/ws/chat';

export interface ListenOptions {
  host: string;
  port: number;
  hub: Hub;
  pairing: Pairing;
  media: MediaServer;
  admin: AdminContext;
  noiseKeyPair: KeyPair;
  certChain: Uint8Array;
  log?: (msg: string) => void;
}

export class SimListener {
  readonly #net: NetServer;
  readonly #http: HttpServer;
  readonly #wss: WebSocketServer;
  readonly #sockets: Set<Socket>;
  readonly port: number;

  private constructor(net: NetServer, http: HttpServer, wss: WebSocketServer, sockets: Set<Socket>, port: number) {
    this.#net = net;
    this.#http = http;
    this.#wss = wss;
    this.#sockets = sockets;
    this.port = port;
  }

  static async listen(opts: ListenOptions): Promise<SimListener> {
    const { hub } = opts;
    const http = createHttpServer((req, res) => void handleAdmin(opts.admin, req, res));
    const wss = new WebSocketServer({ noServer: true, maxPayload: hub.limits.maxFrameBytes + 64, perMessageDeflate: false });
    http.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== CHAT_PATH || hub.connections.size >= hub.limits.maxConnections) {
        socket.end(path !== CHAT_PATH ? 'HTTP/1.1 404 Not Found\r\n\r\n' : 'HTTP/1.1 503 Service Unavailable\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const session = new Session({ hub, pairing: opts.pairing, ...(opts.log ? { log: opts.log } : {}) });
        hub.connections.add(session);
        new Connection(ws, {
          staticKeyPair: opts.noiseKeyPair,
          certChain: opts.certChain,
          limits: hub.limits,
          stats: hub.stats,
          handler: session,
          ...(opts.log ? { log: opts.log } : {}),
        });
      });
    });
    const tls = opts.media.tlsServer;
    const sockets = new Set<Socket>();
    const net = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.once('data', (first: Buffer) => {
        socket.pause();
        socket.unshift(first);
        (first[0] === TLS_HANDSHAKE ? tls : http).emit('connection', socket);
        process.nextTick(() => socket.resume());
      });
    });
    await new Promise<void>((resolve, reject) => {
      net.once('error', reject);
      net.listen(opts.port, opts.host, () => resolve());
    });
    const port = (net.address() as AddressInfo).port;
    opts.media.setHostname(`${opts.host}:${port}`);
    return new SimListener(net, http, wss, sockets, port);
  }

  /** Stops listening and cuts every connection (net.close waits for open sockets otherwise). */
  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    const closed = new Promise<void>((resolve) => this.#net.close(() => resolve()));
    this.#http.closeAllConnections();
    for (const s of this.#sockets) s.destroy();
    await closed;
  }
}
