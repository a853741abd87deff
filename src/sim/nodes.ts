/**
 * Small readers and builders for stanzas on the simulator's side of the
 * wire. Owns no state and performs no I/O; it must not know about routing or
 * sockets. Reading is lenient (missing parts read as undefined) because every
 * caller decides for itself what a missing part means.
 */
import type { BinaryNode } from '../protocol/binary/types.js';

export type { BinaryNode };

/** The server's own JID, as real WhatsApp stamps `from` on what it sends. */
export const SERVER_JID = 's.whatsapp.net';

export function children(node: BinaryNode | undefined): BinaryNode[] {
  return node !== undefined && Array.isArray(node.content) ? node.content : [];
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return children(node).find((c) => c.tag === tag);
}

export function childrenByTag(node: BinaryNode | undefined, tag: string): BinaryNode[] {
  return children(node).filter((c) => c.tag === tag);
}

/** Content as bytes (a string content is taken as UTF-8). */
export function bytesOf(node: BinaryNode | undefined): Uint8Array | undefined {
  if (node === undefined) return undefined;
  const c = node.content;
  if (c instanceof Uint8Array) return c;
  if (typeof c === 'string') return new TextEncoder().encode(c);
  return undefined;
}

/** Content as text (bytes are taken as UTF-8: the codec decodes raw text as bytes). */
export function textOf(node: BinaryNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const c = node.content;
  if (typeof c === 'string') return c;
  if (c instanceof Uint8Array) return new TextDecoder().decode(c);
  return undefined;
}

/** A big-endian unsigned integer from 1..4 content bytes (registration ids, key ids). */
export function uintOf(node: BinaryNode | undefined): number | undefined {
  const b = bytesOf(node);
  if (b === undefined || b.length === 0 || b.length > 4) return undefined;
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

/** `<iq type="result" id from="s.whatsapp.net">…</iq>`: the answer to a client IQ. */
export function iqResult(request: BinaryNode, content?: BinaryNode[]): BinaryNode {
  const attrs: Record<string, string> = { type: 'result', id: request.attrs.id ?? '', from: SERVER_JID };
  return node('iq', attrs, content);
}

/** `<iq type="error"><error code text/></iq>`: Baileys' query() throws on it. */
export function iqError(request: BinaryNode, code: number, text: string): BinaryNode {
  return node('iq', { type: 'error', id: request.attrs.id ?? '', from: SERVER_JID }, [
    node('error', { code: String(code), text }),
  ]);
}

export function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}
