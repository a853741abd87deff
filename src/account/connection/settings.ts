/**
 * The knobs of one account's connection, derived from the daemon's config
 * (src/config) once and shared by every account.
 */
import type { Config } from '../../config/index.js';
import type { HistorySyncOptions } from '../../protocol/history/index.js';
import { DEFAULT_WEB_VERSION, type WebVersion } from '../../protocol/pairing/index.js';
import type { BackoffPolicy } from './backoff.js';

export interface ConnectionSettings {
  readonly wsUrl: string;
  /** WhatsApp's certificate root (32 bytes); the simulator's in tests. */
  readonly rootPublicKey: Uint8Array;
  /** Socket connect, Noise handshake and login answer: each gets this long (20 s). */
  readonly connectTimeoutMs: number;
  /** Keepalive ticks every interval ± jitter (25 ± 5 s: WhatsApp Web's 15–30 s, less its short end). */
  readonly keepAliveIntervalMs: number;
  readonly keepAliveJitterMs: number;
  /** A ping's answer deadline and the dead-socket time (20 s). */
  readonly keepAliveTimeoutMs: number;
  readonly backoff: BackoffPolicy;
  /** Default IQ timeout (WhatsApp Web: 60 s). */
  readonly iqTimeoutMs: number;
  /** How long send()/query() wait for the account to come online before UNAVAILABLE. */
  readonly sendWaitMs: number;
  readonly maxPendingIqs: number;
  /** Callers waiting for online at once. */
  readonly maxWaiting: number;
  /** Incoming stanzas being handled at once before we stop reading the socket (until half are done). */
  readonly maxQueuedStanzas: number;
  /** Offline stanzas asked for per `<offline_batch>` (the next batch is asked for once this one is handled). */
  readonly offlineBatchSize: number;
  /** How long the offline window may go without a stanza before live stanzas stop waiting for its end (WhatsApp: 60 s). */
  readonly offlineSyncTimeoutMs: number;
  readonly browser: string;
  readonly os: string;
  /** The WhatsApp Web build announced at login and registration (it may change while the daemon runs). */
  readonly webVersion: () => WebVersion;
  /**
   * Fetches the build WhatsApp publishes now (after a 405): the new current
   * build, or undefined when it cannot be had. Absent: nothing to fetch from.
   */
  /** At linking: what history to ask the phone for (full or recent, days, size). */
  readonly history: HistorySyncOptions;
  readonly refreshWebVersion?: (() => Promise<WebVersion | undefined>) | undefined;
}

export const SETTING_DEFAULTS = {
  iqTimeoutMs: 60_000,
  sendWaitMs: 15_000,
  maxPendingIqs: 1_000,
  maxWaiting: 1_000,
  maxQueuedStanzas: 2_000,
  offlineBatchSize: 200,
  offlineSyncTimeoutMs: 60_000,
  browser: 'Chrome',
  os: 'Linux',
  webVersion: (): WebVersion => DEFAULT_WEB_VERSION,
  history: {},
} as const;

/**
 * The backoff unit is `connection.backoff.initialMs` (1 s), the cap `maxMs`
 * (900 s), the jitter `jitter` (±10 %, as WhatsApp Web) and `resetAfterMs`
 * (30 s) how long a connection must stay online before its failures are
 * forgotten; the sequence is Fibonacci, so there is no growth factor to set.
 */
export function settingsFromConfig(config: Config): ConnectionSettings {
  const c = config.connection;
  return {
    ...SETTING_DEFAULTS,
    wsUrl: config.server.wsUrl,
    rootPublicKey: new Uint8Array(Buffer.from(config.server.rootPublicKey, 'hex')),
    connectTimeoutMs: c.connectTimeoutMs,
    keepAliveIntervalMs: c.keepAliveIntervalMs,
    keepAliveJitterMs: c.keepAliveJitterMs,
    keepAliveTimeoutMs: c.keepAliveTimeoutMs,
    offlineBatchSize: c.offlineBatchSize,
    history: historyOptions(config.history),
    backoff: { unitMs: c.backoff.initialMs, maxMs: c.backoff.maxMs, jitter: c.backoff.jitter, resetAfterMs: c.backoff.resetAfterMs },
  };
}

/** The configured history wishes, as the pairing payload takes them (null: not asked). */
export function historyOptions(h: Config['history']): HistorySyncOptions {
  return {
    fullSync: h.fullSync,
    storageQuotaMb: h.storageQuotaMb,
    ...(h.days !== null ? { days: h.days } : {}),
    ...(h.sizeMbLimit !== null ? { sizeMbLimit: h.sizeMbLimit } : {}),
  };
}
