/**
 * How accounts run: how many, their restarts and send pacing, calls they
 * decline, their connection to the server, and the history they ask the
 * phone for.
 */
import { bool, int, nullable, num, object, recordOf, str } from '../checks.js';
import { DAY, ms, rate, type RateConfig } from '../values.js';

export interface AccountsConfig {
  readonly maxAccounts: number;
  /** Start every registered account when the daemon starts. */
  readonly autoStart: boolean;
  /** Outgoing message pacing per account. */
  readonly sendRate: RateConfig;
  /** Per-account restart budget; beyond it the account is stopped and reported. */
  readonly restart: { readonly maxRestarts: number; readonly withinMs: number; readonly delayMs: number };
  /** Accounts (by id, or "*" for every other) that decline every incoming call, each with the text sent to the caller, if any. */
  readonly rejectCalls: Readonly<Record<string, { readonly message?: string }>>;
}

export interface ConnectionConfig {
  readonly connectTimeoutMs: number;
  /** Pings every keepAliveIntervalMs ± keepAliveJitterMs. */
  readonly keepAliveIntervalMs: number;
  readonly keepAliveJitterMs: number;
  readonly keepAliveTimeoutMs: number;
  /** resetAfterMs: how long a connection must stay online before the backoff counter starts over. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number; readonly jitter: number; readonly resetAfterMs: number };
  /** Offline stanzas asked for per batch; the next batch is asked for once this one is handled. */
  readonly offlineBatchSize: number;
}

export interface HistoryConfig {
  /** Ask the phone, at linking, for the whole chat history (DeviceProps.requireFullSync) instead of the recent part. */
  readonly fullSync: boolean;
  /** Days of history wanted (the full sync's limit with fullSync, else the recent sync's); null: the phone's choice. */
  readonly days: number | null;
  /** Full sync only: the phone stops after this many MB; null: no limit asked. */
  readonly sizeMbLimit: number | null;
  /** Storage the companion offers the phone, MB (WhatsApp Web offers 10240). */
  readonly storageQuotaMb: number;
}

export const accountsSchema = object({
  maxAccounts: int(1, 100_000),
  autoStart: bool,
  sendRate: rate,
  restart: object({ maxRestarts: int(0, 1000), withinMs: ms(1, 7 * DAY), delayMs: ms(0, 3_600_000) }),
  rejectCalls: recordOf(object({ message: str({ nonEmpty: true }) }, { optional: ['message'] }), {
    key: /^(\*|[A-Za-z0-9_.-]{1,64})$/,
    keyWhat: 'an account id or "*"',
    maxKeys: 100_000,
  }),
});

export const connectionSchema = object({
  connectTimeoutMs: ms(100, 600_000),
  keepAliveIntervalMs: ms(1000, 600_000),
  keepAliveJitterMs: ms(0, 600_000),
  keepAliveTimeoutMs: ms(100, 600_000),
  backoff: object({ initialMs: ms(1, 3_600_000), maxMs: ms(1, 24 * 3_600_000), jitter: num(0, 1), resetAfterMs: ms(0, 24 * 3_600_000) }),
  offlineBatchSize: int(1, 1000),
});

export const historySchema = object({ fullSync: bool, days: nullable(int(1, 36_500)), sizeMbLimit: nullable(int(1, 1_000_000)), storageQuotaMb: int(1, 1_000_000) });
