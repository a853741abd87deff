/**
 * The offline window of one link: from `<success>` to `<ib><offline/>`, the
 * server delivers what queued while we were away, and the dispatcher runs
 * it in one line, in the server's order.
 *
 * Flow control is ours: after `<ib><offline_preview count=N/>` the server
 * sends queued stanzas only as we ask for them, `<ib><offline_batch
 * count=k/>` at a time. We ask for the next batch only once the last one has
 * begun to arrive and nothing is left waiting for its handlers, i.e. once
 * what we were given is processed, persisted and acked. A backlog of any
 * size then drains at the speed we can store it, holds at most about two
 * batches in memory, and never makes us drop the link for being behind
 * (the server would only send it all again).
 *
 * "Begun to arrive" rather than "arrived in full": a server may send fewer
 * than we asked for without ending the window, and we must not wait for
 * stanzas that will never come. If the end marker never comes, the window
 * closes by itself once nothing has arrived for `timeoutMs` (WhatsApp Web:
 * 60 s), so live stanzas do not wait forever.
 */
export interface OfflineWindowDeps {
  readonly batchSize: number;
  readonly timeoutMs: number;
  /** Offline delivery starts (true) or ends (false): one line for every stanza, or one per chat. */
  setSerial(serial: boolean): void;
  /** Sends `<ib><offline_batch count/>`. */
  request(count: number): void;
  now(): number;
}

export class OfflineWindow {
  readonly #deps: OfflineWindowDeps;
  /** Unix ms of the window's last sign of progress; 0 while closed. */
  #lastProgress = 0;
  /** A preview came in this window: batches are ours to ask for. */
  #pulling = false;
  /** A request is out and none of its stanzas has come yet. */
  #waiting = false;

  constructor(deps: OfflineWindowDeps) {
    this.#deps = deps;
  }

  get open(): boolean {
    return this.#lastProgress > 0;
  }

  get batchSize(): number {
    return this.#deps.batchSize;
  }

  /** `<success>`: the window opens. */
  start(): void {
    this.#lastProgress = this.#deps.now();
    this.#pulling = false;
    this.#waiting = false;
    this.#deps.setSerial(true);
  }

  /** `<offline_preview count>`: ask for the first batch, unless the server says nothing waits. */
  preview(count: number | undefined): void {
    if (!this.open || count === 0) return;
    this.#pulling = true;
    this.#ask();
  }

  /** A stanza marked offline came in (after it was queued for its handlers). */
  arrived(): void {
    if (!this.open) return;
    this.#lastProgress = this.#deps.now();
    this.#waiting = false;
  }

  /** A stanza finished; `unhandled` are still waiting for their handlers. */
  settled(unhandled: number): void {
    if (this.#pulling && !this.#waiting && unhandled === 0) this.#ask();
  }

  /** True when the window has been quiet for its timeout (checked at each keepalive tick). */
  stalled(): boolean {
    return this.open && this.#deps.now() - this.#lastProgress > this.#deps.timeoutMs;
  }

  /** `<ib><offline/>`, the timeout, or the link is gone. Returns false when no window was open. */
  close(): boolean {
    if (!this.open) return false;
    this.#lastProgress = 0;
    this.#pulling = false;
    this.#waiting = false;
    this.#deps.setSerial(false);
    return true;
  }

  #ask(): void {
    this.#waiting = true;
    this.#deps.request(this.#deps.batchSize);
  }
}
