/**
 * Listens, on a connection of its own, to what the shared PostgreSQL store
 * announces (backend/pg-events.ts): events appended to an account's log, a
 * webhook record changed. Notices sent while the connection was down are lost
 * for good, so every (re)connection is reported first: the listener's user
 * then reads from where it was, and the log stays the truth. A broken
 * connection is replaced after a backoff (bounded, doubling, jittered), never
 * in a tight loop. A listening connection sends nothing of its own, so a cut
 * network would go unnoticed (and the daemon deaf) for as long as TCP takes to
 * give up: a round trip every `pingMs` that does not come back within it
 * counts as a broken connection.
 *
 * Owns the listening connection; what to do with a notice is the daemon's
 * (daemon/cluster-events.ts).
 */
import pg from 'pg';
import { noticeChannel, parseNotice, type StoreNotice } from '../backend/pg-events.js';

export interface NoticeListenerOptions {
  /** The store's database (postgres://…) and schema. */
  readonly url: string;
  readonly schema?: string | undefined;
  readonly onNotice: (notice: StoreNotice) => void;
  /** Listening (again): notices sent before this moment were not heard. */
  readonly onListening: () => void;
  /** The connection broke or could not be made (it is retried). */
  readonly onError?: (err: Error) => void;
  /** First and longest wait before reconnecting (default 200 ms, 5 s). */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** How often the connection is checked, and how long a check may take (default 10 s). */
  readonly pingMs?: number;
}

export class NoticeListener {
  readonly #options: NoticeListenerOptions;
  readonly #channel: string;
  #client: pg.Client | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: NoticeListenerOptions) {
    this.#options = options;
    this.#channel = noticeChannel(options.schema);
  }

  /** Connects and listens; resolves once listening, or after the first failure (retried in the background). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#ping) clearInterval(this.#ping);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#options.url,
      ...(this.#options.schema ? { options: `-c search_path=${this.#options.schema}` } : {}),
      // A dead server or a cut network is noticed by keepalive: LISTEN sends nothing on its own.
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      // Named, so an operator (or a test) can tell it in pg_stat_activity.
      application_name: 'wad-notices',
    });
    let broken = false;
    const fail = (err: Error): void => {
      if (broken) return;
      broken = true;
      if (this.#client === client) {
        this.#client = undefined;
        if (this.#ping) clearInterval(this.#ping);
        this.#ping = undefined;
      }
      void client.end().catch(() => {});
      if (this.#closed) return;
      this.#options.onError?.(err);
      this.#retry();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('the listening connection ended')));
    client.on('notification', (msg) => {
      if (msg.channel !== this.#channel || msg.payload === undefined) return;
      const notice = parseNotice(msg.payload);
      if (notice) this.#options.onNotice(notice);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#channel}"`);
    } catch (err) {
      fail(err as Error);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#failures = 0;
    this.#watch(client, fail);
    this.#options.onListening();
  }

  /** Checks the connection every pingMs; one check left unanswered for that long breaks it. */
  #watch(client: pg.Client, fail: (err: Error) => void): void {
    const every = this.#options.pingMs ?? 10_000;
    let waiting = false;
    this.#ping = setInterval(() => {
      if (waiting) return fail(new Error(`the listening connection did not answer within ${every} ms`));
      waiting = true;
      client.query('SELECT 1').then(
        () => (waiting = false),
        (err: Error) => fail(err),
      );
    }, every);
    this.#ping.unref();
  }

  #retry(): void {
    if (this.#closed || this.#timer) return;
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 200, maxMs: 5000 };
    const step = Math.min(maxMs, initialMs * 2 ** Math.min(this.#failures++, 16));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, step * (0.5 + Math.random()));
    this.#timer.unref();
  }
}
