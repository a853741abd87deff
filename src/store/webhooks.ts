/**
 * The daemon's webhooks (`webhooks/<id>`, daemon-wide like the account
 * registry): where each posts, what it takes, its signing secret and whether
 * it is paused and why. Where each webhook stands in an account's events is
 * not here: that is the account's durable subscriber cursor, written in the
 * account's own batches. Owns the record layout only.
 */
import type { KVBackend } from './backend/types.js';
import { encodeRecord, type Value } from './codec/value.js';
import { Fields } from './codec/fields.js';
import { StoreError } from './errors.js';
import { key, prefixRange, tailText } from './keys.js';

export const WEBHOOKS_PREFIX = new TextEncoder().encode('webhooks/');
const FORMAT = 1;
/** Webhook ids: short, printable, safe in a key part and a subscriber name. */
export const WEBHOOK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface WebhookRecord {
  readonly id: string;
  readonly url: string;
  /** Event types it takes; undefined: all. */
  readonly events: readonly string[] | undefined;
  /** Accounts it takes; undefined: all. */
  readonly accounts: readonly string[] | undefined;
  readonly secret: string;
  readonly createdAt: number;
  /** Why delivery stopped (the retry limit ran out); undefined while it delivers. */
  readonly pausedReason: string | undefined;
}

function strings(f: Fields, field: string): string[] | undefined {
  const v = f.map[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new StoreError('CORRUPT_RECORD', `webhook.${field}: expected a list of strings`);
  return [...(v as string[])];
}

/** @throws StoreError CORRUPT_RECORD */
export function decodeWebhook(bytes: Uint8Array): WebhookRecord {
  const f = Fields.of('webhook', bytes, FORMAT);
  return {
    id: f.str('id'),
    url: f.str('url'),
    events: strings(f, 'events'),
    accounts: strings(f, 'accounts'),
    secret: f.str('secret'),
    createdAt: f.int('createdAt'),
    pausedReason: f.optStr('pausedReason'),
  };
}

export function encodeWebhook(w: WebhookRecord): Uint8Array {
  const v: Record<string, Value> = { id: w.id, url: w.url, secret: w.secret, createdAt: w.createdAt };
  if (w.events) v['events'] = [...w.events];
  if (w.accounts) v['accounts'] = [...w.accounts];
  if (w.pausedReason !== undefined) v['pausedReason'] = w.pausedReason;
  return encodeRecord(FORMAT, v);
}

function webhookKey(id: string): Uint8Array {
  if (!WEBHOOK_ID_PATTERN.test(id)) throw new StoreError('BAD_KEY', `webhook id must match ${WEBHOOK_ID_PATTERN}`);
  return key(WEBHOOKS_PREFIX, id);
}

/** The webhooks' records in one backend. */
export class WebhookRecords {
  constructor(private readonly backend: KVBackend) {}

  /** Every webhook that decodes, and the ids of those that do not (one damaged record never hides the others). */
  async list(): Promise<{ webhooks: WebhookRecord[]; damaged: Array<{ id: string; reason: string }> }> {
    const webhooks: WebhookRecord[] = [];
    const damaged: Array<{ id: string; reason: string }> = [];
    for await (const [k, v] of this.backend.iterate(prefixRange(WEBHOOKS_PREFIX))) {
      let id: string;
      try {
        id = tailText(k, WEBHOOKS_PREFIX);
      } catch {
        continue;
      }
      try {
        webhooks.push(decodeWebhook(v));
      } catch (err) {
        damaged.push({ id, reason: (err as Error).message });
      }
    }
    return { webhooks, damaged };
  }

  /** @throws StoreError BAD_KEY, WRITE_FAILED */
  async put(w: WebhookRecord): Promise<void> {
    await this.backend.batch([{ type: 'put', key: webhookKey(w.id), value: encodeWebhook(w) }]);
  }

  /** @throws StoreError BAD_KEY, WRITE_FAILED */
  async delete(id: string): Promise<void> {
    await this.backend.batch([{ type: 'del', key: webhookKey(id) }]);
  }
}
