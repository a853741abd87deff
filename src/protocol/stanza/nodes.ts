/**
 * Readers and builders shared by the stanza families: the IQ layer's tree
 * readers, exact-length big-endian integers, and an attribute reader that
 * collects every problem and is checked once (whatsmeow's attrs.go), so a
 * parser lists all that is wrong with a stanza instead of the first thing.
 * Pure; knows no stanza family.
 */
import type { BinaryNode } from '../binary/index.js';
import { jidDecode } from '../jid/index.js';
import { StanzaError } from './errors.js';
import { bytesOf, uintOf as anyUintOf } from '../iq/nodes.js';

// The tree readers are the IQ layer's (one set for the whole protocol core), under the names the stanza families use.
export { childNodes as children, childNode as child, childrenByTag, bytesOf, textOf, uintBytes, node } from '../iq/nodes.js';

/** A big-endian unsigned integer of exactly `length` bytes (registration ids: 4, key ids: 3). */
export function uintOf(n: BinaryNode | undefined, length: number): number | undefined {
  const b = bytesOf(n);
  return b !== undefined && b.length === length ? anyUintOf(n) : undefined;
}

/** Copies the attributes that are defined (optional attributes of builders). */
export function definedAttrs(attrs: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Reads attributes and remembers what was missing or malformed; `check()`
 * throws one StanzaError naming all of it.
 */
export class AttrReader {
  readonly #node: BinaryNode;
  readonly #errors: string[] = [];

  constructor(n: BinaryNode) {
    this.#node = n;
  }

  optional(name: string): string | undefined {
    const v = this.#node.attrs[name];
    return v === undefined || v === '' ? undefined : v;
  }

  string(name: string): string {
    const v = this.optional(name);
    if (v === undefined) this.#errors.push(`missing ${name}`);
    return v ?? '';
  }

  /** A JID attribute (anything jidDecode accepts). */
  optionalJid(name: string): string | undefined {
    const v = this.optional(name);
    if (v !== undefined && !jidDecode(v)) {
      this.#errors.push(`${name} is not a JID: ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }

  jid(name: string): string {
    const v = this.optionalJid(name);
    if (v === undefined && this.#node.attrs[name] === undefined) this.#errors.push(`missing ${name}`);
    return v ?? '';
  }

  optionalInt(name: string): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) {
      this.#errors.push(`${name} is not an integer: ${JSON.stringify(v)}`);
      return undefined;
    }
    return n;
  }

  get ok(): boolean {
    return this.#errors.length === 0;
  }

  /** @throws StanzaError naming every problem seen so far */
  check(): void {
    if (this.#errors.length > 0) throw new StanzaError(this.#node.tag, this.#errors.join('; '));
  }
}
