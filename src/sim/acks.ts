/**
 * The attribute rules a client's `<ack>` must follow for what the server sent
 * it (whatsapp-rust's build_ack_node, WA Web's WAWebReceiptAck): a receipt ack
 * echoes the receipt's `type` exactly (a delivery receipt has none, and an
 * ack with `type="delivery"` makes the server hang up); any ack echoes
 * `recipient` when the stanza had one. A breach is answered with
 * `<stream:error><ack/></stream:error>`. Pure.
 */
import type { BinaryNode } from './nodes.js';

/** Why an ack breaks the rules, or undefined when it is fine. */
export function ackViolation(sent: BinaryNode, ack: BinaryNode): string | undefined {
  if (ack.attrs.class !== sent.tag) return `ack class ${ack.attrs.class ?? '(none)'} for a <${sent.tag}>`;
  if (sent.attrs.recipient !== undefined && ack.attrs.recipient !== sent.attrs.recipient) {
    return `ack of ${sent.tag} ${sent.attrs.id} does not echo recipient`;
  }
  if (sent.tag === 'receipt' && ack.attrs.type !== sent.attrs.type) {
    return sent.attrs.type === undefined
      ? `ack of a delivery receipt carries type="${ack.attrs.type}"`
      : `ack of a ${sent.attrs.type} receipt has type ${ack.attrs.type ?? '(none)'}`;
  }
  return undefined;
}
