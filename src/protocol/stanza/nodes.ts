/**
 * Readers and builders shared by the stanza families: child lookup, content
 * as bytes or text, big-endian integers, and an attribute reader that
 * collects every problem and is checked once (whatsmeow's attrs.go), so a
 * parser lists all that is wrong with a stanza instead of the first thing.
 * Pure; knows no stanza family.
 */
import type { BinaryNode } from '../binary/index.js';
import { jidDecode } from '../jid/index.js';
import { StanzaError } from './errors.js';

export function children(node: BinaryNode | undefined): BinaryNode[] {
  return node !== undefined && Array.isArray(node.content) ? node.content : [];
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return children(node).find((c) => c.tag === tag);
}

export function childrenByTag(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return children(node).filter((c) => c.tag === tag);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Content as bytes (string content is UTF-8: the codec decodes tokens and packed text as strings). */
export function bytesOf(node: BinaryNode | undefined): Uint8Array | undefined {
  const c = node?.content;
  if (c instanceof Uint8Array) return c;
  if (typeof c === 'string') return encoder.encode(c);
  return undefined;
}

/** Content as text (raw text arrives as bytes). */
export function textOf(node: BinaryNode | undefined): string | undefined {
  const c = node?.content;
  if (typeof c === 'string') return c;
  if (c instanceof Uint8Array) return decoder.decode(c);
  return undefined;
}

/** A big-endian unsigned integer of exactly `length` bytes (registration ids: 4, key ids: 3). */
export function uintOf(node: BinaryNode | undefined, length: number): number | undefined {
  const b = bytesOf(node);
  if (b === undefined || b.length !== length) return undefined;
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

export function uintBytes(value: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

export function node(tag: string, attrs: Record<string, string> = {}, content?: BinaryNode['content']): BinaryNode {
  return content === undefined ? { tag, attrs } : { tag, attrs, content };
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
