/**
 * How wad is controlled: the tokens of its TCP listeners, the control
 * socket's (ipc) bounds and the HTTP API's.
 */
import { arrayOf, fail, int, nullable, object, ok, bad, refine, str, type Check } from '../checks.js';
import { DAY, hostPort, ms, rate, type HostPort, type RateConfig } from '../values.js';

/** A bearer token for the TCP listener (`Authorization: Bearer <token>`). */
export interface TokenConfig {
  readonly token: string;
  /** Unix ms after which the token is refused (TOKEN_EXPIRED); undefined: never. */
  readonly expiresAt?: number | undefined;
  /** Accounts the token may act on (FORBIDDEN otherwise); undefined: all. */
  readonly accounts?: readonly string[] | undefined;
}

export interface IpcConfig {
  readonly maxFrameBytes: number;
  /** Connections in all (both listeners, unfinished handshakes included); the owner's newcomers push out the connection idle the longest. */
  readonly maxConnections: number;
  /** Connections from one TCP address. */
  readonly maxConnectionsPerPeer: number;
  /** Sockets accepted but not yet through the WebSocket upgrade and the token check; the oldest gives way. */
  readonly maxHandshakes: number;
  /** Accept to finished upgrade (token checked). */
  readonly handshakeTimeoutMs: number;
  /** A connection with no subscription, request in flight, upload or account watch is closed after this long. */
  readonly idleTimeoutMs: number;
  /** File descriptors kept free for accounts, the store and the worker pool (at most half the process limit). */
  readonly fdReserve: number;
  /** Requests per connection. */
  readonly rateLimit: RateConfig;
  /** Requests per account, summed over every connection that names it. */
  readonly accountRateLimit: RateConfig;
  /** Largest media upload in binary frames (spooled to disk, never held in memory). */
  readonly maxUploadBytes: number;
}

export interface HttpConfig {
  /** The HTTP API's listener (`"127.0.0.1:8080"`), or null for none; requires tokens. */
  readonly listen: HostPort | null;
  /** Largest JSON request body (media goes as multipart, bounded by ipc.maxUploadBytes). */
  readonly maxBodyBytes: number;
  /** Requests per token. */
  readonly rateLimit: RateConfig;
  /** Requests per account, summed over every token that names it. */
  readonly accountRateLimit: RateConfig;
  /** Requests in flight per token. */
  readonly maxInflight: number;
  /** Open event streams (GET /v1/events) in all. */
  readonly maxEventStreams: number;
}

const timestamp = refine(
  (v, path, issues) => (typeof v === 'number' || typeof v === 'string' ? v : fail(issues, path, 'unix ms or an ISO date', v)),
  (v) => {
    const t = typeof v === 'number' ? v : Date.parse(v);
    return Number.isSafeInteger(t) && t >= 0 ? ok(t) : bad('unix ms or an ISO date');
  },
);

const tokenObject = object(
  { token: str({ nonEmpty: true }), expiresAt: timestamp, accounts: arrayOf(str({ nonEmpty: true })) },
  { optional: ['expiresAt', 'accounts'] },
);

/** A token is a string, or an object with an expiry and account scope. */
const token: Check<TokenConfig> = (v, path, issues) => {
  if (typeof v === 'string') return v.length > 0 ? { token: v } : fail(issues, path, 'a non-empty token', v);
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return tokenObject(v, path, issues);
  return fail(issues, path, 'a token string or {"token", "expiresAt"?, "accounts"?}', v);
};

export const tokensSchema = arrayOf(token);

export const ipcSchema = object({
  maxFrameBytes: int(1024, 1 << 30),
  maxConnections: int(1, 1_000_000),
  maxConnectionsPerPeer: int(1, 1_000_000),
  maxHandshakes: int(1, 1_000_000),
  handshakeTimeoutMs: ms(100, 600_000),
  idleTimeoutMs: ms(1000, 7 * DAY),
  fdReserve: int(0, 1_000_000),
  rateLimit: rate,
  accountRateLimit: rate,
  maxUploadBytes: int(1024, 16 * 2 ** 30),
});

export const httpSchema = object({
  listen: nullable(hostPort),
  maxBodyBytes: int(1024, 1 << 30),
  rateLimit: rate,
  accountRateLimit: rate,
  maxInflight: int(1, 1_000_000),
  maxEventStreams: int(1, 100_000),
});
