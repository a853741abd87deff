/**
 * What follows a dispatched stanza's handlers: the automatic ack once they
 * succeeded; when one failed, no ack, so the server redelivers it — and
 * since it does so only on a new connection, a store that refused the write
 * (a full disk) makes the link be left so the stanza comes again once writes
 * succeed, at a backoff that grows while they keep failing, capped so a
 * freed disk is noticed soon.
 *
 * Owns the run of persist failures; the link and the machine are the
 * connection's.
 */
import type { Logger } from 'pino';
import type { BinaryNode } from '../../protocol/binary/index.js';
import { buildAck } from '../../protocol/stanza/ack.js';
import { isWriteFailure } from '../../store/index.js';
import type { ConnectionEvent } from './machine.js';

/** The Fibonacci step a run of persist failures stops growing at (21 s with WhatsApp's 1 s unit). */
const MAX_STORE_FAILURE_STEPS = 8;

export interface StanzaOutcomeDeps {
  readonly logger: Logger;
  /** The current link's generation: outcomes of an older link's stanzas are dropped. */
  generation(): number;
  /** Our own jid as stored, which some acks name. */
  me(): string | undefined;
  /** Writes on the current link (dropped when there is none). */
  write(node: BinaryNode): void;
  signal(event: ConnectionEvent): void;
}

export class StanzaOutcomes {
  readonly #deps: StanzaOutcomeDeps;
  /** Persist failures in a row (the backoff step after the next), and the link generation that reported the last one. */
  #storeFailures = 0;
  #storeFailedOn = -1;

  constructor(deps: StanzaOutcomeDeps) {
    this.#deps = deps;
  }

  /** The stanza's handlers succeeded: ack it, unless a handler answered it already. */
  handled(stanza: BinaryNode, generation: number, answered: boolean): void {
    if (generation !== this.#deps.generation()) return;
    // A message was persisted: the store takes writes again.
    if (stanza.tag === 'message') this.#storeFailures = 0;
    // Its handler confirmed it already (a message's delivery receipt): a second confirmation is not what clients send.
    if (answered) return;
    const ack = buildAck(stanza, { me: this.#deps.me() });
    if (ack) this.#deps.write(ack);
  }

  /** A handler rejected: the stanza stays unacked; a refused write leaves the link (once per link). */
  failed(stanza: BinaryNode, err: unknown, generation: number | undefined): void {
    this.#deps.logger.warn({ err, tag: stanza.tag, id: stanza.attrs.id }, 'stanza handler failed; not acked (the server redelivers)');
    if (!isWriteFailure(err) || generation === undefined || generation !== this.#deps.generation() || this.#storeFailedOn === generation) return;
    this.#storeFailedOn = generation;
    this.#storeFailures = Math.min(this.#storeFailures + 1, MAX_STORE_FAILURE_STEPS);
    this.#deps.signal({ type: 'STORE.FAILED', reason: `store write failed (${err.code}): reconnecting so the server redelivers`, failures: this.#storeFailures });
  }
}
