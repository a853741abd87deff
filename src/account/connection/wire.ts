/**
 * The write side and IQ correlation of the current link: which link is
 * current (a generation number per link, so an older link's late events and
 * acks are dropped), stanza ids in WhatsApp Web's format, writes, and
 * queries matched to their answers with timeouts. Knows nothing of the
 * connection's states; the connection actor decides when a link starts and ends.
 */
import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '../../protocol/binary/index.js';
import type { IqSpec } from '../../protocol/iq/index.js';
import { ConnectionError } from '../errors.js';
import type { QueryOptions } from '../ports.js';
import { IqTracker } from './iq-tracker.js';
import type { Link } from './link.js';

export class Wire {
  readonly #iqs: IqTracker;
  readonly #iqTimeoutMs: number;
  /** `<n>.<n>-`, then a counter (Baileys' generateMessageTag, WhatsApp Web's). */
  readonly #idPrefix: string;
  #idCounter = 0;
  #link: Link | undefined;
  #generation = 0;

  constructor(opts: { maxPendingIqs: number; iqTimeoutMs: number }) {
    this.#iqs = new IqTracker(opts.maxPendingIqs);
    this.#iqTimeoutMs = opts.iqTimeoutMs;
    const r = randomBytes(4);
    this.#idPrefix = `${r.readUInt16BE(0)}.${r.readUInt16BE(2)}-`;
  }

  get link(): Link | undefined {
    return this.#link;
  }

  get generation(): number {
    return this.#generation;
  }

  get pendingIqs(): number {
    return this.#iqs.size;
  }

  /** A new link becomes current; returns its generation. */
  nextGeneration(): number {
    return ++this.#generation;
  }

  attach(link: Link): void {
    this.#link = link;
  }

  /** The current link is gone: nothing is current, pending IQs fail with CLOSED. Returns the link it held. */
  detach(reason: string, bump: boolean): Link | undefined {
    const link = this.#link;
    if (bump) this.#generation++;
    this.#link = undefined;
    this.#iqs.failAll(new ConnectionError('CLOSED', `connection closed: ${reason}`));
    return link;
  }

  nextId(): string {
    return this.#idPrefix + String(this.#idCounter++);
  }

  /** Writes on the current link. @throws ConnectionError CLOSED (no ready link), BAD_STANZA (cannot be encoded) */
  send(node: BinaryNode): void {
    const link = this.#link;
    if (!link?.ready) throw new ConnectionError('CLOSED', 'no connection to the server');
    try {
      link.send(node);
    } catch (err) {
      throw new ConnectionError('BAD_STANZA', `cannot send <${node.tag}>: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Writes if there is a link; false when the write was dropped. */
  trySend(node: BinaryNode): boolean {
    try {
      this.send(node);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends an iq (an id is assigned when absent) and resolves with its answer. @throws as IqTracker.wait, ConnectionError */
  query(node: BinaryNode, opts: QueryOptions = {}): Promise<BinaryNode> {
    const id = node.attrs.id ?? this.nextId();
    const stanza = node.attrs.id ? node : { ...node, attrs: { ...node.attrs, id } };
    const answer = this.#iqs.wait(id, opts.timeoutMs ?? this.#iqTimeoutMs, opts.signal);
    try {
      this.send(stanza);
    } catch (err) {
      this.#iqs.cancel(id, err as Error);
    }
    return answer;
  }

  async execute<T>(spec: IqSpec<T>, opts: QueryOptions = {}): Promise<T> {
    return spec.parse(await this.query(spec.build(), opts));
  }

  /** An answer from the server: true when a query waited for it. */
  resolve(answer: BinaryNode): boolean {
    return this.#iqs.resolve(answer);
  }
}
