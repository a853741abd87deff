/**
 * Delivery of one webhook. It is a durable subscriber (`webhook:<id>`) of
 * each account it takes; per account one lane reads the log after the
 * subscriber's cursor, POSTs each wanted event in seq order and moves the
 * cursor only after a 2xx, so a crash or a restart delivers again at most
 * the event in flight (at least once; the receiver deduplicates by
 * X-Wad-Delivery). A failed POST is retried with exponential backoff and
 * jitter, holding back only that account's lane; after `retryLimit`
 * failures in a row the webhook pauses with the reason (the owner fixes the
 * receiver, then resumes it). Owns lanes, retries and counters; the webhook's
 * record is the manager's.
 */
import type { DaemonApi, WadEvent } from '../../contract/api.js';
import { eventFrame, gapFrame } from '../../ipc/frames.js';
import type { WebhookRecord } from '../../store/index.js';
import { postDelivery, type PostResult } from './post.js';

export interface DeliveryOptions {
  /** Failures in a row after which the webhook pauses. */
  readonly retryLimit: number;
  readonly initialMs: number;
  readonly maxMs: number;
  /** One POST's time limit. */
  readonly timeoutMs: number;
}

export interface RunnerDeps {
  readonly api: Pick<DaemonApi, 'readEvents' | 'ackEvents' | 'subscriberCursor' | 'firstRetainedSeq' | 'listAccounts'>;
  /** Whether this process delivers the account's events (in a cluster: it runs the account). Default: every account. */
  readonly runs?: (account: string) => boolean;
  /** The account's newest seq (for lag). */
  readonly lastSeq: (account: string) => Promise<number>;
  readonly options: DeliveryOptions;
  readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** The retry limit ran out: the manager persists the pause. */
  readonly onPause: (reason: string) => void;
  readonly post?: (url: string, secret: string, delivery: string, body: string, timeoutMs: number) => Promise<PostResult>;
  readonly random?: () => number;
}

interface Lane {
  running: boolean;
  /** Woken while running: read the log again before going idle. */
  again: boolean;
  cursor: number;
}

const PAGE = 100;

export function subscriberOf(id: string): string {
  return `webhook:${id}`;
}

export class WebhookRunner {
  readonly #lanes = new Map<string, Lane>();
  readonly #types: ReadonlySet<string> | undefined;
  readonly #accounts: ReadonlySet<string> | undefined;
  #stopped = false;
  #paused: boolean;
  readonly #sleepers = new Set<() => void>();
  delivered = 0;
  failures = 0;
  lastError: string | undefined;

  constructor(
    readonly record: WebhookRecord,
    readonly deps: RunnerDeps,
  ) {
    this.#types = record.events ? new Set(record.events) : undefined;
    this.#accounts = record.accounts ? new Set(record.accounts) : undefined;
    this.#paused = record.pausedReason !== undefined;
    this.lastError = record.pausedReason;
  }

  get subscriber(): string {
    return subscriberOf(this.record.id);
  }

  get paused(): boolean {
    return this.#paused;
  }

  takes(account: string): boolean {
    return this.#accounts === undefined || this.#accounts.has(account);
  }

  #runs(account: string): boolean {
    return this.deps.runs?.(account) ?? true;
  }

  /** Starts a lane for every account it takes that exists now (others join with their first event). */
  start(): void {
    for (const a of this.deps.api.listAccounts()) if (a.state !== 'failed' && this.takes(a.id)) this.kick(a.id);
  }

  /** Something was logged for `account` (or it should be looked at): its lane reads the log. */
  kick(account: string): void {
    if (this.#stopped || this.#paused || !this.takes(account) || !this.#runs(account)) return;
    let lane = this.#lanes.get(account);
    if (!lane) this.#lanes.set(account, (lane = { running: false, again: false, cursor: 0 }));
    if (lane.running) {
      lane.again = true;
      return;
    }
    void this.#run(account, lane);
  }

  onEvent(ev: WadEvent): void {
    this.kick(ev.account);
  }

  /** Events not yet delivered or passed over, summed over the accounts it has lanes for. */
  async lag(): Promise<number> {
    let n = 0;
    for (const [account, lane] of this.#lanes) n += Math.max(0, (await this.deps.lastSeq(account).catch(() => lane.cursor)) - lane.cursor);
    return n;
  }

  resume(): void {
    this.#paused = false;
    this.lastError = undefined;
    this.start();
  }

  stop(): void {
    this.#stopped = true;
    for (const wake of this.#sleepers) wake();
  }

  async #run(account: string, lane: Lane): Promise<void> {
    lane.running = true;
    try {
      lane.cursor = await this.deps.api.subscriberCursor(this.subscriber, account);
      do {
        lane.again = false;
        while (!this.#stopped && !this.#paused && this.#runs(account) && (await this.#page(account, lane)));
      } while (lane.again && !this.#stopped && !this.#paused);
    } catch (err) {
      // The log could not be read (the account went away or its store failed): the next event retries.
      this.deps.log.warn({ err: (err as Error).message, account, webhook: this.record.id }, 'webhook lane stopped');
    } finally {
      lane.running = false;
    }
  }

  /** Delivers one page after the cursor. Returns whether there may be more. */
  async #page(account: string, lane: Lane): Promise<boolean> {
    const from = lane.cursor + 1;
    const page = await this.deps.api.readEvents(account, from, PAGE);
    if (page.length === 0) {
      const first = await this.deps.api.firstRetainedSeq(account);
      if (first > from) return this.#deliverGap(account, lane, from, first - 1);
      return false;
    }
    if (page[0]!.seq > from && !(await this.#deliverGap(account, lane, from, page[0]!.seq - 1))) return false;
    let passed = lane.cursor;
    for (const ev of page) {
      if (ev.seq <= lane.cursor) continue;
      if (this.#types === undefined || this.#types.has(ev.type) || isGapReport(ev)) {
        if (passed > lane.cursor) await this.#ack(account, lane, passed);
        // Given up here (another daemon runs it now and goes on from the cursor): nothing more from this one.
        if (!this.#runs(account)) return false;
        if (!(await this.#deliver(`${account}:${ev.seq}`, eventFrame(ev)))) return false;
      }
      passed = ev.seq;
    }
    if (passed > lane.cursor) await this.#ack(account, lane, passed);
    return page.length === PAGE;
  }

  async #deliverGap(account: string, lane: Lane, from: number, to: number): Promise<boolean> {
    if (!(await this.#deliver(`${account}:${to}`, gapFrame(account, from, to, this.record.id)))) return false;
    await this.#ack(account, lane, to);
    return true;
  }

  async #ack(account: string, lane: Lane, seq: number): Promise<void> {
    // A removed webhook's cursors are gone: writing one again would hold the log for nobody (at worst,
    // a daemon stopping here posts the last event once more after its restart).
    if (this.#stopped) return;
    await this.deps.api.ackEvents(this.subscriber, account, seq);
    lane.cursor = seq;
  }

  /** POSTs until a 2xx, the retry limit (pauses the webhook) or stop. Returns whether it was delivered. */
  async #deliver(delivery: string, body: string): Promise<boolean> {
    const post = this.deps.post ?? postDelivery;
    const o = this.deps.options;
    for (let attempt = 1; !this.#stopped && !this.#paused; attempt++) {
      const r = await post(this.record.url, this.record.secret, delivery, body, o.timeoutMs);
      if (r.ok) {
        this.delivered++;
        return true;
      }
      this.failures++;
      this.lastError = `${delivery}: ${r.error}`;
      if (attempt >= o.retryLimit) {
        this.#paused = true;
        const reason = `gave up after ${attempt} attempts: ${this.lastError}`;
        this.lastError = reason;
        this.deps.log.warn({ webhook: this.record.id, delivery, error: r.error }, 'webhook paused');
        this.deps.onPause(reason);
        return false;
      }
      // Exponential backoff, each wait jittered to [0.5, 1.5) of its step: lanes that failed together do not retry together.
      const step = Math.min(o.maxMs, o.initialMs * 2 ** (attempt - 1));
      await this.#sleep(step * (0.5 + (this.deps.random ?? Math.random)()));
    }
    return false;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }
}

function isGapReport(ev: WadEvent): boolean {
  return ev.type === 'error' && typeof ev.data['gap'] === 'object' && ev.data['gap'] !== null;
}
