/**
 * The control contract's webhooks: how webhook:add takes one, how
 * webhook:list shows it, and the daemon API's webhook methods. Each webhook
 * is a durable subscriber of the accounts it takes. Types only.
 */
import type { EventType } from './event-log.js';

/** A webhook as webhook:add takes it. */
export interface WebhookSpec {
  /** http(s) URL each event is POSTed to. */
  url: string;
  /** Event types it takes; absent: all. */
  events?: EventType[];
  /** Accounts it takes; absent: all (a scoped token must name its own). */
  accounts?: string[];
  /** HMAC-SHA256 key of X-Wad-Signature; absent: the daemon makes one and answers it. */
  secret?: string;
  /** Deliver from this seq on (one for every account, or per account) instead of from now. */
  since?: number | Record<string, number>;
}

/** A webhook as webhook:list shows it (never its secret). */
export interface WebhookInfo {
  id: string;
  url: string;
  /** null: every type. */
  events: EventType[] | null;
  /** null: every account. */
  accounts: string[] | null;
  /** `paused` once the retry limit ran out (lastError says why) until webhook:resume. */
  state: 'active' | 'paused';
  /** Events logged but not yet delivered (or skipped as not wanted), over its accounts. */
  lag: number;
  /** Deliveries answered 2xx since the daemon started. */
  delivered: number;
  /** Failed attempts since the daemon started. */
  failures: number;
  lastError?: string;
}

export interface WebhookTestResult {
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  error?: string;
}

/** The daemon API's webhook methods. */
export interface WebhookApi {
  addWebhook(spec: WebhookSpec): Promise<{ id: string; secret: string }>;
  listWebhooks(): Promise<WebhookInfo[]>;
  removeWebhook(id: string): Promise<void>;
  /** Restarts a paused webhook where it stopped. */
  resumeWebhook(id: string): Promise<void>;
  /** POSTs one `webhook:test` frame (not from the log) and reports the answer. */
  testWebhook(id: string): Promise<WebhookTestResult>;
}
