/**
 * What each logged-in device sent, stanza by stanza, summarised (tag,
 * attributes, the tags and attributes of two levels of children, at most 32
 * of each; never bytes): the proof a test reads that a client sent the shapes WhatsApp's
 * own clients send (a receipt's type, no ack after a receipt, a prekey
 * fetch's reason, the IQs after login). Bounded: the last `perDevice`
 * stanzas of at most `maxDevices` devices, the device heard from longest ago
 * forgotten first.
 */
import type { BinaryNode } from './nodes.js';

export interface WireNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
}

export interface WireEntry extends WireNode {
  readonly children: ReadonlyArray<WireNode & { readonly children: readonly WireNode[] }>;
  /** Unix ms when it arrived. */
  readonly t: number;
}

const MAX_CHILDREN = 32;

function kids(n: BinaryNode): BinaryNode[] {
  return Array.isArray(n.content) ? n.content.slice(0, MAX_CHILDREN) : [];
}

export class WireLog {
  readonly #byDevice = new Map<string, WireEntry[]>();
  readonly #perDevice: number;
  readonly #maxDevices: number;

  constructor(perDevice = 512, maxDevices = 1_000) {
    this.#perDevice = perDevice;
    this.#maxDevices = maxDevices;
  }

  record(deviceJid: string, stanza: BinaryNode, now: number): void {
    let list = this.#byDevice.get(deviceJid);
    if (list) this.#byDevice.delete(deviceJid);
    else {
      list = [];
      if (this.#byDevice.size >= this.#maxDevices) this.#byDevice.delete(this.#byDevice.keys().next().value!);
    }
    this.#byDevice.set(deviceJid, list);
    const children = kids(stanza).map((c) => ({ tag: c.tag, attrs: { ...c.attrs }, children: kids(c).map((g) => ({ tag: g.tag, attrs: { ...g.attrs } })) }));
    list.push({ tag: stanza.tag, attrs: { ...stanza.attrs }, children, t: now });
    if (list.length > this.#perDevice) list.splice(0, list.length - this.#perDevice);
  }

  /** Oldest first. */
  entries(deviceJid: string): readonly WireEntry[] {
    return this.#byDevice.get(deviceJid) ?? [];
  }
}
