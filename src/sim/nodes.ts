/**
 * Readers and builders for stanzas on the simulator's side of the wire. Owns no state and performs no I/O; it must not know about routing or
 * sockets. Reading is lenient (missing parts read as undefined) because every
 * caller decides for itself what a missing part means.
 */
import type { BinaryNode } from '../protocol/binary/types.js';

export type { BinaryNode };

/** The server's own JID, as real WhatsApp stamps `from` on what it sends. */
export const SERVER_JID = 's.whatsapp.net';

// The generic tree readers are the protocol core's (the simulator may share
// only src/protocol with our client; these carry no client behaviour).
export {
  bytesOf,
  childNode as child,
  childNodes as children,
  childrenByTag,
  node,
  textOf,
  uintBytes,
  uintOf,
} from '../protocol/iq/nodes.js';
import { node } from '../protocol/iq/nodes.js';

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
