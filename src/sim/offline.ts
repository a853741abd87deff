/**
 * Per-device delivery bookkeeping: the queue of stanzas for a device that is
 * offline (or still pulling its backlog, see offline-delivery.ts), and the
 * stanzas sent to a live device but not yet acked. When a
 * socket goes away its unacked stanzas go back to the front of the queue, so
 * a client killed mid-delivery gets them again on its next login (WhatsApp
 * redelivers unacked stanzas the same way). Bounded: past the limit the
 * oldest stanza is dropped and counted.
 */
import type { BinaryNode } from './nodes.js';

export interface QueuedStanza {
  /** keyOf(node): what an ack must name to confirm it. */
  key: string;
  node: BinaryNode;
}

/**
 * An ack names a stanza by class (= tag) and id. Receipts of one message id
 * come in several types (delivery, read, …), each acked separately, so their
 * key includes the type.
 */
export function stanzaKey(tag: string, id: string, type?: string): string {
  return tag === 'receipt' ? `${tag}:${id}:${type ?? ''}` : `${tag}:${id}`;
}

export function keyOf(stanza: BinaryNode): string {
  return stanzaKey(stanza.tag, stanza.attrs.id ?? '', stanza.attrs.type);
}

export class DeliveryQueues {
  readonly #queued = new Map<string, QueuedStanza[]>();
  readonly #unacked = new Map<string, Map<string, QueuedStanza>>();
  /**
   * Stanzas sent again under a key still unacked, per device: two members'
   * retry receipts for one group message share a key, and each gets its own ack.
   */
  readonly #extraCopies = new Map<string, Map<string, number>>();
  readonly #maxQueued: number;
  readonly #maxUnacked: number;
  /** Stanzas dropped because a bound was hit (for /stats). */
  dropped = 0;

  constructor(maxQueued: number, maxUnacked: number) {
    this.#maxQueued = maxQueued;
    this.#maxUnacked = maxUnacked;
  }

  enqueue(deviceJid: string, item: QueuedStanza): void {
    let q = this.#queued.get(deviceJid);
    if (!q) this.#queued.set(deviceJid, (q = []));
    q.push(item);
    if (q.length > this.#maxQueued) {
      q.shift();
      this.dropped++;
    }
  }

  /** Removes and returns everything queued for a device, oldest first. */
  drain(deviceJid: string): QueuedStanza[] {
    const q = this.#queued.get(deviceJid) ?? [];
    this.#queued.delete(deviceJid);
    return q;
  }

  /** Removes and returns up to `count` of the oldest stanzas queued for a device. */
  take(deviceJid: string, count: number): QueuedStanza[] {
    const q = this.#queued.get(deviceJid);
    if (!q) return [];
    const out = q.splice(0, count);
    if (q.length === 0) this.#queued.delete(deviceJid);
    return out;
  }

  /** What is queued for a device, oldest first, left in place. */
  peek(deviceJid: string): readonly QueuedStanza[] {
    return this.#queued.get(deviceJid) ?? [];
  }

  /** Stanzas sent to the device and not acked yet. */
  unackedCount(deviceJid: string): number {
    return this.#unacked.get(deviceJid)?.size ?? 0;
  }

  queuedCount(deviceJid: string): number {
    return this.#queued.get(deviceJid)?.length ?? 0;
  }

  /** Records a stanza sent live; it stays until `ack`. */
  sent(deviceJid: string, item: QueuedStanza): void {
    let m = this.#unacked.get(deviceJid);
    if (!m) this.#unacked.set(deviceJid, (m = new Map()));
    if (m.has(item.key)) {
      let extra = this.#extraCopies.get(deviceJid);
      if (!extra) this.#extraCopies.set(deviceJid, (extra = new Map()));
      extra.set(item.key, Math.min((extra.get(item.key) ?? 0) + 1, this.#maxUnacked));
    }
    m.delete(item.key);
    m.set(item.key, item);
    if (m.size > this.#maxUnacked) {
      const oldest = m.keys().next().value;
      if (oldest !== undefined) {
        m.delete(oldest);
        this.#extraCopies.get(deviceJid)?.delete(oldest);
      }
      this.dropped++;
    }
  }

  /** An ack arrived; returns the stanza it confirms, if it was outstanding. */
  ack(deviceJid: string, key: string): QueuedStanza | undefined {
    const m = this.#unacked.get(deviceJid);
    const item = m?.get(key);
    if (!item) return undefined;
    const extra = this.#extraCopies.get(deviceJid);
    const copies = extra?.get(key) ?? 0;
    if (copies > 0) {
      if (copies === 1) extra!.delete(key);
      else extra!.set(key, copies - 1);
      if (extra!.size === 0) this.#extraCopies.delete(deviceJid);
    } else m!.delete(key);
    return item;
  }

  /** The socket closed: unacked stanzas go back in front of anything queued since. */
  requeueUnacked(deviceJid: string): number {
    const m = this.#unacked.get(deviceJid);
    this.#unacked.delete(deviceJid);
    this.#extraCopies.delete(deviceJid);
    if (!m || m.size === 0) return 0;
    const back = [...m.values()];
    const q = this.#queued.get(deviceJid) ?? [];
    const merged = [...back, ...q];
    while (merged.length > this.#maxQueued) {
      merged.shift();
      this.dropped++;
    }
    this.#queued.set(deviceJid, merged);
    return back.length;
  }

  /** Forgets a removed device entirely. */
  forget(deviceJid: string): void {
    this.#queued.delete(deviceJid);
    this.#unacked.delete(deviceJid);
    this.#extraCopies.delete(deviceJid);
  }

  /** Queue sizes by device (queued + unacked), for /stats. */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [jid, q] of this.#queued) if (q.length) out[jid] = q.length;
    for (const [jid, m] of this.#unacked) if (m.size) out[jid] = (out[jid] ?? 0) + m.size;
    return out;
  }

  /** Everything not yet acked, per device, for a snapshot (unacked first). */
  entries(): Array<[string, QueuedStanza[]]> {
    const jids = new Set([...this.#queued.keys(), ...this.#unacked.keys()]);
    return [...jids].map((jid) => [jid, [...(this.#unacked.get(jid)?.values() ?? []), ...(this.#queued.get(jid) ?? [])]]);
  }
}
