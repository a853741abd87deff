/**
 * `<receipt>` stanzas: reading the delivery/read/played/retry receipts the
 * server forwards, deciding what each means for messages we sent, and
 * building the receipts we send (delivery after a decrypt, `sender` for our
 * own devices' copies, read/played on request). Pure. Retry receipts' bodies
 * are retry.ts.
 *
 * Wire:
 *   in:  <receipt id from [participant] [recipient] [type] t><list><item id/>…</list></receipt>
 *   out: <receipt id to [participant] [recipient] [type] [t]>[<list><item id/>…</list>]</receipt>
 * Delivery has NO type attribute: an explicit type="delivery" makes the server close the stream.
 */
import type { BinaryNode } from '../binary/index.js';
import { isGroup, isBroadcast, isSameUser } from '../jid/index.js';
import type { OwnIds } from './message.js';
import { AttrReader, child, childrenByTag, definedAttrs, node } from './nodes.js';

export type ReceiptType =
  | 'delivery'
  | 'sender'
  | 'retry'
  | 'read'
  | 'read-self'
  | 'played'
  | 'played-self'
  | 'inactive'
  | 'peer_msg'
  | 'hist_sync'
  | 'server-error'
  | 'enc_rekey_retry'
  | 'other';

const KNOWN: ReadonlySet<string> = new Set([
  'sender',
  'retry',
  'read',
  'read-self',
  'played',
  'played-self',
  'inactive',
  'peer_msg',
  'hist_sync',
  'server-error',
  'enc_rekey_retry',
]);

export interface IncomingReceipt {
  /** The first id and those in `<list>`, in order. */
  readonly ids: readonly string[];
  readonly type: ReceiptType;
  /** The type attribute as sent (for `other`). */
  readonly rawType?: string | undefined;
  readonly from: string;
  readonly participant?: string | undefined;
  readonly recipient?: string | undefined;
  /** The chat the receipt is about, as seen from us. */
  readonly chat: string;
  /** Who sent the receipt: `participant` in groups, else `from`. */
  readonly by: string;
  /** Whether it is about messages we sent (false: a receipt from our own device about a message we received). */
  readonly aboutOurMessage: boolean;
  /** Sent by one of our own devices. */
  readonly byMe: boolean;
  readonly t: number;
}

/**
 * Reads a receipt. Never guesses a chat: groups are `from`, a receipt from
 * one of our devices about a 1:1 chat names it in `recipient`.
 * @throws StanzaError when id or from is missing
 */
export function parseReceipt(stanza: BinaryNode, me: OwnIds): IncomingReceipt {
  const a = new AttrReader(stanza);
  const id = a.string('id');
  const from = a.jid('from');
  const participant = a.optionalJid('participant');
  const recipient = a.optionalJid('recipient');
  const t = a.optionalInt('t') ?? 0;
  a.check();
  const rawType = stanza.attrs.type;
  const type: ReceiptType = rawType === undefined || rawType === '' ? 'delivery' : KNOWN.has(rawType) ? (rawType as ReceiptType) : 'other';
  const ids = [id, ...childrenByTag(child(stanza, 'list'), 'item').flatMap((i) => (i.attrs.id ? [i.attrs.id] : []))];
  const by = participant ?? from;
  const byMe = isSameUser(by, me.pn) || (me.lid !== undefined && isSameUser(by, me.lid));
  const grouped = isGroup(from) || isBroadcast(from);
  const chat = grouped ? from : byMe && recipient ? recipient : from;
  // A receipt from our own device without `recipient` is about a message our device received
  // (read-self, played-self); `retry`/`sender` from our devices are about what we sent.
  const aboutOurMessage = !recipient || ((type === 'retry' || type === 'sender') && byMe) || !byMe;
  return { ids, type, rawType, from, participant, recipient, chat, by, aboutOurMessage, byMe, t };
}

/** The delivery status a receipt gives our messages, or undefined when it gives none. */
export type DeliveryStatus = 'server' | 'delivered' | 'read' | 'played';

export function receiptStatus(type: ReceiptType): DeliveryStatus | undefined {
  switch (type) {
    case 'delivery':
    case 'inactive':
      return 'delivered';
    case 'sender':
      return 'server';
    case 'read':
    case 'read-self':
      return 'read';
    case 'played':
    case 'played-self':
      return 'played';
    default:
      return undefined;
  }
}

export interface OutgoingReceipt {
  /** Message ids: the first is the receipt's id, the rest go into `<list>`. */
  readonly ids: readonly string[];
  /** The chat (user, group). */
  readonly to: string;
  /** The sender inside a group (required there). */
  readonly participant?: string | undefined;
  /** For `sender` receipts to our own device: the peer of the 1:1 chat. */
  readonly recipient?: string | undefined;
  /** Omit for a delivery receipt. */
  readonly type?: Exclude<ReceiptType, 'delivery' | 'other' | 'retry'> | undefined;
  /** Unix seconds; read/played receipts carry it. */
  readonly t?: number | undefined;
}

/** @throws RangeError when `ids` is empty */
export function buildReceipt(r: OutgoingReceipt): BinaryNode {
  const [first, ...rest] = r.ids;
  if (first === undefined) throw new RangeError('a receipt needs at least one message id');
  const attrs = definedAttrs({
    id: first,
    to: r.to,
    participant: r.participant,
    recipient: r.recipient,
    type: r.type,
    t: r.t === undefined ? undefined : String(r.t),
  });
  return node('receipt', attrs, rest.length > 0 ? [node('list', {}, rest.map((id) => node('item', { id })))] : undefined);
}

/**
 * The receipt that confirms a message we decrypted, as WhatsApp Web sends it:
 * `peer_msg` for peer messages, `sender` for our own devices' copies (to our
 * sending device, naming the chat), delivery otherwise (`inactive` while we
 * have not said we are available).
 */
export function deliveryReceiptFor(
  msg: { id: string; from: string; chat: string; kind: string; author: string; fromMe: boolean; participant?: string | undefined; category?: string | undefined },
  options: { active: boolean },
): BinaryNode {
  if (msg.category === 'peer') return buildReceipt({ ids: [msg.id], to: msg.from, type: 'peer_msg' });
  if (msg.kind === 'group' || msg.kind === 'broadcast') {
    return buildReceipt({ ids: [msg.id], to: msg.chat, participant: msg.author, type: msg.fromMe ? 'sender' : options.active ? undefined : 'inactive' });
  }
  if (msg.fromMe) {
    return buildReceipt({ ids: [msg.id], to: msg.author, recipient: msg.chat === msg.author ? undefined : msg.chat, type: 'sender' });
  }
  return buildReceipt({ ids: [msg.id], to: msg.from, type: options.active ? undefined : 'inactive' });
}
