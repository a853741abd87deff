/**
 * What wad's configuration holds, its defaults' meaning, and the checks every
 * key passes. Paths (dataDir, socket, mediaCaPath) are resolved by load.ts;
 * here they are plain strings. Owns the shape only; must not read files or env.
 */
import { parseWebVersion } from '../protocol/pairing/version.js';
import { INVALID, arrayOf, bad, bool, fail, int, nullable, num, object, ok, oneOf, recordOf, refine, str, type Check, type RawIssue } from './checks.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** How logs are written: `auto` is readable lines on a terminal and JSON lines elsewhere. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** A bearer token for the TCP listener (`Authorization: Bearer <token>`). */
export interface TokenConfig {
  readonly token: string;
  /** Unix ms after which the token is refused (TOKEN_EXPIRED); undefined: never. */
  readonly expiresAt?: number | undefined;
  /** Accounts the token may act on (FORBIDDEN otherwise); undefined: all. */
  readonly accounts?: readonly string[] | undefined;
}

export interface RateConfig {
  readonly perSecond: number;
  readonly burst: number;
}

export interface Config {
  /** Absolute. Holds the store and the socket. */
  readonly dataDir: string;
  /** Absolute path of the control socket. Default `<dataDir>/wad.sock`. */
  readonly socket: string;
  /** Optional TCP listener (`"127.0.0.1:8080"`); requires tokens. */
  readonly listen: { readonly host: string; readonly port: number } | null;
  readonly tokens: readonly TokenConfig[];
  readonly server: {
    readonly wsUrl: string;
    /** WhatsApp's certificate root key, 64 hex characters (32 bytes). */
    readonly rootPublicKey: string;
    /** Absolute path of a PEM CA for the media host (the simulator's), or null for the system CAs. */
    readonly mediaCaPath: string | null;
    /** The WhatsApp Web build to announce ("2.3000.<build>"), or null for the one wad was released with; a newer published one replaces it. */
    readonly webVersion: string | null;
    /** Where WhatsApp publishes its current Web build (its service worker script), fetched daily and after a 405; null: never fetch. */
    readonly webVersionUrl: string | null;
    /** How often the published build is fetched. */
    readonly webVersionRefreshMs: number;
  };
  readonly log: {
    readonly level: LogLevel;
    /** Default `auto`: readable lines (coloured unless NO_COLOR is set) when stderr is a terminal, else JSON lines. */
    readonly format?: LogFormat;
  };
  readonly accounts: {
    readonly maxAccounts: number;
    /** Start every registered account when the daemon starts. */
    readonly autoStart: boolean;
    /** Outgoing message pacing per account. */
    readonly sendRate: RateConfig;
    /** Per-account restart budget; beyond it the account is stopped and reported. */
    readonly restart: { readonly maxRestarts: number; readonly withinMs: number; readonly delayMs: number };
    /** Accounts (by id, or "*" for every other) that decline every incoming call, each with the text sent to the caller, if any. */
    readonly rejectCalls: Readonly<Record<string, { readonly message?: string }>>;
  };
  readonly events: {
    /** Events older than this or beyond this count per account are deleted even if unacked (the subscriber is told). */
    readonly retention: { readonly maxAgeMs: number; readonly maxEvents: number };
  };
  readonly ipc: {
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
  };
  readonly connection: {
    readonly connectTimeoutMs: number;
    /** Pings every keepAliveIntervalMs ± keepAliveJitterMs. */
    readonly keepAliveIntervalMs: number;
    readonly keepAliveJitterMs: number;
    readonly keepAliveTimeoutMs: number;
    /** resetAfterMs: how long a connection must stay online before the backoff counter starts over. */
    readonly backoff: { readonly initialMs: number; readonly maxMs: number; readonly jitter: number; readonly resetAfterMs: number };
    /** Offline stanzas asked for per batch; the next batch is asked for once this one is handled. */
    readonly offlineBatchSize: number;
  };
  readonly store: {
    /**
     * Where the records live: "level" (LevelDB under the data dir, one daemon) or
     * "postgres" (a PostgreSQL database at `url`, which several daemons can share).
     */
    readonly backend: 'level' | 'postgres';
    /** postgres://user:password@host:port/database (backend "postgres" only). */
    readonly url: string | null;
    /** A schema of its own in that database (created when missing); null: the connection's default. */
    readonly schema: string | null;
    /** Connections to PostgreSQL at most. */
    readonly maxConnections: number;
    /** fsync every batch: survives power loss, not just a killed process; much slower (LevelDB). */
    readonly sync: boolean;
    readonly cacheEntries: number;
    readonly cacheBytes: number;
    readonly sentMessagesMax: number;
    /** Received-message records kept per account (dedupe of redeliveries, quotes, polls, media by id); the oldest go first. */
    readonly messagesMax: number;
    /** The message store (message:list): messages kept per chat; the oldest go first. */
    readonly chatMessagesPerChat: number;
    /** The message store: messages kept per account, all chats; the oldest go first. */
    readonly chatMessagesMax: number;
    /** How long a used one-time prekey is kept for retransmitted pkmsgs. */
    readonly preKeyGraceMs: number;
  };
  readonly media: {
    /**
     * Directories a `message:send` `path` may name (symlinks resolved before
     * the check). `null` in a config file means the user's home and the
     * system temp dir; `[]` turns path sends off. /proc, /sys, /dev and the
     * data dir are refused whatever this says.
     */
    readonly allowedRoots: readonly string[];
  };
  /** Link previews the daemon makes (`message:send` text with `linkPreview: true`). */
  readonly linkPreview: {
    /** Fetch pages and images from loopback, private (RFC 1918), link-local, ULA and other non-public addresses too. */
    readonly allowPrivateNetworks: boolean;
    /** One deadline for the page, its image and the thumbnail's upload. */
    readonly timeoutMs: number;
    /** Largest page read (bytes). */
    readonly maxPageBytes: number;
    /** Largest image read (bytes). */
    readonly maxImageBytes: number;
    readonly maxRedirects: number;
  };
  readonly history: {
    /** Ask the phone, at linking, for the whole chat history (DeviceProps.requireFullSync) instead of the recent part. */
    readonly fullSync: boolean;
    /** Days of history wanted (the full sync's limit with fullSync, else the recent sync's); null: the phone's choice. */
    readonly days: number | null;
    /** Full sync only: the phone stops after this many MB; null: no limit asked. */
    readonly sizeMbLimit: number | null;
    /** Storage the companion offers the phone, MB (WhatsApp Web offers 10240). */
    readonly storageQuotaMb: number;
  };
  readonly memory: {
    /**
     * The daemon's process only: how far (percent) the JavaScript heap may
     * grow past what the last full collection kept before the next one.
     * 0 leaves V8's own choice (up to 300 %, which lets a burst such as a
     * history sync take several times the live heap in RSS).
     */
    readonly heapGrowthPercent: number;
  };
  readonly idempotency: {
    /** Idempotency keys remembered per account (the oldest go first). */
    readonly keysMax: number;
    /** How long a key answers with its first send's result. */
    readonly ttlMs: number;
  };
  readonly http: {
    /** The HTTP API's listener (`"127.0.0.1:8080"`), or null for none; requires tokens. */
    readonly listen: { readonly host: string; readonly port: number } | null;
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
  };
  /**
   * Several daemons sharing one PostgreSQL store (store.backend "postgres"):
   * each account is run by one daemon at a time, under a lease.
   */
  readonly cluster: {
    readonly enabled: boolean;
    /** This daemon's id among them; null: `<hostname>-<random>`, new at each start. */
    readonly daemonId: string | null;
    /** How long a lease lasts unrenewed: a dead daemon's accounts move after about this long. */
    readonly leaseMs: number;
    /** How often leases are renewed and accounts rebalanced (well under leaseMs). */
    readonly renewMs: number;
    /** Where this daemon takes requests forwarded by the others (host:port); null: it takes none. */
    readonly listen: { readonly host: string; readonly port: number } | null;
    /** What the others connect to for it (host:port); null: the listen address (its port resolved). */
    readonly advertise: { readonly host: string; readonly port: number } | null;
    /** Shared by every daemon of the cluster: a forwarded request carries it (required with listen). */
    readonly secret: string | null;
    /** A forwarded request's time limit, connecting included. */
    readonly forwardTimeoutMs: number;
    /** Forwarded requests in flight at once, each way (more: RATE_LIMITED). */
    readonly maxForwards: number;
    /** Largest forwarded request or answer body. */
    readonly maxForwardBytes: number;
  };
  /** Webhooks added at start when the store does not have them (by id); webhook:add adds more. */
  readonly webhooks: readonly WebhookConfig[];
  readonly webhookDelivery: {
    /** Failed POSTs in a row after which a webhook pauses. */
    readonly retryLimit: number;
    /** First wait after a failure; doubles per failure (jittered ±50%) up to maxMs. */
    readonly initialMs: number;
    readonly maxMs: number;
    /** One POST's time limit. */
    readonly timeoutMs: number;
  };
}

export interface WebhookConfig {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  readonly events?: readonly string[];
  readonly accounts?: readonly string[];
}

const DAY = 86_400_000;
const ms = (min: number, max: number) => int(min, max);
const rate = object({ perSecond: num(0.01, 10_000), burst: int(1, 100_000) });

const wsUrl = refine(str({ nonEmpty: true }), (v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'ws:' || u.protocol === 'wss:' ? ok(v) : bad('a ws:// or wss:// URL');
  } catch {
    return bad('a ws:// or wss:// URL');
  }
});

const webVersion = refine(str({ nonEmpty: true }), (v) => (parseWebVersion(v) ? ok(v) : bad('a Web build "2.3000.<build>"')));

const httpUrl = refine(str({ nonEmpty: true }), (v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? ok(v) : bad('an http:// or https:// URL');
  } catch {
    return bad('an http:// or https:// URL');
  }
});

const absolutePath = refine(str({ nonEmpty: true }), (v) => (v.startsWith('/') ? ok(v) : bad('an absolute path')));

const hexKey = refine(str(), (v) => (/^[0-9a-fA-F]{64}$/.test(v) ? ok(v.toLowerCase()) : bad('64 hex characters (a 32-byte key)')));

const listen = refine(str({ nonEmpty: true }), (v) => {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:\s]+)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  return m && port <= 65535 ? ok({ host: m[1] ?? m[2]!, port }) : bad('host:port (for example "127.0.0.1:8080")');
});

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

const clusterShape = object({
  enabled: bool,
  daemonId: nullable(refine(str({ nonEmpty: true }), (v) => (/^[A-Za-z0-9_.-]{1,64}$/.test(v) ? ok(v) : bad('1-64 letters, digits, _ . or -')))),
  leaseMs: ms(1000, 600_000),
  renewMs: ms(100, 300_000),
  listen: nullable(listen),
  advertise: nullable(listen),
  secret: nullable(refine(str({ nonEmpty: true }), (v) => (v.length >= 32 ? ok(v) : bad('a secret of at least 32 characters')))),
  forwardTimeoutMs: ms(100, 600_000),
  maxForwards: int(1, 100_000),
  maxForwardBytes: int(1024, 1 << 30),
});

/** Forwarding's keys: a cluster object given whole (a test's override) without them takes these. */
const FORWARDING_DEFAULTS = { listen: null, advertise: null, secret: null, forwardTimeoutMs: 30_000, maxForwards: 256, maxForwardBytes: 64 << 20 };
const clusterCheck: typeof clusterShape = (v, path, issues) =>
  clusterShape(typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...FORWARDING_DEFAULTS, ...v } : v, path, issues);

export const configSchema = object({
  dataDir: nullable(str({ nonEmpty: true })),
  socket: nullable(str({ nonEmpty: true })),
  listen: nullable(listen),
  tokens: arrayOf(token),
  server: object({
    wsUrl,
    rootPublicKey: hexKey,
    mediaCaPath: nullable(str({ nonEmpty: true })),
    webVersion: nullable(webVersion),
    webVersionUrl: nullable(httpUrl),
    webVersionRefreshMs: ms(60_000, 30 * DAY),
  }),
  log: object({ level: oneOf<LogLevel>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), format: oneOf<LogFormat>(['auto', 'json', 'pretty']) }, { optional: ['format'] }),
  accounts: object({
    maxAccounts: int(1, 100_000),
    autoStart: bool,
    sendRate: rate,
    restart: object({ maxRestarts: int(0, 1000), withinMs: ms(1, 7 * DAY), delayMs: ms(0, 3_600_000) }),
    rejectCalls: recordOf(object({ message: str({ nonEmpty: true }) }, { optional: ['message'] }), {
      key: /^(\*|[A-Za-z0-9_.-]{1,64})$/,
      keyWhat: 'an account id or "*"',
      maxKeys: 100_000,
    }),
  }),
  events: object({ retention: object({ maxAgeMs: ms(60_000, 365 * DAY), maxEvents: int(1, 100_000_000) }) }),
  ipc: object({
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
  }),
  connection: object({
    connectTimeoutMs: ms(100, 600_000),
    keepAliveIntervalMs: ms(1000, 600_000),
    keepAliveJitterMs: ms(0, 600_000),
    keepAliveTimeoutMs: ms(100, 600_000),
    backoff: object({ initialMs: ms(1, 3_600_000), maxMs: ms(1, 24 * 3_600_000), jitter: num(0, 1), resetAfterMs: ms(0, 24 * 3_600_000) }),
    offlineBatchSize: int(1, 1000),
  }),
  store: object({
    backend: oneOf<'level' | 'postgres'>(['level', 'postgres']),
    url: nullable(refine(str({ nonEmpty: true }), (v) => (/^postgres(ql)?:\/\/\S+$/.test(v) ? ok(v) : bad('a postgres:// URL')))),
    schema: nullable(refine(str({ nonEmpty: true }), (v) => (/^[a-z_][a-z0-9_]{0,62}$/.test(v) ? ok(v) : bad('a lower-case SQL name (letters, digits, _)')))),
    maxConnections: int(1, 1000),
    sync: bool,
    cacheEntries: int(0, 1_000_000),
    cacheBytes: int(0, 1 << 30),
    sentMessagesMax: int(0, 1_000_000),
    messagesMax: int(100, 10_000_000),
    chatMessagesPerChat: int(1, 10_000_000),
    chatMessagesMax: int(1, 100_000_000),
    preKeyGraceMs: ms(0, 365 * DAY),
  }),
  media: object({ allowedRoots: nullable(arrayOf(absolutePath)) }),
  linkPreview: object({ allowPrivateNetworks: bool, timeoutMs: ms(100, 120_000), maxPageBytes: int(1024, 64 << 20), maxImageBytes: int(1024, 64 << 20), maxRedirects: int(0, 20) }),
  history: object({ fullSync: bool, days: nullable(int(1, 36_500)), sizeMbLimit: nullable(int(1, 1_000_000)), storageQuotaMb: int(1, 1_000_000) }),
  memory: object({ heapGrowthPercent: int(0, 300) }),
  idempotency: object({ keysMax: int(1, 1_000_000), ttlMs: ms(60_000, 30 * DAY) }),
  cluster: clusterCheck,
  webhooks: arrayOf(
    object(
      {
        id: refine(str({ nonEmpty: true }), (v) => (/^[A-Za-z0-9_-]{1,64}$/.test(v) ? ok(v) : bad('1-64 letters, digits, _ or -'))),
        url: refine(str({ nonEmpty: true }), (v) => (/^https?:\/\/\S+$/.test(v) ? ok(v) : bad('an http:// or https:// URL'))),
        secret: refine(str({ nonEmpty: true }), (v) => (v.length >= 16 ? ok(v) : bad('a secret of at least 16 characters'))),
        events: arrayOf(str({ nonEmpty: true })),
        accounts: arrayOf(str({ nonEmpty: true })),
      },
      { optional: ['events', 'accounts'] },
    ),
  ),
  webhookDelivery: object({ retryLimit: int(1, 10_000), initialMs: ms(1, 3_600_000), maxMs: ms(1, DAY), timeoutMs: ms(100, 600_000) }),
  http: object({
    listen: nullable(listen),
    maxBodyBytes: int(1024, 1 << 30),
    rateLimit: rate,
    accountRateLimit: rate,
    maxInflight: int(1, 1_000_000),
    maxEventStreams: int(1, 100_000),
  }),
});

export type RawConfig = Exclude<ReturnType<typeof configSchema>, typeof INVALID>;

/** Rules across keys, checked once every key is valid. */
export function crossChecks(c: RawConfig, issues: RawIssue[]): void {
  if (c.listen && c.tokens.length === 0) {
    issues.push({ path: 'tokens', message: 'at least one token is required when "listen" is set' });
  }
  if (c.http.listen && c.tokens.length === 0) {
    issues.push({ path: 'tokens', message: 'at least one token is required when "http.listen" is set' });
  }
  if (c.store.backend === 'postgres' && c.store.url === null) {
    issues.push({ path: 'store.url', message: 'a postgres:// URL is required when store.backend is "postgres"' });
  }
  if (c.cluster.enabled && c.store.backend !== 'postgres') {
    issues.push({ path: 'cluster.enabled', message: 'a cluster shares a PostgreSQL store: set store.backend to "postgres"' });
  }
  if (c.cluster.listen && !c.cluster.secret) {
    issues.push({ path: 'cluster.secret', message: 'a shared secret (at least 32 characters) is required when "cluster.listen" is set' });
  }
  if (c.cluster.listen && !c.cluster.advertise && ['0.0.0.0', '::'].includes(c.cluster.listen.host)) {
    issues.push({ path: 'cluster.advertise', message: 'say where the other daemons reach this one (host:port) when "cluster.listen" is a wildcard address' });
  }
  if (c.cluster.renewMs * 3 > c.cluster.leaseMs) {
    issues.push({ path: 'cluster.renewMs', message: `must be at most a third of cluster.leaseMs (${c.cluster.leaseMs}), so a lease survives a late renewal` });
  }
  if (c.connection.backoff.initialMs > c.connection.backoff.maxMs) {
    issues.push({ path: 'connection.backoff.initialMs', message: `must not exceed connection.backoff.maxMs (${c.connection.backoff.maxMs})` });
  }
  if (c.connection.keepAliveJitterMs >= c.connection.keepAliveIntervalMs) {
    issues.push({ path: 'connection.keepAliveJitterMs', message: `must be less than connection.keepAliveIntervalMs (${c.connection.keepAliveIntervalMs})` });
  }
}
