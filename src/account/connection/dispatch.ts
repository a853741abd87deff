/**
 * Incoming stanzas that the server wants acked (message, receipt,
 * notification, call): handed to the registered handlers, in order per
 * chat (`from`), and acked only after every handler resolved (persist before
 * you acknowledge). A handler that rejects gets no ack: the server
 * redelivers; one that answered the stanza itself (`answered`: a message's
 * delivery receipt) gets none either. While the offline queue is being delivered (between
 * `<success>` and `<ib><offline/>`), everything runs in one line so offline
 * stanzas are handled in the order the server queued them.
 *
 * Other stanzas that have a handler (the server's `<ack>` of our messages,
 * presence, chatstate) get no ack and wait for no line: they are handed over
 * at once (an ack must not wait behind a slow message of the same chat).
 *
 * Back-pressure, never a dropped link: once `maxQueued` stanzas are in
 * flight the owner is told to stop reading the socket (`busy(true)`), and
 * to read again when half of them are done (`busy(false)`). TCP then holds
 * the rest at the server. Being behind is no reason to reconnect: the server
 * would only send the same stanzas again. The offline queue rarely gets here
 * (it is pulled in batches, offline-pull.ts); this bounds what the server
 * pushes unasked. Every finished stanza is reported (`settled`), which is
 * when the owner may ask for more. A handler waiting for an IQ answer that
 * sits behind the paused socket is freed by the IQ's timeout (it fails, is
 * not acked, and the server redelivers it), so a pause cannot last for ever.
 * Owns ordering and acks only; what a stanza means is the handlers'.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { KeyedSerialQueue } from '../../protocol/util/keyed-queue.js';
import type { StanzaHandler } from '../ports.js';

export interface DispatchHooks {
  /**
   * A stanza was handled: sends its ack, if the link it came on is still the
   * current one, unless its handler `answered` it already (a message's receipt).
   */
  ack(stanza: BinaryNode, generation: number, answered: boolean): void;
  /** A handler rejected (the stanza is not acked): logged and acted on by the owner. `generation`: the link it came on (undefined: a stanza without an ack). */
  failed(stanza: BinaryNode, err: unknown, generation?: number): void;
  /** Stop (true) or resume (false) reading the socket: the in-flight bound was reached / half drained. */
  busy(busy: boolean): void;
  /** A stanza is done (acked or failed); `queued` are still in flight. */
  settled(queued: number): void;
}

const SERIAL = '\u0000offline';

export class StanzaDispatcher {
  readonly #byTag = new Map<string, StanzaHandler[]>();
  /**
   * One line per chat (one for everything while offline delivery runs). Not
   * bounded here: the in-flight bound pauses the socket instead, since a
   * refused stanza could only be dropped.
   */
  readonly #lines = new KeyedSerialQueue({ maxPerKey: Number.POSITIVE_INFINITY, maxTotal: Number.POSITIVE_INFINITY });
  readonly #hooks: DispatchHooks;
  readonly #maxQueued: number;
  #queued = 0;
  #busy = false;
  #serial = false;
  /** What live stanzas wait for after an offline run: the end of the serial line. */
  #barrier: Promise<unknown> = Promise.resolve();

  constructor(hooks: DispatchHooks, maxQueued: number) {
    this.#hooks = hooks;
    this.#maxQueued = maxQueued;
  }

  register(handler: StanzaHandler): void {
    for (const tag of handler.tags) {
      const list = this.#byTag.get(tag) ?? [];
      list.push(handler);
      this.#byTag.set(tag, list);
    }
  }

  get queued(): number {
    return this.#queued;
  }

  /** True while the in-flight bound holds the socket paused. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Offline delivery starts (true, at `<success>`) or ends (false, at `<ib><offline/>`). */
  setSerial(serial: boolean): void {
    // The end of the offline line is a no-op queued behind its last stanza.
    if (this.#serial && !serial) this.#barrier = this.#lines.run(SERIAL, () => undefined);
    this.#serial = serial;
  }

  /** True when some handler takes this tag. */
  handles(tag: string): boolean {
    return this.#byTag.has(tag);
  }

  /** Hands a stanza that needs no ack to its handlers now. Returns false when no handler takes its tag. */
  deliver(stanza: BinaryNode): boolean {
    const handlers = this.#byTag.get(stanza.tag);
    if (!handlers) return false;
    this.#started();
    void (async () => {
      try {
        for (const h of handlers) await h.handle(stanza);
      } catch (err) {
        this.#hooks.failed(stanza, err);
      } finally {
        this.#finished();
      }
    })();
    return true;
  }

  /** Queues a stanza behind the others of its chat (or, while offline delivery runs, behind every other). */
  dispatch(stanza: BinaryNode, generation: number): void {
    this.#started();
    const key = this.#serial ? SERIAL : stanza.attrs.from ?? '';
    const barrier = this.#barrier;
    const handled = this.#lines.run(key, async () => {
      await barrier;
      await this.#handle(stanza, generation);
    });
    void handled.then(() => this.#finished());
  }

  #started(): void {
    this.#queued++;
    if (!this.#busy && this.#queued >= this.#maxQueued) {
      this.#busy = true;
      this.#hooks.busy(true);
    }
  }

  #finished(): void {
    this.#queued--;
    if (this.#busy && this.#queued <= this.#maxQueued / 2) {
      this.#busy = false;
      this.#hooks.busy(false);
    }
    this.#hooks.settled(this.#queued);
  }

  async #handle(stanza: BinaryNode, generation: number): Promise<void> {
    const handlers = this.#byTag.get(stanza.tag);
    let answered = false;
    try {
      if (handlers) for (const h of handlers) answered = (await h.handle(stanza)) === 'answered' || answered;
    } catch (err) {
      this.#hooks.failed(stanza, err, generation);
      return;
    }
    this.#hooks.ack(stanza, generation, answered);
  }
}
