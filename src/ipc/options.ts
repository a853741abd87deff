/**
 * The IPC server's options, their defaults, and how they come from the
 * daemon's Config (socket, listen, tokens, ipc.*). Owns
 * defaults only.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config, TokenConfig } from '../config/index.js';
import { procFds, type FdSource } from './fd-budget.js';
import type { RateSpec } from './rate-limit.js';
import type { UploadLimits } from './uploads.js';
import type { RequestForwarder } from './forwarding.js';

/** pino's Logger fits this. */
export interface IpcLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SendBufferLimits {
  /** Above this many buffered bytes, event delivery pauses (the log holds the rest). */
  highWater: number;
  /** Delivery resumes below this. */
  lowWater: number;
  /** A send that would take the buffer past this closes the connection (1008). */
  hardLimit: number;
  /** Paused longer than this closes the connection (1008). */
  maxPausedMs: number;
}

export interface IpcServerOptions {
  /** Path of the Unix socket (mode 0600). */
  socketPath: string;
  /** Optional TCP listener; requires tokens. */
  listen?: { host: string; port: number } | null;
  tokens?: readonly TokenConfig[];
  /** Largest frame accepted (larger: close 1009). Default 16 MiB. */
  maxFrameBytes?: number;
  /** Connections in all, both listeners, unfinished handshakes included. Default 1024. */
  maxConnections?: number;
  /** Connections from one TCP address. Default 64. */
  maxConnectionsPerPeer?: number;
  /** Sockets not yet through the WebSocket upgrade (and the token check). Default 128. */
  maxHandshakes?: number;
  /** Accept to finished upgrade, ms. Default 5 s. */
  handshakeTimeoutMs?: number;
  /** A connection with no subscription, request, upload or account watch for this long is closed (1013). Default 5 min. */
  idleTimeoutMs?: number;
  /** File descriptors kept free for accounts, the store and the worker pool. Default 1024. */
  fdReserve?: number;
  /** Where descriptor counts come from (tests give a smaller world). Default /proc/self. */
  fdSource?: FdSource;
  /** Requests per connection. Default 50/s, burst 100. */
  rateLimit?: RateSpec;
  /** Requests per account over all connections. Default 200/s, burst 400. */
  accountRateLimit?: RateSpec;
  /** Requests in flight on one connection. Default 256. */
  maxInflight?: number;
  maxSubscriptions?: number;
  sendBuffer?: Partial<SendBufferLimits>;
  uploads?: Partial<UploadLimits>;
  /** Parent of the private upload directory. Default os.tmpdir(). */
  tmpDir?: string;
  /** Slow-consumer check period. Default 5 s. */
  tickMs?: number;
  /** Keepalive: a client that does not answer a ping before the next one is cut off. Default 30 s. */
  pingMs?: number;
  log?: IpcLogger;
  /** Clock for rate limits and token expiry. */
  now?: () => number;
  /** In a cluster: where requests of accounts other daemons run go. */
  forwarder?: RequestForwarder;
}

export interface ResolvedOptions {
  socketPath: string;
  listen: { host: string; port: number } | null;
  tokens: readonly TokenConfig[];
  maxFrameBytes: number;
  maxConnections: number;
  maxConnectionsPerPeer: number;
  maxHandshakes: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  fdReserve: number;
  fdSource: FdSource;
  rateLimit: RateSpec;
  accountRateLimit: RateSpec;
  maxInflight: number;
  maxSubscriptions: number;
  sendBuffer: SendBufferLimits;
  uploads: UploadLimits;
  tmpDir: string;
  /** Set by the server once it made its private directory. */
  uploadDir: string;
  tickMs: number;
  pingMs: number;
  now: () => number;
  forwarder: RequestForwarder | undefined;
}

export const SILENT: IpcLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function resolveOptions(o: IpcServerOptions): ResolvedOptions {
  const highWater = o.sendBuffer?.highWater ?? 1 << 20;
  return {
    socketPath: o.socketPath,
    listen: o.listen ?? null,
    tokens: o.tokens ?? [],
    maxFrameBytes: o.maxFrameBytes ?? 16 << 20,
    maxConnections: o.maxConnections ?? 1024,
    maxConnectionsPerPeer: o.maxConnectionsPerPeer ?? 64,
    maxHandshakes: o.maxHandshakes ?? 128,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? 5_000,
    idleTimeoutMs: o.idleTimeoutMs ?? 300_000,
    fdReserve: o.fdReserve ?? 1024,
    fdSource: o.fdSource ?? procFds,
    rateLimit: o.rateLimit ?? { perSecond: 50, burst: 100 },
    accountRateLimit: o.accountRateLimit ?? { perSecond: 200, burst: 400 },
    maxInflight: o.maxInflight ?? 256,
    maxSubscriptions: o.maxSubscriptions ?? 16,
    sendBuffer: {
      highWater,
      lowWater: o.sendBuffer?.lowWater ?? Math.floor(highWater / 4),
      hardLimit: o.sendBuffer?.hardLimit ?? Math.max(highWater * 16, 32 << 20),
      maxPausedMs: o.sendBuffer?.maxPausedMs ?? 120_000,
    },
    uploads: {
      maxBytes: o.uploads?.maxBytes ?? 128 << 20,
      maxOpen: o.uploads?.maxOpen ?? 4,
      idleMs: o.uploads?.idleMs ?? 60_000,
    },
    tmpDir: o.tmpDir ?? tmpdir(),
    uploadDir: '',
    tickMs: o.tickMs ?? 5_000,
    pingMs: o.pingMs ?? 30_000,
    now: o.now ?? Date.now,
    forwarder: o.forwarder,
  };
}

/** The IPC options a daemon with this config runs with. */
export function ipcOptionsFromConfig(config: Config, log?: IpcLogger): IpcServerOptions {
  return {
    socketPath: config.socket,
    listen: config.listen,
    tokens: config.tokens,
    maxFrameBytes: config.ipc.maxFrameBytes,
    maxConnections: config.ipc.maxConnections,
    maxConnectionsPerPeer: config.ipc.maxConnectionsPerPeer,
    maxHandshakes: config.ipc.maxHandshakes,
    handshakeTimeoutMs: config.ipc.handshakeTimeoutMs,
    idleTimeoutMs: config.ipc.idleTimeoutMs,
    fdReserve: config.ipc.fdReserve,
    rateLimit: config.ipc.rateLimit,
    accountRateLimit: config.ipc.accountRateLimit,
    uploads: { maxBytes: config.ipc.maxUploadBytes },
    // Inside the owner-only data dir, where the daemon deletes what a crash left behind at its next start.
    tmpDir: join(config.dataDir, 'tmp', 'uploads'),
    ...(log ? { log } : {}),
  };
}
