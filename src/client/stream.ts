/**
 * One subscription seen from WadClient: an async iterator of events that
 * survives reconnects. It remembers the last seq received per account and
 * resubscribes from there (`since`), dropping anything it already has, so a
 * consumer sees no gap and no duplicate across a lost connection; a named
 * stream acks what the consumer has finished with (the previous event, when
 * it asks for the next one), in batches. Owns the buffer and the cursors;
 * the client owns the socket.
 */
import type { WadEvent } from '../contract/api.js';
import type { TypedWadEvent } from '../contract/events.js';
import type { SubscribeData } from '../contract/frames.js';
import { WadClientError } from './errors.js';

export interface SubscribeOptions extends SubscribeData {
  /** Ack each event once the consumer asks for the next one. Default: true for named subscriptions. */
  autoAck?: boolean;
  /** Events held for the consumer before the socket stops reading. Default 10,000. */
  maxBuffered?: number;
  /** End the stream once it caught up with the log (a dump of what is retained, not a follow). */
  untilSynced?: boolean;
}

/** What the stream needs from the client. */
export interface StreamHost {
  unsubscribe(stream: EventStream): Promise<void>;
  ack(name: string, account: string, seq: number): Promise<void>;
  /** Stop / restart reading the socket (consumer backpressure). */
  flow(paused: boolean): void;
}

const ACK_EVERY = 200;
const ACK_AFTER_MS = 200;

/** The event as the daemon's frame carried it, handed out with its data typed by its type. */
function typed(ev: WadEvent): TypedWadEvent {
  return ev as unknown as TypedWadEvent;
}

/** What ack() needs of an event. */
type EventPosition = Pick<WadEvent, 'account' | 'seq'>;

export class EventStream implements AsyncIterable<TypedWadEvent> {
  /** The server's subscription id (the name, or `live-<n>`); changes on resubscribe for live streams. */
  id: string | undefined;
  readonly #host: StreamHost;
  readonly #opts: SubscribeOptions;
  readonly #buffer: WadEvent[] = [];
  readonly #received = new Map<string, number>();
  readonly #toAck = new Map<string, number>();
  #waiting: { resolve: (r: IteratorResult<TypedWadEvent>) => void; reject: (e: Error) => void } | undefined;
  #handedOut: EventPosition | undefined;
  #ackTimer: NodeJS.Timeout | undefined;
  #ackCount = 0;
  #ended = false;
  #error: Error | undefined;
  #flowPaused = false;
  #requested = false;
  #synced!: () => void;
  /** Resolves when the daemon says this subscription caught up with the log (first time). */
  readonly synced: Promise<void>;

  constructor(host: StreamHost, opts: SubscribeOptions) {
    this.#host = host;
    this.#opts = opts;
    this.synced = new Promise((r) => (this.#synced = r));
  }

  get name(): string | undefined {
    return this.#opts.name;
  }

  get #autoAck(): boolean {
    return this.#opts.autoAck ?? this.#opts.name !== undefined;
  }

  /**
   * The subscribe request for the current state: from the first seq not yet received, per account.
   * After the first subscribe a named stream drops `from`: the daemon holds its cursor (moved to
   * now for `from: 'now'`), so accounts it has received nothing from resume there, not at `from` again.
   */
  request(): SubscribeData {
    const { autoAck: _a, maxBuffered: _m, untilSynced: _u, ...opts } = this.#opts;
    const first = !this.#requested;
    this.#requested = true;
    const { from: _f, ...resumed } = opts;
    const data = first || opts.name === undefined ? opts : resumed;
    if (this.#received.size === 0) return data;
    const since: Record<string, number> = typeof data.since === 'object' ? { ...data.since } : {};
    for (const [account, seq] of this.#received) since[account] = seq + 1;
    // A single number applied to every account; accounts we have seen now have their own.
    if (typeof data.since === 'number') {
      return { ...data, since: { ...Object.fromEntries((data.accounts ?? []).map((a) => [a, data.since as number])), ...since } };
    }
    return { ...data, since };
  }

  /** An event frame for this stream (called by the client). */
  push(ev: WadEvent): void {
    if (this.#ended) return;
    const last = this.#received.get(ev.account);
    if (last !== undefined && ev.seq <= last) return;
    this.#received.set(ev.account, ev.seq);
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      this.#handedOut = ev;
      w.resolve({ value: typed(ev), done: false });
      return;
    }
    this.#buffer.push(ev);
    if (!this.#flowPaused && this.#buffer.length >= (this.#opts.maxBuffered ?? 10_000)) {
      this.#flowPaused = true;
      this.#host.flow(true);
    }
  }

  markSynced(): void {
    this.#synced();
    if (this.#opts.untilSynced && !this.#ended) {
      // Everything up to the marker is buffered already (frames arrive in order); next() drains it, then ends.
      void this.#host.unsubscribe(this).catch(() => {});
      this.#end();
    }
  }

  /** Events received and not yet handed out. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Ends the stream as done, after what is buffered (the client was closed). */
  end(): void {
    if (!this.#ended) this.#end();
  }

  /** Ends the stream with an error (the client gave up reconnecting, auth failed). */
  fail(err: Error): void {
    if (this.#ended) return;
    this.#error = err;
    this.#end();
  }

  async next(): Promise<IteratorResult<TypedWadEvent>> {
    if (this.#handedOut && this.#autoAck) this.ack(this.#handedOut);
    this.#handedOut = undefined;
    const ev = this.#buffer.shift();
    if (this.#flowPaused && this.#buffer.length <= (this.#opts.maxBuffered ?? 10_000) / 2) {
      this.#flowPaused = false;
      this.#host.flow(false);
    }
    if (ev) {
      this.#handedOut = ev;
      return { value: typed(ev), done: false };
    }
    if (this.#error) throw this.#error;
    if (this.#ended) return { value: undefined, done: true };
    if (this.#waiting) throw new WadClientError('INVALID_PAYLOAD', 'next() called again before the previous call resolved');
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<TypedWadEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterator<TypedWadEvent> {
    return this;
  }

  /** Confirms everything up to this event of its account (named streams only). Batched; see flush(). */
  ack(ev: EventPosition): void {
    if (this.#opts.name === undefined) return;
    const cur = this.#toAck.get(ev.account) ?? 0;
    if (ev.seq <= cur) return;
    this.#toAck.set(ev.account, ev.seq);
    if (++this.#ackCount >= ACK_EVERY) void this.flush().catch(() => {});
    else this.#ackTimer ??= setTimeout(() => void this.flush().catch(() => {}), ACK_AFTER_MS);
  }

  /** Sends pending acks now. */
  async flush(): Promise<void> {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#ackCount = 0;
    const name = this.#opts.name;
    if (name === undefined || this.#toAck.size === 0) return;
    const batch = [...this.#toAck];
    this.#toAck.clear();
    try {
      await Promise.all(batch.map(([account, seq]) => this.#host.ack(name, account, seq)));
    } catch (err) {
      // Not sent: keep them for the next flush (the daemon never lowers a cursor, so a retry is safe).
      for (const [account, seq] of batch) if ((this.#toAck.get(account) ?? 0) < seq) this.#toAck.set(account, seq);
      throw err;
    }
  }

  /**
   * Acks what was handed out (auto-ack), unsubscribes, ends the iterator.
   * A stream that ended by itself (untilSynced) still sends its last acks
   * here, so a named dump of the backlog saves its position too.
   */
  async close(): Promise<void> {
    if (this.#handedOut && this.#autoAck) this.ack(this.#handedOut);
    this.#handedOut = undefined;
    const wasEnded = this.#ended;
    try {
      await this.flush();
      if (!wasEnded) await this.#host.unsubscribe(this);
    } catch {
      // The connection is gone: nothing to undo on the daemon.
    }
    if (!wasEnded) this.#end();
  }

  get ended(): boolean {
    return this.#ended;
  }

  #end(): void {
    this.#ended = true;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (this.#flowPaused) {
      this.#flowPaused = false;
      this.#host.flow(false);
    }
    const w = this.#waiting;
    this.#waiting = undefined;
    if (w) {
      if (this.#error) w.reject(this.#error);
      else w.resolve({ value: undefined, done: true });
    }
  }
}
