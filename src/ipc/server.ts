/**
 * The daemon's control server: WebSocket on a Unix socket
 * (mode 0600) and, optionally, on loopback TCP with bearer tokens. Every
 * accepted socket goes through admission control first (connection caps,
 * deadlines, file descriptor headroom); a listener's errors (EMFILE on
 * accept) are logged, never thrown. Fans persisted events out to the
 * clients, ticks their keepalive, and on close says goodbye (1001) and
 * removes its files. Owns the listeners; a Connection owns everything about
 * one client.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DaemonApi } from '../contract/api.js';
import { Admission, type AdmissionStats, type ListenerKind } from './admission.js';
import { TokenChecker } from './auth.js';
import { Connection, type ConnectionAuth } from './connection.js';
import { IpcStartError } from './errors.js';
import { FdBudget } from './fd-budget.js';
import { resolveOptions, SILENT, type IpcLogger, type IpcServerOptions } from './options.js';
import { CLOSE } from '../contract/frames.js';
import { KeyedLimiter } from './rate-limit.js';
import { listenUnix, type BoundSocket } from './socket-file.js';

export interface IpcServer {
  readonly socketPath: string;
  /** The TCP listener's address when `listen` was set (port resolved when 0 was asked). */
  readonly tcp: { host: string; port: number } | undefined;
  /** Open client connections (through the upgrade). */
  readonly connections: number;
  /** Admission control's counts: sockets held, handshakes, refusals, evictions, deadlines missed. */
  readonly admission: AdmissionStats;
  /** Bytes queued for sending over all connections (bounded by the send-buffer limits). */
  readonly bufferedBytes: number;
  /** Stops accepting, closes every client with 1001, removes the socket and upload files. */
  close(): Promise<void>;
}

/** @throws IpcStartError when a listener cannot be set up (another daemon on the socket, bad path, port taken) */
export async function startIpcServer(api: DaemonApi, options: IpcServerOptions): Promise<IpcServer> {
  const opts = resolveOptions(options);
  const log: IpcLogger = options.log ?? SILENT;
  opts.uploadDir = mkdtempSync(join(opts.tmpDir, 'wad-uploads-'));
  const conns = new Set<Connection>();
  const shared = { api, opts, accountLimiter: new KeyedLimiter(opts.accountRateLimit), log };
  const tokens = new TokenChecker(opts.tokens);
  let nextConn = 0;
  let closing = false;
  const budget = new FdBudget(opts.fdSource, opts.fdReserve);
  const admission = new Admission(opts, budget, opts.now);
  let budgetReadAt = opts.now();

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxFrameBytes,
    // The contract: frames larger than 1 KiB use permessage-deflate.
    perMessageDeflate: { threshold: 1024, zlibDeflateOptions: { level: 6 } },
  });

  const unsubscribe = api.onEvent((ev) => {
    for (const c of conns) c.onEvent(ev);
  });

  const refuse = (socket: Duplex, status: number, body: Record<string, unknown>): void => {
    const json = JSON.stringify(body);
    const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Service Unavailable';
    // Destroyed once written: a peer that never closes its end must not keep the descriptor.
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`, () => socket.destroy());
  };

  const onUpgrade = (kind: ListenerKind) => (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    // Pushed out or past its deadline while the request was on its way.
    if (socket.destroyed) return;
    if (closing) return refuse(socket, 503, { code: 'UNAVAILABLE', message: 'daemon is stopping' });
    let auth: ConnectionAuth = { kind, scope: undefined, expiresAt: undefined };
    if (kind === 'tcp') {
      const r = tokens.check(req.headers.authorization, opts.now());
      if (!r.ok) {
        log.warn({ remote: req.socket.remoteAddress, code: r.code }, 'ipc: refused a TCP client');
        return refuse(socket, 401, { code: r.code, message: r.message });
      }
      auth = { kind, scope: r.scope, expiresAt: r.expiresAt };
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const conn = new Connection(`c${++nextConn}`, ws, auth, shared);
      if (!admission.opened(req.socket, conn)) {
        conn.dispose();
        ws.terminate();
        return;
      }
      conns.add(conn);
      ws.on('close', () => {
        conn.dispose();
        conns.delete(conn);
      });
      log.debug({ conn: conn.id, kind }, 'ipc connection');
    });
  };

  const plain = (_req: IncomingMessage, res: import('node:http').ServerResponse): void => {
    res.writeHead(426, { 'Content-Type': 'application/json', Upgrade: 'websocket', Connection: 'close' });
    res.end(JSON.stringify({ code: 'INVALID_PAYLOAD', message: 'this is a WebSocket endpoint' }));
  };

  const guard = (srv: Server, kind: ListenerKind): Server => {
    // Before the HTTP server's own listener: a socket refused here is closed before it costs more.
    srv.prependListener('connection', (socket: Socket) => {
      if (closing) socket.destroy();
      else admission.admit(socket, kind);
    });
    srv.on('upgrade', onUpgrade(kind));
    srv.on('clientError', (_err, socket) => socket.destroy());
    return srv;
  };
  let acceptErrors = 0;
  /** Once listening: EMFILE/ENFILE on accept drops that connection and the listener goes on; thrown, it would end the daemon. */
  const survive = (srv: Server, kind: ListenerKind): void => {
    srv.on('error', (err: NodeJS.ErrnoException) => {
      if (acceptErrors++ % 1000 === 0) log.warn({ listener: kind, code: err.code, err: err.message, times: acceptErrors }, 'ipc: accept failed');
    });
  };

  const unixServer = guard(createServer(plain), 'unix');
  let bound: BoundSocket;
  try {
    bound = await listenUnix(unixServer, opts.socketPath);
    survive(unixServer, 'unix');
  } catch (err) {
    unsubscribe();
    rmSync(opts.uploadDir, { recursive: true, force: true });
    throw err;
  }

  let tcpServer: Server | undefined;
  let tcp: { host: string; port: number } | undefined;
  if (opts.listen) {
    if (opts.tokens.length === 0) {
      bound.unlink();
      unixServer.close();
      unsubscribe();
      throw new IpcStartError('LISTEN_FAILED', 'a TCP listener needs at least one token');
    }
    if (!['127.0.0.1', '::1', 'localhost'].includes(opts.listen.host)) log.warn({ host: opts.listen.host }, 'ipc: TCP listener is not on loopback');
    const srv = guard(createServer(plain), 'tcp');
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(opts.listen!.port, opts.listen!.host, () => {
          srv.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      bound.unlink();
      unixServer.close();
      unsubscribe();
      throw new IpcStartError('LISTEN_FAILED', `cannot listen on ${opts.listen.host}:${opts.listen.port}: ${(err as Error).message}`, { cause: err });
    }
    survive(srv, 'tcp');
    const addr = srv.address();
    tcp = { host: opts.listen.host, port: typeof addr === 'object' && addr ? addr.port : opts.listen.port };
    tcpServer = srv;
  }

  const ticker = setInterval(() => {
    for (const c of conns) if (!c.tick()) conns.delete(c);
  }, opts.tickMs);
  ticker.unref();
  // Handshake deadlines want a finer clock than keepalive; the descriptor count is re-read
  // more often once a good part of the limit is in use.
  const sweeper = setInterval(
    () => {
      admission.sweep();
      const now = opts.now();
      const busy = budget.limit !== undefined && budget.estimate(admission.sockets) > budget.limit / 2;
      if (now - budgetReadAt >= (busy ? 1_000 : 5_000)) {
        budgetReadAt = now;
        void budget.refresh(() => admission.sockets);
      }
    },
    Math.min(1_000, Math.max(50, Math.floor(opts.handshakeTimeoutMs / 4))),
  );
  sweeper.unref();
  log.info({ socket: opts.socketPath, tcp }, 'ipc listening');

  return {
    socketPath: opts.socketPath,
    tcp,
    get connections() {
      return conns.size;
    },
    get admission() {
      return admission.stats;
    },
    get bufferedBytes() {
      let n = 0;
      for (const c of conns) n += c.bufferedAmount;
      return n;
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(ticker);
      clearInterval(sweeper);
      unsubscribe();
      for (const c of conns) c.close(CLOSE.GOING_AWAY, 'daemon stopping');
      const servers = [unixServer, ...(tcpServer ? [tcpServer] : [])];
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      wss.close();
      bound.unlink();
      rmSync(opts.uploadDir, { recursive: true, force: true });
    },
  };
}
