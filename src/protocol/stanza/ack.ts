/**
 * The automatic `<ack>` for a stanza the server sent (whatsapp-rust's
 * build_ack_node, whatsmeow's sendAck, WA Web's WAWebHandleMsgSendAck): a
 * pure decision from the stanza to the ack, or to none. Sending it (after the
 * stanza's handler has persisted what it must) is the connection actor's job.
 *
 *   class        the stanza's tag
 *   id           copied
 *   to           the stanza's `from`
 *   participant  copied when present
 *   recipient    copied when present (the server checks it)
 *   from         our own PN device JID, on message acks only
 *   type         message: never (whatsmeow's `node.Tag != "message"` guard);
 *                receipt: echoed when present, absent for delivery receipts
 *                (an ack with `type="delivery"` makes the server hang up);
 *                notification: echoed, except `type="encrypt"` with an
 *                `<identity>` child (an identity change), where WA Web drops it;
 *                call: the signal's tag (offer, terminate, …: WA Web's
 *                `<ack class="call" type="offer">`), or the stanza's own type;
 *                the rest: echoed when present
 *   error        only for a nack (decryption failed: 500, missing keys: 487…)
 */
import type { BinaryNode } from '../binary/index.js';
import { childNode } from '../iq/nodes.js';

/** The stanza tags the server expects an ack for. */
export const ACKED_TAGS: ReadonlySet<string> = new Set(['message', 'receipt', 'notification', 'call']);

export interface AckOptions {
  /** Our own device JID (`<phone>:<device>@s.whatsapp.net`), put in `from` of message acks. */
  me?: string | undefined;
  /** Makes it a nack. */
  error?: number | undefined;
}

/** True for `<notification type="encrypt"><identity/></notification>` (a contact's identity key changed). */
export function isIdentityChangeNotification(stanza: BinaryNode): boolean {
  return stanza.tag === 'notification' && stanza.attrs.type === 'encrypt' && childNode(stanza, 'identity') !== undefined;
}

/**
 * The ack for `stanza`, or undefined when it gets none (another tag, or no
 * `id`/`from` to answer to).
 */
export function buildAck(stanza: BinaryNode, opts: AckOptions = {}): BinaryNode | undefined {
  const { tag, attrs } = stanza;
  if (!ACKED_TAGS.has(tag) || !attrs.id || !attrs.from) return undefined;
  const ack: Record<string, string> = { class: tag, id: attrs.id, to: attrs.from };
  if (attrs.participant) ack.participant = attrs.participant;
  if (attrs.recipient) ack.recipient = attrs.recipient;
  const type = tag === 'call' ? (attrs.type ?? callSignalTag(stanza)) : attrs.type;
  if (type && tag !== 'message' && !isIdentityChangeNotification(stanza)) ack.type = type;
  if (tag === 'message' && opts.me) ack.from = opts.me;
  if (opts.error !== undefined) ack.error = String(opts.error);
  return { tag: 'ack', attrs: ack };
}

/** The tag of a call stanza's one signal child (offer, terminate, …). */
function callSignalTag(stanza: BinaryNode): string | undefined {
  const first = Array.isArray(stanza.content) ? stanza.content[0] : undefined;
  return first?.tag;
}
