/**
 * The stanzas a phone exchanges with the server, as plain nodes: the outgoing <message> with one <enc> per device, the
 * incoming <message> with its <enc> children in order, receipts and acks.
 * Pure shapes only: no crypto, no state, no host.
 */
import { createHash, randomBytes } from 'node:crypto';
import { jidDecode, jidEncode } from '../../protocol/jid/index.js';
import type { SimNode } from '../phone-host.js';

export type EncType = 'pkmsg' | 'msg' | 'skmsg';

export interface DeviceEnc {
  jid: string;
  type: 'pkmsg' | 'msg';
  ciphertext: Uint8Array;
}

/** A message id like WhatsApp Web's (Baileys' generateMessageIDV2): "3EB0" + 18 hex digits. */
export function newMessageId(userJid: string, nowMs: number): string {
  const data = Buffer.alloc(8 + 20 + 16);
  data.writeBigUInt64BE(BigInt(Math.floor(nowMs / 1000)));
  const user = jidDecode(userJid)?.user;
  if (user) data.write(`${user}@c.us`.slice(0, 20), 8);
  randomBytes(16).copy(data, 28);
  return '3EB0' + createHash('sha256').update(data).digest('hex').toUpperCase().slice(0, 18);
}

/** The canonical device jid: "user:dev@server", device 0 as "user@server". undefined for a non-jid. */
export function deviceJid(jid: string): string | undefined {
  const d = jidDecode(jid);
  if (!d || !d.user) return undefined;
  return jidEncode(d.user, d.server, d.device || 0);
}

export function encNode(type: EncType, ciphertext: Uint8Array, extra: Record<string, string> = {}): SimNode {
  return { tag: 'enc', attrs: { v: '2', type, ...extra }, content: ciphertext };
}

/** The stanza attributes a Message implies (see protocol/message kind.ts): type, edit, and the enc's mediatype. */
export interface MessageAttrs {
  type: string;
  edit?: string;
  mediatype?: string;
}

/**
 * A fan-out message (1:1 and groups):
 *   <message id to type [edit] [addressing_mode]><participants><to jid><enc [mediatype]/></to>…</participants>[<enc type="skmsg"/>]</message>
 */
export function buildFanoutMessage(req: { id: string; to: string; encs: DeviceEnc[]; skmsg?: Uint8Array; group?: boolean; attrs?: MessageAttrs }): SimNode {
  const encExtra: Record<string, string> = req.attrs?.mediatype ? { mediatype: req.attrs.mediatype } : {};
  const content: SimNode[] = [];
  if (req.encs.length > 0) {
    content.push({
      tag: 'participants',
      attrs: {},
      content: req.encs.map((e) => ({ tag: 'to', attrs: { jid: e.jid }, content: [encNode(e.type, e.ciphertext, encExtra)] })),
    });
  }
  if (req.skmsg) content.push(encNode('skmsg', req.skmsg, encExtra));
  const attrs: Record<string, string> = { id: req.id, to: req.to, type: req.attrs?.type ?? 'text' };
  if (req.attrs?.edit) attrs.edit = req.attrs.edit;
  if (req.group) attrs.addressing_mode = 'pn';
  return { tag: 'message', attrs, content };
}

export interface IncomingEnc {
  type: EncType;
  ciphertext: Uint8Array;
}

export interface IncomingMessage {
  id: string;
  /** The stanza's `from`: a device jid (1:1) or the group jid. */
  from: string;
  /** The author's device jid: `participant` for groups, else `from`. */
  author: string;
  participant?: string;
  /** Set on copies of what one of our own devices sent to this peer. */
  recipient?: string;
  /** Unix seconds from `t`, if present. */
  t?: number;
  /** "peer" for a peer message from one of our own devices (e.g. an app-state key request). */
  category?: string;
  encs: IncomingEnc[];
}

export function children(node: SimNode): SimNode[] {
  return Array.isArray(node.content) ? node.content : [];
}

export function bytesOf(content: SimNode['content']): Uint8Array | undefined {
  if (content instanceof Uint8Array) return content;
  if (typeof content === 'string') return new Uint8Array(Buffer.from(content, 'latin1'));
  return undefined;
}

/** The parts of an incoming <message> the phone needs; undefined when it is not a usable message. */
export function parseIncomingMessage(node: SimNode): IncomingMessage | undefined {
  const { id, from, participant, recipient, t, category } = node.attrs;
  if (node.tag !== 'message' || !id || !from) return undefined;
  const encs: IncomingEnc[] = [];
  for (const child of children(node)) {
    const type = child.attrs.type;
    const ciphertext = bytesOf(child.content);
    if (child.tag === 'enc' && (type === 'pkmsg' || type === 'msg' || type === 'skmsg') && ciphertext) encs.push({ type, ciphertext });
  }
  const seconds = t !== undefined ? Number(t) : NaN;
  return {
    id,
    from,
    author: participant || from,
    ...(participant ? { participant } : {}),
    ...(recipient ? { recipient } : {}),
    ...(Number.isFinite(seconds) ? { t: seconds } : {}),
    ...(category ? { category } : {}),
    encs,
  };
}

/**
 * The delivery receipt the recipient device sends (Baileys' sendReceipt):
 * `<receipt id to [participant]/>`, or for a copy from our own device
 * `<receipt id to=<author device> recipient=<peer> type="sender"/>`, and for
 * a peer message `<receipt id to type="peer_msg"/>`.
 */
export function buildDeliveryReceipt(msg: IncomingMessage): SimNode {
  if (msg.category === 'peer') return { tag: 'receipt', attrs: { id: msg.id, to: msg.from, type: 'peer_msg' } };
  if (msg.recipient) return { tag: 'receipt', attrs: { id: msg.id, to: msg.from, recipient: msg.recipient, type: 'sender' } };
  const attrs: Record<string, string> = { id: msg.id, to: msg.from };
  if (msg.participant) attrs.participant = msg.participant;
  return { tag: 'receipt', attrs };
}

/** Baileys' buildAckStanza: `<ack id to=<from> class=<tag> [participant] [recipient] [type] [from=me for messages]>`. */
export function buildAck(node: SimNode, me: string, error?: number): SimNode {
  const attrs: Record<string, string> = { id: node.attrs.id ?? '', to: node.attrs.from ?? '', class: node.tag };
  if (error !== undefined) attrs.error = String(error);
  if (node.attrs.participant) attrs.participant = node.attrs.participant;
  if (node.attrs.recipient) attrs.recipient = node.attrs.recipient;
  if (node.attrs.type) attrs.type = node.attrs.type;
  if (node.tag === 'message') attrs.from = me;
  return { tag: 'ack', attrs };
}

export interface IncomingReceipt {
  id: string;
  /** The device that sent the receipt. */
  from: string;
  participant?: string;
  type?: string;
  /** The ids in a <list><item id/></list> besides `id`. */
  moreIds: string[];
  /** For type="retry": the <retry count> the receiver sent. */
  retry?: { count: number };
}

export function parseReceipt(node: SimNode): IncomingReceipt | undefined {
  const { id, from, participant, type } = node.attrs;
  if (node.tag !== 'receipt' || !id || !from) return undefined;
  const moreIds: string[] = [];
  let retry: IncomingReceipt['retry'];
  for (const child of children(node)) {
    if (child.tag === 'list') for (const item of children(child)) if (item.attrs.id) moreIds.push(item.attrs.id);
    if (child.tag === 'retry') retry = { count: Number(child.attrs.count) || 1 };
  }
  return { id, from, moreIds, ...(participant ? { participant } : {}), ...(type ? { type } : {}), ...(retry ? { retry } : {}) };
}
