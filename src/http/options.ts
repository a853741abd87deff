/**
 * The HTTP API's options, their defaults, and how they come from the
 * daemon's Config (http.*, tokens, ipc.maxUploadBytes). Owns defaults only.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config, TokenConfig } from '../config/index.js';
import type { IpcLogger } from '../ipc/options.js';
import type { RateSpec } from '../ipc/rate-limit.js';
import type { RequestForwarder } from '../ipc/forwarding.js';

export type HttpLogger = IpcLogger;

export interface HttpServerOptions {
  listen: { host: string; port: number };
  tokens: readonly TokenConfig[];
  /** Largest JSON body. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Largest multipart file. Default 128 MiB. */
  maxUploadBytes?: number;
  /** Requests per token. Default 50/s, burst 100. */
  rateLimit?: RateSpec;
  /** Requests per account over every token. Default 200/s, burst 400. */
  accountRateLimit?: RateSpec;
  /** Requests in flight per token. Default 256. */
  maxInflight?: number;
  /** Open event streams in all. Default 64. */
  maxEventStreams?: number;
  /** Where multipart files are spooled. Default os.tmpdir(). */
  tmpDir?: string;
  log?: HttpLogger;
  now?: () => number;
  /** In a cluster: where requests of accounts other daemons run go. */
  forwarder?: RequestForwarder;
}

export interface ResolvedHttpOptions {
  listen: { host: string; port: number };
  tokens: readonly TokenConfig[];
  maxBodyBytes: number;
  maxUploadBytes: number;
  rateLimit: RateSpec;
  accountRateLimit: RateSpec;
  maxInflight: number;
  maxEventStreams: number;
  tmpDir: string;
  log: HttpLogger;
  now: () => number;
  forwarder: RequestForwarder | undefined;
}

const SILENT: HttpLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function resolveHttpOptions(o: HttpServerOptions): ResolvedHttpOptions {
  return {
    listen: o.listen,
    tokens: o.tokens,
    maxBodyBytes: o.maxBodyBytes ?? 16 << 20,
    maxUploadBytes: o.maxUploadBytes ?? 128 << 20,
    rateLimit: o.rateLimit ?? { perSecond: 50, burst: 100 },
    accountRateLimit: o.accountRateLimit ?? { perSecond: 200, burst: 400 },
    maxInflight: o.maxInflight ?? 256,
    maxEventStreams: o.maxEventStreams ?? 64,
    tmpDir: o.tmpDir ?? tmpdir(),
    log: o.log ?? SILENT,
    now: o.now ?? Date.now,
    forwarder: o.forwarder,
  };
}

/** The HTTP options a daemon with this config runs with; undefined when http.listen is not set. */
export function httpOptionsFromConfig(config: Config, log?: HttpLogger): HttpServerOptions | undefined {
  if (!config.http.listen) return undefined;
  return {
    listen: config.http.listen,
    tokens: config.tokens,
    maxBodyBytes: config.http.maxBodyBytes,
    maxUploadBytes: config.ipc.maxUploadBytes,
    rateLimit: config.http.rateLimit,
    accountRateLimit: config.http.accountRateLimit,
    maxInflight: config.http.maxInflight,
    maxEventStreams: config.http.maxEventStreams,
    // Inside the owner-only data dir, whose temp dir the daemon empties at every start.
    tmpDir: join(config.dataDir, 'tmp', 'http'),
    ...(log ? { log } : {}),
  };
}
