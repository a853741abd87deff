/**
 * Delivery of one device's offline queue at login, pulled by the client as
 * WhatsApp does it:
 *
 *   <success/>
 *   <ib><offline_preview count=N message=… receipt=… notification=… call=…/></ib>
 *   client: <ib><offline_batch count=k/></ib>  → at most k queued stanzas (marked offline)
 *   client: <ib><offline_batch count=k/></ib>  → at most k more …
 *   <ib><offline count=N/></ib>                 once the queue is empty; live delivery from then on
 *
 * The server never sends more than the client asked for, so a client that
 * is slow to process simply asks later: being behind is never a reason to
 * drop the link. Stanzas that arrive for the device meanwhile join the end
 * of its queue (the hub routes them there while a delivery is active), so
 * the order the server received them in is kept.
 *
 * One concession to clients that ask only once (Baileys 7 asks for one
 * batch of 100 after the preview and never again): when everything delivered
 * has been acked and no request came for `waitMs`, the next batch goes out
 * unasked, of the size last asked for. A client that keeps asking never
 * meets this, because it asks before it has acked its whole batch.
 */
import { node, SERVER_JID, type BinaryNode } from './nodes.js';
import type { DeliveryQueues } from './offline.js';

export interface OfflineDeliveryDeps {
  readonly deviceJid: string;
  readonly queues: DeliveryQueues;
  send(stanza: BinaryNode): void;
  /** Largest batch served for one request (a bigger count is cut to this). */
  readonly maxBatch: number;
  /** See the file comment; 0 turns the unasked batch off. */
  readonly waitMs: number;
  /** Counts delivered stanzas and answered requests (for /stats). */
  delivered(stanzas: number): void;
  /** The queue is empty and `<offline>` was sent: the device is live. */
  finished(): void;
}

/** The batch size when the client never named one (Baileys' request). */
const DEFAULT_BATCH = 100;

export class OfflineDelivery {
  readonly #deps: OfflineDeliveryDeps;
  #total = 0;
  #lastCount = DEFAULT_BATCH;
  #done = false;
  #timer: NodeJS.Timeout | undefined;
  /** When the client last showed it is working (a request or an ack). */
  #lastActivity = Date.now();

  constructor(deps: OfflineDeliveryDeps) {
    this.#deps = deps;
  }

  get active(): boolean {
    return !this.#done;
  }

  /** After `<success>`: the preview, or at once the end marker when nothing waits. */
  start(): void {
    const queued = this.#deps.queues.peek(this.#deps.deviceJid);
    if (queued.length === 0) return this.#finish();
    const byTag: Record<string, number> = { message: 0, receipt: 0, notification: 0, call: 0 };
    for (const item of queued) byTag[item.node.tag] = (byTag[item.node.tag] ?? 0) + 1;
    const counts = Object.fromEntries(Object.entries(byTag).map(([k, v]) => [k, String(v)]));
    this.#deps.send(node('ib', { from: SERVER_JID }, [node('offline_preview', { count: String(queued.length), ...counts })]));
    this.#arm();
  }

  /** `<ib><offline_batch count=…/>` from the client. */
  request(count: number): void {
    if (this.#done) return;
    this.#lastActivity = Date.now();
    this.#lastCount = Math.max(1, Math.min(this.#deps.maxBatch, count));
    this.#deliver(this.#lastCount);
  }

  /** The client acked something: it is still working through what it got. */
  acked(): void {
    this.#lastActivity = Date.now();
  }

  /** The socket went away (or was replaced): no more timers. */
  close(): void {
    this.#done = true;
    clearTimeout(this.#timer);
  }

  #deliver(count: number): void {
    const batch = this.#deps.queues.take(this.#deps.deviceJid, count);
    for (const item of batch) {
      const stanza = { ...item.node, attrs: { ...item.node.attrs, offline: '1' } };
      this.#deps.queues.sent(this.#deps.deviceJid, { key: item.key, node: stanza });
      this.#deps.send(stanza);
    }
    this.#total += batch.length;
    this.#deps.delivered(batch.length);
    if (this.#deps.queues.queuedCount(this.#deps.deviceJid) === 0) this.#finish();
    else this.#arm();
  }

  #finish(): void {
    this.close();
    this.#deps.send(node('ib', { from: SERVER_JID }, [node('offline', { count: String(this.#total) })]));
    this.#deps.finished();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#deps.waitMs <= 0) return;
    this.#timer = setTimeout(() => this.#idle(), this.#deps.waitMs);
    this.#timer.unref();
  }

  #idle(): void {
    if (this.#done) return;
    const quiet = Date.now() - this.#lastActivity >= this.#deps.waitMs;
    if (quiet && this.#deps.queues.unackedCount(this.#deps.deviceJid) === 0) this.#deliver(this.#lastCount);
    else this.#arm();
  }
}
