/**
 * The daemon's webhooks: their records (store `webhooks/<id>`), one
 * WebhookRunner each, fed by the daemon's live events, and the API's
 * webhook requests. A new webhook takes events from its creation on (its
 * cursor starts at each account's newest seq) or from `since`; removing
 * one forgets its cursors so retention no longer keeps events for it.
 * Webhooks named in the config are added at start when missing. Owns the
 * records' lifetimes; delivery is the runner's.
 *
 * In a cluster every daemon has every webhook, and delivers it only for the
 * accounts it runs: an account's events go out once, from its owner, and the
 * webhook's cursor in that account is in the shared store, so the account's
 * next owner after a failover goes on from it. A webhook added, removed,
 * paused or resumed at one daemon is taken up by the others (reload()).
 * An account taken over starts delivering at its first new event; one that
 * logs nothing more (not linked here, say) is looked at by a sweep every
 * minute, so what the old owner left undelivered still goes.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DaemonApi, EventType, WebhookInfo, WebhookSpec, WebhookTestResult } from '../../contract/api.js';
import { DaemonError } from '../../contract/errors.js';
import { PROTOCOL_VERSION } from '../../contract/frames.js';
import type { Store, WebhookRecord } from '../../store/index.js';
import { postDelivery } from './post.js';
import { subscriberOf, WebhookRunner, type DeliveryOptions } from './runner.js';

/** How often, in a cluster, every account this daemon runs is looked at for undelivered events. */
const SWEEP_MS = 60_000;

export interface ConfiguredWebhook extends WebhookSpec {
  readonly id: string;
}

/** Where this daemon delivers, and how it forgets a webhook's cursors (both the cluster's, when in one). */
export interface WebhookPlacement {
  /** Whether this daemon delivers the account's events (it runs the account). */
  readonly runs: (account: string) => boolean;
  readonly removeSubscriber: (subscriber: string, account: string) => Promise<void>;
}

export class Webhooks {
  readonly #runners = new Map<string, WebhookRunner>();
  #off: (() => void) | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly store: Store,
    readonly api: DaemonApi,
    readonly options: DeliveryOptions,
    readonly logger: Logger,
    readonly now: () => number = Date.now,
    readonly placement?: WebhookPlacement,
  ) {}

  /** Loads the records, adds the config's missing ones, starts delivery. */
  async start(configured: readonly ConfiguredWebhook[]): Promise<void> {
    const { webhooks, damaged } = await this.store.webhooks.list();
    for (const d of damaged) this.logger.error({ webhook: d.id, reason: d.reason }, 'webhook record does not load; it is not delivered');
    for (const w of webhooks) this.#run(w);
    for (const c of configured) if (!this.#runners.has(c.id) && !damaged.some((d) => d.id === c.id)) await this.add(c, c.id);
    this.#off = this.api.onEvent((ev) => {
      for (const r of this.#runners.values()) r.onEvent(ev);
    });
    if (this.placement) {
      this.#sweep = setInterval(() => {
        for (const r of this.#runners.values()) r.start();
      }, SWEEP_MS);
      this.#sweep.unref();
    }
  }

  stop(): void {
    this.#off?.();
    this.#off = undefined;
    if (this.#sweep) clearInterval(this.#sweep);
    for (const r of this.#runners.values()) r.stop();
    this.#runners.clear();
  }

  /**
   * Takes up what changed in the records (another daemon of the cluster added,
   * removed, paused or resumed a webhook). Reloads run one at a time.
   */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(async () => {
      if (!this.#off) return;
      const { webhooks } = await this.store.webhooks.list();
      if (!this.#off) return;
      const ids = new Set(webhooks.map((w) => w.id));
      for (const [id, r] of this.#runners) {
        if (ids.has(id)) continue;
        r.stop();
        this.#runners.delete(id);
      }
      for (const w of webhooks) {
        const r = this.#runners.get(w.id);
        if (!r || !sameRecord(r.record, w)) this.#run(w);
      }
    });
    return this.#reloading;
  }


  /** @throws DaemonError ALREADY_EXISTS (id taken), NOT_FOUND (an account in `since` or `accounts` that does not exist is fine: it joins later) */
  // Hex ids: one starting with '-' would read as an option on `wad webhook remove <id>`.
  async add(spec: WebhookSpec, id = randomBytes(8).toString('hex')): Promise<{ id: string; secret: string }> {
    if (this.#runners.has(id)) throw new DaemonError('ALREADY_EXISTS', `webhook ${id} exists`);
    const secret = spec.secret ?? randomBytes(24).toString('base64url');
    const record: WebhookRecord = {
      id,
      url: spec.url,
      events: spec.events,
      accounts: spec.accounts,
      secret,
      createdAt: this.now(),
      pausedReason: undefined,
    };
    // Its cursors first: from now on (or `since`) in every account it takes that exists, so the record never runs without them.
    for (const a of this.api.listAccounts()) {
      if (a.state === 'failed' || (record.accounts && !record.accounts.includes(a.id))) continue;
      const since = typeof spec.since === 'number' ? spec.since : spec.since?.[a.id];
      const from = since !== undefined ? Math.max(0, since - 1) : await this.#lastSeq(a.id);
      await this.api.ackEvents(subscriberOf(id), a.id, from);
    }
    await this.store.webhooks.put(record);
    this.#run(record);
    this.logger.info({ webhook: id, url: redact(spec.url) }, 'webhook added');
    return { id, secret };
  }

  async list(): Promise<WebhookInfo[]> {
    const out: WebhookInfo[] = [];
    for (const r of this.#runners.values()) {
      const w = r.record;
      out.push({
        id: w.id,
        url: w.url,
        events: (w.events as EventType[] | undefined) ?? null,
        accounts: w.accounts ? [...w.accounts] : null,
        state: r.paused ? 'paused' : 'active',
        lag: await r.lag(),
        delivered: r.delivered,
        failures: r.failures,
        ...(r.lastError !== undefined ? { lastError: r.lastError } : {}),
      });
    }
    return out;
  }

  /** @throws DaemonError NOT_FOUND */
  async remove(id: string): Promise<void> {
    const r = this.#get(id);
    r.stop();
    this.#runners.delete(id);
    await this.store.webhooks.delete(id);
    for (const a of this.api.listAccounts()) {
      if (a.state === 'failed') continue;
      if (this.placement) await this.placement.removeSubscriber(subscriberOf(id), a.id);
      else await (await this.store.account(a.id)).transaction((tx) => tx.events.removeSubscriber(subscriberOf(id)));
    }
  }

  /** @throws DaemonError NOT_FOUND */
  async resume(id: string): Promise<void> {
    const r = this.#get(id);
    if (!r.paused) return;
    const record = { ...r.record, pausedReason: undefined };
    await this.store.webhooks.put(record);
    r.stop();
    this.#run(record);
  }

  /** @throws DaemonError NOT_FOUND */
  async test(id: string): Promise<WebhookTestResult> {
    const w = this.#get(id).record;
    const t = this.now();
    const body = JSON.stringify({ id: `test-${t}`, type: 'webhook:test', version: PROTOCOL_VERSION, timestamp: t, data: { webhook: id } });
    const r = await postDelivery(w.url, w.secret, `test:${t}`, body, this.options.timeoutMs);
    return r.ok ? { ok: true, status: r.status } : { ok: false, ...(r.status !== undefined ? { status: r.status } : {}), error: r.error };
  }

  #run(record: WebhookRecord): void {
    this.#runners.get(record.id)?.stop();
    const runner = new WebhookRunner(record, {
      api: this.api,
      ...(this.placement ? { runs: this.placement.runs } : {}),
      lastSeq: (a) => this.#lastSeq(a),
      options: this.options,
      log: this.logger,
      onPause: (reason) => {
        void this.store.webhooks.put({ ...record, pausedReason: reason }).catch((err: unknown) => this.logger.error({ err, webhook: record.id }, 'could not persist a webhook pause'));
      },
    });
    this.#runners.set(record.id, runner);
    runner.start();
  }

  async #lastSeq(account: string): Promise<number> {
    return (await this.api.nextEventSeq(account)) - 1;
  }

  #get(id: string): WebhookRunner {
    const r = this.#runners.get(id);
    if (!r) throw new DaemonError('NOT_FOUND', `no webhook ${id}`);
    return r;
  }
}

function sameRecord(a: WebhookRecord, b: WebhookRecord): boolean {
  const list = (l: readonly string[] | undefined): string => JSON.stringify(l ?? null);
  return a.url === b.url && a.secret === b.secret && a.pausedReason === b.pausedReason && list(a.events) === list(b.events) && list(a.accounts) === list(b.accounts);
}

/** A URL without credentials or query (either may hold a secret). */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable url)';
  }
}
