/**
 * What is kept and for how long: the store's backend and bounds, the event
 * log's retention and the idempotency keys.
 */
import { bool, int, nullable, object, ok, bad, oneOf, refine, str } from '../checks.js';
import { DAY, ms } from '../values.js';

export interface StoreConfig {
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
}

export interface EventsConfig {
  /** Events older than this or beyond this count per account are deleted even if unacked (the subscriber is told). */
  readonly retention: { readonly maxAgeMs: number; readonly maxEvents: number };
}

export interface IdempotencyConfig {
  /** Idempotency keys remembered per account (the oldest go first). */
  readonly keysMax: number;
  /** How long a key answers with its first send's result. */
  readonly ttlMs: number;
}

export const storeSchema = object({
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
});

export const eventsSchema = object({ retention: object({ maxAgeMs: ms(60_000, 365 * DAY), maxEvents: int(1, 100_000_000) }) });

export const idempotencySchema = object({ keysMax: int(1, 1_000_000), ttlMs: ms(60_000, 30 * DAY) });
