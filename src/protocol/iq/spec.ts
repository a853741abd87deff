/**
 * The IqSpec pattern (as whatsapp-rust's `IqSpec`): every IQ
 * the client sends is a typed spec pairing the request it builds with the
 * parser of its answer, one file per xmlns under src/protocol/iq/. The runtime
 * has one `execute(spec, {signal, timeoutMs})` that assigns the stanza id,
 * correlates the answer, turns `<error code text>` answers into a typed error
 * and hands the `type="result"` node to `parse`.
 *
 * Pure: specs build and parse BinaryNodes; they never send anything.
 */
import type { BinaryNode } from '../binary/index.js';

export interface IqSpec<T> {
  /** The request without an `id` attribute (the runtime assigns it). */
  build(): BinaryNode;
  /** Parses the `type="result"` answer. @throws IqParseError on a malformed answer. */
  parse(result: BinaryNode): T;
}

/** The server's `to` for client IQs: the JID with an empty user, as WhatsApp Web sends it. */
export const SERVER_JID = 's.whatsapp.net';
export const IQ_TO = '@s.whatsapp.net';

export type IqType = 'get' | 'set';

/** Builds a request iq node for a spec. */
export function iq(xmlns: string, type: IqType, content: BinaryNode[], to: string = IQ_TO, extra: Record<string, string> = {}): BinaryNode {
  return { tag: 'iq', attrs: { to, type, xmlns, ...extra }, content };
}
