/**
 * `GET /metrics` in Prometheus text (prom-client): per account its state,
 * reconnects by cause, messages in and out, decrypt failures, retries,
 * server errors by code, sends waiting for the send rate, event log size;
 * per webhook its lag, deliveries, failures and whether it is paused; and
 * the process's own metrics. Account metrics carry the label `account`.
 * The account series are read from the daemon at each scrape into a fresh
 * registry holding only the caller's accounts (a scoped token sees only
 * its own); process metrics live in one registry for the server's life.
 * Owns the metric names; must not count anything itself.
 */
import { Gauge, Registry, collectDefaultMetrics, Counter } from 'prom-client';
import type { DaemonApi } from '../contract/api.js';
import type { Caller } from './caller.js';

/** Account counters (account:status) exposed as counters of their own name. */
const COUNTERS: ReadonlyArray<[counter: string, metric: string, help: string]> = [
  ['received', 'wad_messages_received_total', 'Messages received and stored'],
  ['sent', 'wad_messages_sent_total', 'Messages sent and acked by the server'],
  ['decryptFailures', 'wad_decrypt_failures_total', 'Messages that could not be decrypted'],
  ['retryReceiptsSent', 'wad_retry_receipts_sent_total', 'Retry receipts sent for messages that did not decrypt'],
  ['retryResends', 'wad_retry_resends_total', 'Messages sent again for a contact\'s retry receipt'],
  ['retriesGivenUp', 'wad_retries_given_up_total', 'Retries given up'],
  ['starts', 'wad_account_starts_total', 'Account starts'],
];

export class Metrics {
  readonly #process = new Registry();

  constructor(readonly api: DaemonApi) {
    collectDefaultMetrics({ register: this.#process, prefix: 'wad_' });
  }

  get contentType(): string {
    return this.#process.contentType;
  }

  /** The exposition for `caller` (its accounts only when it is scoped). */
  async render(caller: Caller): Promise<string> {
    const r = new Registry();
    const visible = (a: string): boolean => caller.scope === undefined || caller.scope.has(a);
    const state = new Gauge({ name: 'wad_account_state', help: 'The account\'s state (1 for the state it is in)', labelNames: ['account', 'state'], registers: [r] });
    const reconnects = new Counter({ name: 'wad_reconnects_total', help: 'Reconnects by cause', labelNames: ['account', 'cause'], registers: [r] });
    const serverErrors = new Counter({ name: 'wad_server_errors_total', help: 'Server errors answered to sends, by code', labelNames: ['account', 'code'], registers: [r] });
    const queue = new Gauge({ name: 'wad_send_queue_depth', help: 'Sends waiting for the account\'s send rate', labelNames: ['account'], registers: [r] });
    const log = new Gauge({ name: 'wad_event_log_events', help: 'Events held in the account\'s durable log', labelNames: ['account'], registers: [r] });
    const counters = new Map(COUNTERS.map(([c, name, help]) => [c, new Counter({ name, help, labelNames: ['account'], registers: [r] })]));

    for (const summary of this.api.listAccounts()) {
      const account = summary.id;
      if (!visible(account)) continue;
      state.set({ account, state: summary.state }, 1);
      let status;
      try {
        status = this.api.accountStatus(account);
      } catch {
        continue; // Removed between the list and now.
      }
      const c = status.counters ?? {};
      for (const [name, value] of Object.entries(c)) {
        if (name.startsWith('reconnects:')) reconnects.inc({ account, cause: name.slice('reconnects:'.length) }, value);
        else if (/^serverError\d+$/.test(name)) serverErrors.inc({ account, code: name.slice('serverError'.length) }, value);
      }
      for (const [name, counter] of counters) counter.inc({ account }, c[name] ?? 0);
      queue.set({ account }, c['sendsWaitingForRate'] ?? 0);
      log.set({ account }, await this.api.eventLogSize(account).catch(() => 0));
    }

    const lag = new Gauge({ name: 'wad_webhook_lag', help: 'Events logged but not yet delivered or passed over', labelNames: ['webhook'], registers: [r] });
    const delivered = new Counter({ name: 'wad_webhook_deliveries_total', help: 'Deliveries answered 2xx since the daemon started', labelNames: ['webhook'], registers: [r] });
    const failures = new Counter({ name: 'wad_webhook_failures_total', help: 'Failed delivery attempts since the daemon started', labelNames: ['webhook'], registers: [r] });
    const paused = new Gauge({ name: 'wad_webhook_paused', help: '1 when the webhook is paused (retry limit reached)', labelNames: ['webhook'], registers: [r] });
    for (const w of await this.api.listWebhooks()) {
      if (caller.scope !== undefined && (w.accounts === null || !w.accounts.every(visible))) continue;
      lag.set({ webhook: w.id }, w.lag);
      delivered.inc({ webhook: w.id }, w.delivered);
      failures.inc({ webhook: w.id }, w.failures);
      paused.set({ webhook: w.id }, w.state === 'paused' ? 1 : 0);
    }
    return (await this.#process.metrics()) + (await r.metrics());
  }
}
