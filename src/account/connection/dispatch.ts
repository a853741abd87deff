/**
 * Incoming stanzas that the server wants acked (message, receipt,
 * notification, call): handed to the registered handlers, in order per
 * chat (`from`), and acked only after every handler resolved (persist before
 * you acknowledge). A handler that rejects gets no ack: the server
 * redelivers. While the offline queue is being delivered (between
 * `<success>` and `<ib><offline/>`), everything runs in one line so offline
 * stanzas are handled in the order the server queued them.
 *
 * Other stanzas that have a handler (the server's `<ack>` of our messages,
 * presence, chatstate) get no ack and wait for no line: they are handed over
 * at once (an ack must not wait behind a slow message of the same chat).
 *
 * Bounded: past `maxQueued` stanzas in flight, dispatch() refuses and the
 * connection drops the link (the server redelivers what was not acked).
 * Owns ordering and acks only; what a stanza means is the handlers'.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import type { StanzaHandler } from '../ports.js';

export interface DispatchHooks {
  /** Sends the ack for a handled stanza, if the link it came on is still the current one. */
  ack(stanza: BinaryNode, generation: number): void;
  /** A handler rejected: logged by the owner. */
  failed(stanza: BinaryNode, err: unknown): void;
}

const SERIAL = '\u0000offline';

export class StanzaDispatcher {
  readonly #byTag = new Map<string, StanzaHandler[]>();
  readonly #chains = new Map<string, Promise<void>>();
  readonly #hooks: DispatchHooks;
  readonly #maxQueued: number;
  #queued = 0;
  #serial = false;
  /** What live stanzas wait for after an offline run: the end of the serial line. */
  #barrier: Promise<void> = Promise.resolve();

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

  /** Offline delivery starts (true, at `<success>`) or ends (false, at `<ib><offline/>`). */
  setSerial(serial: boolean): void {
    if (this.#serial && !serial) this.#barrier = this.#chains.get(SERIAL) ?? Promise.resolve();
    this.#serial = serial;
  }

  /** True when some handler takes this tag. */
  handles(tag: string): boolean {
    return this.#byTag.has(tag);
  }

  /** Hands a stanza that needs no ack to its handlers now. Returns false when the bound is reached. */
  deliver(stanza: BinaryNode): boolean {
    if (this.#queued >= this.#maxQueued) return false;
    this.#queued++;
    void (async () => {
      try {
        for (const h of this.#byTag.get(stanza.tag) ?? []) await h.handle(stanza);
      } catch (err) {
        this.#hooks.failed(stanza, err);
      } finally {
        this.#queued--;
      }
    })();
    return true;
  }

  /** Queues a stanza behind the others of its chat. Returns false when the bound is reached (nothing queued). */
  dispatch(stanza: BinaryNode, generation: number): boolean {
    if (this.#queued >= this.#maxQueued) return false;
    this.#queued++;
    const key = this.#serial ? SERIAL : stanza.attrs.from ?? '';
    const prev = this.#chains.get(key) ?? this.#barrier;
    const tail = prev.then(() => this.#handle(stanza, generation));
    this.#chains.set(key, tail);
    void tail.then(() => {
      this.#queued--;
      if (this.#chains.get(key) === tail) this.#chains.delete(key);
    });
    return true;
  }

  async #handle(stanza: BinaryNode, generation: number): Promise<void> {
    const handlers = this.#byTag.get(stanza.tag);
    try {
      if (handlers) for (const h of handlers) await h.handle(stanza);
    } catch (err) {
      this.#hooks.failed(stanza, err);
      return;
    }
    this.#hooks.ack(stanza, generation);
  }
}
