/**
 * `<message>` stanzas: reading what the server delivers (who sent it, which
 * chat it belongs to, whether it is our own copy, the LID/PN pair the
 * envelope reveals, the `<enc>` payloads in order) and building what we
 * send: the 1:1 fan-out with `<participants>`, the group send with one
 * `skmsg` and sender-key distributions, and the single-device retry resend.
 * Pure: no decryption here, no sessions, no clock.
 *
 * Wire formats:
 *   in, 1:1:    <message id from="user:dev@s.whatsapp.net" t type [sender_lid|sender_pn] [recipient [peer_recipient_lid|peer_recipient_pn]] [offline] [notify]>
 *                 <enc v="2" type="pkmsg|msg">…</enc>[<device-identity/>]</message>
 *   in, group:  <message id from="gid@g.us" participant="user:dev@…" [participant_lid|participant_pn] [addressing_mode]>
 *                 [<enc type="pkmsg|msg"/>]<enc type="skmsg"/></message>
 *   out, 1:1:   <message id to type [edit]><participants><to jid><enc v="2" type/></to>…</participants>
 *                 [<device-identity/>][<tctoken/>]</message>
 *   out, group: <message id to="gid@g.us" type addressing_mode>[<participants>…</participants>]<enc v="2" type="skmsg"/>…</message>
 *   out, status: <message id to="status@broadcast" type><participants>[<to jid=dev><enc/></to>…]<to jid=user/>…</participants>
 *                 <enc v="2" type="skmsg"/><meta status_setting="allowlist"/>[<device-identity/>]</message>
 *   retry:      <message id to="user:dev@…" [device_fanout="false"] | to="gid" participant="dev"><enc v="2" type count/></message>
 */
import type { BinaryNode } from '../binary/index.js';
import { isBroadcast, isGroup, isHostedLid, isHostedPn, isLid, isNewsletter, isPn, isSameUser, STATUS_BROADCAST_JID } from '../jid/index.js';
import { StanzaError } from './errors.js';
import { AttrReader, bytesOf, child, children, definedAttrs, node } from './nodes.js';

/** Our own identities, to tell our copies from others' messages. */
export interface OwnIds {
  /** Our PN device JID (`user:dev@s.whatsapp.net`). */
  readonly pn: string;
  /** Our LID device JID, once the server told us. */
  readonly lid?: string | undefined;
}

export type EncType = 'pkmsg' | 'msg' | 'skmsg' | 'msmsg';

export interface IncomingEnc {
  /** pkmsg/msg/skmsg as WhatsApp sends them; any other value is kept as is. */
  readonly type: string;
  readonly ciphertext: Uint8Array;
  /** The sender's resend counter (retry resends carry it). */
  readonly count?: number | undefined;
  readonly mediaType?: string | undefined;
}

export type ChatKind = 'chat' | 'group' | 'broadcast' | 'newsletter';

export interface IncomingMessage {
  readonly id: string;
  /** The stanza's `from` (the sender device for 1:1, the group for groups). */
  readonly from: string;
  /** The chat as the envelope names it: the peer for 1:1 (`recipient` for our own copies), the group, the list. */
  readonly chat: string;
  readonly kind: ChatKind;
  /** The device that sent it: `from` for 1:1, `participant` for groups and lists. */
  readonly author: string;
  readonly fromMe: boolean;
  readonly participant?: string | undefined;
  readonly recipient?: string | undefined;
  readonly addressingMode: 'pn' | 'lid';
  /** The author's other identity (a LID for a PN-addressed envelope, a PN for a LID-addressed one), without device. */
  readonly authorAlt?: string | undefined;
  /**
   * On our own copy of a 1:1 message: the peer's other identity
   * (`peer_recipient_lid` / `peer_recipient_pn`). It names the recipient, never
   * the author, so it must not be paired with `author`.
   */
  readonly recipientAlt?: string | undefined;
  /** Unix seconds (0 when absent). */
  readonly t: number;
  readonly notify?: string | undefined;
  readonly category?: string | undefined;
  /** The stanza's `type` attribute (text, media, reaction, poll…). */
  readonly type?: string | undefined;
  readonly edit?: string | undefined;
  /** Delivered from the offline queue. */
  readonly offline: boolean;
  readonly encs: readonly IncomingEnc[];
}

function isUserServer(jid: string): boolean {
  return isPn(jid) || isLid(jid) || isHostedPn(jid) || isHostedLid(jid);
}

function isMe(jid: string | undefined, me: OwnIds): boolean {
  return jid !== undefined && (isSameUser(jid, me.pn) || (me.lid !== undefined && isSameUser(jid, me.lid)));
}

/**
 * Reads a delivered `<message>`.
 * @throws StanzaError when id/from are missing, a group message has no
 *   participant, a `recipient` copy is not from us, or `from` is of an unknown kind
 */
export function parseIncomingMessage(stanza: BinaryNode, me: OwnIds): IncomingMessage {
  const a = new AttrReader(stanza);
  const id = a.string('id');
  const from = a.jid('from');
  const participant = a.optionalJid('participant');
  const recipient = a.optionalJid('recipient');
  const t = a.optionalInt('t') ?? 0;
  a.check();

  let kind: ChatKind;
  let chat: string;
  let author: string;
  let fromMe: boolean;
  if (isUserServer(from)) {
    kind = 'chat';
    author = from;
    fromMe = isMe(from, me);
    if (recipient !== undefined && !fromMe) throw new StanzaError('message', 'recipient present on a message not from us');
    chat = recipient ?? from;
  } else if (isGroup(from) || isBroadcast(from)) {
    if (participant === undefined) throw new StanzaError('message', `no participant on a ${isGroup(from) ? 'group' : 'broadcast'} message`);
    kind = isGroup(from) ? 'group' : 'broadcast';
    chat = from;
    author = participant;
    fromMe = isMe(participant, me);
  } else if (isNewsletter(from)) {
    kind = 'newsletter';
    chat = from;
    author = from;
    fromMe = false;
  } else {
    throw new StanzaError('message', `from of unknown kind: ${from}`);
  }

  const attrs = stanza.attrs;
  const addressingMode = attrs.addressing_mode === 'lid' || (attrs.addressing_mode === undefined && isLid(author)) ? 'lid' : 'pn';
  const authorAlt = addressingMode === 'lid' ? attrs.participant_pn ?? attrs.sender_pn : attrs.participant_lid ?? attrs.sender_lid;
  // The chat's own addressing decides which form the peer's other identity takes.
  const recipientAlt = recipient === undefined ? undefined : isLid(recipient) ? attrs.peer_recipient_pn : attrs.peer_recipient_lid;

  const encs: IncomingEnc[] = [];
  for (const c of children(stanza)) {
    if (c.tag !== 'enc') continue;
    const ciphertext = bytesOf(c);
    const type = c.attrs.type;
    if (!ciphertext || !type) throw new StanzaError('message', 'enc without type or content');
    const count = c.attrs.count === undefined ? undefined : Number(c.attrs.count);
    encs.push({ type, ciphertext, count: Number.isSafeInteger(count) ? count : undefined, mediaType: c.attrs.mediatype });
  }

  return {
    id,
    from,
    chat,
    kind,
    author,
    fromMe,
    participant,
    recipient,
    addressingMode,
    authorAlt: authorAlt || undefined,
    recipientAlt: recipientAlt || undefined,
    t,
    notify: attrs.notify,
    category: attrs.category,
    type: attrs.type,
    edit: attrs.edit,
    offline: attrs.offline !== undefined,
    encs,
  };
}

/** One device's ciphertext in a fan-out. */
export interface DeviceEnc {
  readonly jid: string;
  readonly type: 'pkmsg' | 'msg';
  readonly ciphertext: Uint8Array;
}

/** Attributes of the outgoing `<message>` beyond id/to/type. */
export interface MessageAttrs {
  /** 1 edit, 7 sender revoke, 8 admin revoke, 2 pin (WhatsApp Web's edit attribute). */
  readonly edit?: string | undefined;
  /** Disappearing-message timer of the chat, seconds. */
  readonly expiration?: string | undefined;
  readonly category?: string | undefined;
  readonly push_priority?: string | undefined;
  /** The enc's `mediatype` (image, ptt, vcard…). */
  readonly mediatype?: string | undefined;
  /** Hide the "waiting for this message" placeholder when the receiver fails (reactions, pins). */
  readonly decryptFailHide?: boolean | undefined;
  /** WhatsApp's participant hash of the devices addressed: `2:` + 6 base64 chars. */
  readonly phash?: string | undefined;
}

function encNode(type: string, ciphertext: Uint8Array, attrs: MessageAttrs, extra: Record<string, string> = {}): BinaryNode {
  return node(
    'enc',
    definedAttrs({ v: '2', type, mediatype: attrs.mediatype, 'decrypt-fail': attrs.decryptFailHide ? 'hide' : undefined, ...extra }),
    ciphertext,
  );
}

function topAttrs(id: string, to: string, type: string, attrs: MessageAttrs): Record<string, string> {
  return definedAttrs({
    id,
    to,
    type,
    edit: attrs.edit,
    expiration: attrs.expiration,
    category: attrs.category,
    push_priority: attrs.push_priority,
    phash: attrs.phash,
  });
}

function participantsNode(encs: readonly DeviceEnc[], attrs: MessageAttrs): BinaryNode {
  return node(
    'participants',
    {},
    encs.map((e) => node('to', { jid: e.jid }, [encNode(e.type, e.ciphertext, attrs)])),
  );
}

function trailer(encs: readonly { type: string }[], deviceIdentity: Uint8Array | undefined, tctoken?: Uint8Array): BinaryNode[] {
  const out: BinaryNode[] = [];
  // The device identity proves a new session's sender: only needed when a pkmsg is in the stanza.
  if (deviceIdentity && encs.some((e) => e.type === 'pkmsg')) out.push(node('device-identity', {}, deviceIdentity));
  if (tctoken && tctoken.length > 0) out.push(node('tctoken', {}, tctoken));
  return out;
}

export interface DirectMessageInput {
  readonly id: string;
  /** The peer's user JID (PN or LID). */
  readonly to: string;
  /** The stanza type: text, media, reaction, poll, event. */
  readonly type: string;
  /** Every recipient device (the peer's and our own other devices). */
  readonly encs: readonly DeviceEnc[];
  /** Our ADVSignedDeviceIdentity bytes (with the account signature key). */
  readonly deviceIdentity?: Uint8Array | undefined;
  /** The peer's privacy token, when we hold a valid one. */
  readonly tctoken?: Uint8Array | undefined;
  readonly attrs?: MessageAttrs;
}

/** @throws StanzaError when there is no device to send to */
export function buildDirectMessage(input: DirectMessageInput): BinaryNode {
  if (input.encs.length === 0) throw new StanzaError('message', 'a 1:1 message needs at least one recipient device');
  const attrs = input.attrs ?? {};
  return node('message', topAttrs(input.id, input.to, input.type, attrs), [
    participantsNode(input.encs, attrs),
    ...trailer(input.encs, input.deviceIdentity, input.tctoken),
  ]);
}

export interface GroupMessageInput {
  readonly id: string;
  readonly to: string;
  readonly type: string;
  readonly addressingMode: 'pn' | 'lid';
  /** The SenderKeyMessage every member decrypts. */
  readonly skmsg: Uint8Array;
  /** Our sender key for the devices that do not hold it yet (pairwise encrypted). */
  readonly distribution: readonly DeviceEnc[];
  readonly deviceIdentity?: Uint8Array | undefined;
  readonly attrs?: MessageAttrs;
}

export function buildGroupMessage(input: GroupMessageInput): BinaryNode {
  const attrs = input.attrs ?? {};
  const content: BinaryNode[] = [];
  if (input.distribution.length > 0) content.push(participantsNode(input.distribution, attrs));
  content.push(encNode('skmsg', input.skmsg, attrs));
  content.push(...trailer(input.distribution, input.deviceIdentity));
  return node('message', { ...topAttrs(input.id, input.to, input.type, attrs), addressing_mode: input.addressingMode }, content);
}

export interface StatusMessageInput {
  readonly id: string;
  readonly type: string;
  /** The SenderKeyMessage every audience device decrypts. */
  readonly skmsg: Uint8Array;
  /** Our status sender key for the audience devices that do not hold it yet. */
  readonly distribution: readonly DeviceEnc[];
  /** Every user who may see the status (user jids): the server delivers to exactly these. */
  readonly audience: readonly string[];
  readonly deviceIdentity?: Uint8Array | undefined;
  readonly attrs?: MessageAttrs;
}

/**
 * A status post: a group send to `status@broadcast` whose `<participants>`
 * names, besides the devices getting our sender key, each user of the
 * audience bare (`<to jid="user"/>`), as WhatsApp Web does; `<meta
 * status_setting="allowlist">` says the audience was chosen by hand.
 */
export function buildStatusMessage(input: StatusMessageInput): BinaryNode {
  const attrs = input.attrs ?? {};
  const withKey = input.distribution.map((e) => node('to', { jid: e.jid }, [encNode(e.type, e.ciphertext, attrs)]));
  const bare = input.audience.map((jid) => node('to', { jid }));
  return node('message', topAttrs(input.id, STATUS_BROADCAST_JID, input.type, attrs), [
    node('participants', {}, [...withKey, ...bare]),
    encNode('skmsg', input.skmsg, attrs),
    node('meta', { status_setting: 'allowlist' }),
    ...trailer(input.distribution, input.deviceIdentity),
  ]);
}

export interface RetryResendInput {
  readonly id: string;
  /** The chat of the original message (a user or a group). */
  readonly chat: string;
  /** The device that asked. */
  readonly device: string;
  readonly type: string;
  readonly enc: { readonly type: 'pkmsg' | 'msg'; readonly ciphertext: Uint8Array };
  /** The retry count from the receipt (echoed on the enc). */
  readonly count: number;
  /** Set when the asking device is one of ours (our copy of a 1:1 message to `chat`). */
  readonly ownDevice?: boolean | undefined;
  readonly deviceIdentity?: Uint8Array | undefined;
  readonly attrs?: MessageAttrs;
}

/** The resend to exactly one device: no participants. */
export function buildRetryResend(input: RetryResendInput): BinaryNode {
  const attrs = input.attrs ?? {};
  const top: Record<string, string> = isGroup(input.chat)
    ? { ...topAttrs(input.id, input.chat, input.type, attrs), participant: input.device }
    : input.ownDevice
      ? { ...topAttrs(input.id, input.device, input.type, attrs), recipient: input.chat }
      : { ...topAttrs(input.id, input.device, input.type, attrs), device_fanout: 'false' };
  const enc = encNode(input.enc.type, input.enc.ciphertext, attrs, { count: String(input.count) });
  return node('message', top, [enc, ...trailer([input.enc], input.deviceIdentity)]);
}

/** The `<device-identity>` bytes a stanza carries, if any. */
export function deviceIdentityOf(stanza: BinaryNode): Uint8Array | undefined {
  return bytesOf(child(stanza, 'device-identity'));
}
