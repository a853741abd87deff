/**
 * Small readers and builders for stanza trees, shared by the IQ specs, the
 * stanza decisions and pairing. Reading is lenient (a missing part reads as
 * undefined): each caller decides what a missing part means and throws its
 * own typed error. Pure; owns no state.
 */
import type { BinaryNode } from '../binary/index.js';

export function childNodes(node: BinaryNode | undefined): BinaryNode[] {
  return node !== undefined && Array.isArray(node.content) ? node.content : [];
}

export function childNode(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return childNodes(node).find((c) => c.tag === tag);
}

export function childrenByTag(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return childNodes(node).filter((c) => c.tag === tag);
}

/** Content as bytes (string content is taken as UTF-8). */
export function bytesOf(node: BinaryNode | undefined): Uint8Array | undefined {
  const c = node?.content;
  if (c instanceof Uint8Array) return c;
  if (typeof c === 'string') return new TextEncoder().encode(c);
  return undefined;
}

/** Content as text (the codec hands raw strings back as bytes: decode them as UTF-8). */
export function textOf(node: BinaryNode | undefined): string | undefined {
  const c = node?.content;
  if (typeof c === 'string') return c;
  if (c instanceof Uint8Array) return new TextDecoder().decode(c);
  return undefined;
}

/** A big-endian unsigned integer of 1..4 content bytes (registration ids, key ids). */
export function uintOf(node: BinaryNode | undefined): number | undefined {
  const b = bytesOf(node);
  if (b === undefined || b.length === 0 || b.length > 4) return undefined;
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return n;
}

/** `value` as `length` big-endian bytes. @throws RangeError when it does not fit */
export function uintBytes(value: number, length: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * length)) throw new RangeError(`${value} does not fit ${length} bytes`);
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
