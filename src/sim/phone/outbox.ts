/**
 * Sending from the phone: the 1:1 fan-out to every device of the recipient and
 * to the phone's own companions (as deviceSentMessage), the group send (SKDM
 * to devices that lack our sender key, then one skmsg), and resending one
 * message to one device after its retry receipt. Keeps a bounded cache of
 * what it sent so retries can be answered, and the receipts that came back.
 */
import type { proto } from '../../protocol/proto/index.js';
import { isGroup, isLid, isPn, isSameUser, toUserJid } from '../../protocol/jid/index.js';
import type { SimNode } from '../phone-host.js';
import { deviceSentMessage, encodePadded, senderKeyDistributionMessage, textMessage } from './content.js';
import type { PhoneCore } from './core.js';
import { PhoneError } from './errors.js';
import { buildRetryMessage, retryReceiptBundle } from './retry.js';
import { editAttribute, mediaType, stanzaType, unwrap } from '../../protocol/message/index.js';
import { buildFanoutMessage, deviceJid, encNode, newMessageId, parseReceipt, type DeviceEnc, type IncomingReceipt, type MessageAttrs } from './stanzas.js';

const SENT_CACHE = 1000;
/** Baileys gives up after 5 retries; so does the phone. */
const MAX_RETRY_COUNT = 5;

interface SentMessage {
  /** The chat: a user jid or a group jid. */
  to: string;
  message: proto.IMessage;
  /** Receipt types per device jid ('' = delivered). */
  receipts: Map<string, Set<string>>;
  /** A protocol message to one of the phone's own companions: resent as it is, never as a copy. */
  peer?: boolean;
}

/** What the stanza says about the message, as WhatsApp Web sets it (a revoke of someone else's message is an admin's). */
function attrsOf(message: proto.IMessage): MessageAttrs {
  const ownRevoke = unwrap(message).message.protocolMessage?.key?.fromMe !== false;
  const edit = editAttribute(message, ownRevoke);
  const mediatype = mediaType(message);
  return { type: stanzaType(message), ...(edit ? { edit } : {}), ...(mediatype ? { mediatype } : {}) };
}

export class Outbox {
  readonly #core: PhoneCore;
  readonly #sent = new Map<string, SentMessage>();

  constructor(core: PhoneCore) {
    this.#core = core;
  }

  /**
   * @throws PhoneError BAD_RECIPIENT (not a user or group jid), NO_DEVICES
   *   (no device of the recipient could be reached), SERVER_REJECTED (nack)
   */
  sendText(to: string, text: string): { id: string } {
    return this.send(to, textMessage(text));
  }

  /** Sends any Message (same errors as sendText). */
  send(to: string, message: proto.IMessage): { id: string } {
    const { host } = this.#core;
    const id = newMessageId(host.userJid, host.now());
    let stanza: SimNode;
    let chat: string;
    if (isGroup(to)) {
      chat = to;
      stanza = this.#groupStanza(id, to, message);
    } else {
      const user = toUserJid(to);
      if (!user || !(isPn(user) || isLid(user))) throw new PhoneError('BAD_RECIPIENT', `cannot send to ${JSON.stringify(to)}`);
      chat = user;
      stanza = this.#directStanza(id, user, message);
    }
    this.#remember(id, { to: chat, message, receipts: new Map() });
    const ack = host.deliverFromPhone(stanza);
    if (ack?.attrs.error) throw new PhoneError('SERVER_REJECTED', `server refused message ${id} with error ${ack.attrs.error}`);
    return { id };
  }

  /**
   * A protocol message (a key share, …) to one of the phone's own companions:
   * one device, category "peer", no copies to anyone.
   * @throws PhoneError NO_DEVICES when the companion cannot be reached, SERVER_REJECTED
   */
  sendPeer(device: string, message: proto.IMessage): { id: string } {
    const { host } = this.#core;
    const id = newMessageId(host.userJid, host.now());
    const enc = this.#encryptFor(device, message);
    if (!enc) throw new PhoneError('NO_DEVICES', `companion ${device} cannot be reached`);
    this.#remember(id, { to: device, message, receipts: new Map(), peer: true });
    const stanza: SimNode = {
      tag: 'message',
      attrs: { id, to: device, type: 'protocol', category: 'peer', push_priority: 'high_force' },
      content: [encNode(enc.type, enc.ciphertext)],
    };
    const ack = host.deliverFromPhone(stanza);
    if (ack?.attrs.error) throw new PhoneError('SERVER_REJECTED', `server refused message ${id} with error ${ack.attrs.error}`);
    return { id };
  }

  /** Receipt types seen per device for a message the phone sent ('' is a plain delivery receipt). */
  receiptsFor(id: string): Record<string, string[]> {
    const sent = this.#sent.get(id);
    return sent ? Object.fromEntries([...sent.receipts].map(([d, types]) => [d, [...types]])) : {};
  }

  /** Handles a <receipt> for something the phone sent; resends on type="retry". Never throws. */
  onReceipt(node: SimNode): void {
    const r = parseReceipt(node);
    if (!r) return;
    const device = deviceJid((isGroup(r.from) ? r.participant : undefined) ?? r.from);
    if (!device) return;
    for (const id of [r.id, ...r.moreIds]) {
      const sent = this.#sent.get(id);
      if (!sent) continue;
      const types = sent.receipts.get(device) ?? new Set<string>();
      types.add(r.type ?? '');
      sent.receipts.set(device, types);
    }
    if (r.type === 'retry') this.#resend(node, r, device);
  }

  #remember(id: string, sent: SentMessage): void {
    this.#sent.set(id, sent);
    if (this.#sent.size > SENT_CACHE) this.#sent.delete(this.#sent.keys().next().value as string);
  }

  /** Devices of these users, canonical, without device 0 of the phone itself, no duplicates. */
  #devicesOf(users: string[]): string[] {
    const out = new Set<string>();
    for (const user of users) {
      for (const d of this.#core.host.devicesOf(user)) {
        const jid = deviceJid(d);
        if (jid && jid !== this.#core.self) out.add(jid);
      }
    }
    return [...out];
  }

  /** Encrypts for one device, fetching its bundle first when there is no session; undefined when unreachable. */
  #encryptFor(device: string, message: proto.IMessage): DeviceEnc | undefined {
    const { book, host, local } = this.#core;
    if (!book.hasSession(device)) {
      const bundle = host.takePreKeyBundle(device);
      if (!bundle) return undefined;
      book.startSession(device, local, bundle);
    }
    const { type, ciphertext } = book.encrypt(device, local, encodePadded(message));
    return { jid: device, type, ciphertext };
  }

  #directStanza(id: string, user: string, message: proto.IMessage): SimNode {
    const { self } = this.#core;
    const toSelf = isSameUser(user, self);
    const peerDevices = toSelf ? [] : this.#devicesOf([user]);
    const ownDevices = this.#devicesOf([self]);
    const copy = deviceSentMessage(user, message);
    const encs: DeviceEnc[] = [];
    let reachedPeer = toSelf;
    for (const d of peerDevices) {
      const e = this.#encryptFor(d, message);
      if (!e) continue;
      encs.push(e);
      reachedPeer = true;
    }
    if (!reachedPeer) throw new PhoneError('NO_DEVICES', `no device of ${user} can be reached`);
    for (const d of ownDevices) {
      const e = this.#encryptFor(d, copy);
      if (e) encs.push(e);
    }
    return buildFanoutMessage({ id, to: user, encs, attrs: attrsOf(message) });
  }

  #groupStanza(id: string, group: string, message: proto.IMessage): SimNode {
    const { book, host, self } = this.#core;
    const participants = host.groupParticipants(group);
    if (!participants) throw new PhoneError('BAD_RECIPIENT', `${group} is not a group of ${host.userJid}`);
    const devices = this.#devicesOf(participants);
    const { distribution, missing } = book.ourDistribution(group, self, devices);
    const skdm = senderKeyDistributionMessage(group, distribution);
    const encs: DeviceEnc[] = [];
    for (const d of missing) {
      const e = this.#encryptFor(d, skdm);
      if (e) encs.push(e);
    }
    book.markDistributed(group, encs.map((e) => e.jid));
    const skmsg = book.groupEncrypt(group, self, encodePadded(message));
    return buildFanoutMessage({ id, to: group, encs, skmsg, group: true, attrs: attrsOf(message) });
  }

  /** Re-encrypts a sent message for the device that could not decrypt it, on a fresh session. */
  #resend(node: SimNode, r: IncomingReceipt, device: string): void {
    const { book, host, local, self } = this.#core;
    const sent = this.#sent.get(r.id);
    const count = r.retry?.count ?? 1;
    if (!sent || count > MAX_RETRY_COUNT) return;
    const bundle = retryReceiptBundle(node) ?? host.takePreKeyBundle(device);
    if (!bundle) return;
    book.startSession(device, local, bundle);
    const group = isGroup(sent.to) ? sent.to : undefined;
    let message: proto.IMessage;
    if (group) {
      message = { ...sent.message, ...senderKeyDistributionMessage(group, book.ourDistribution(group, self, []).distribution) };
      book.markDistributed(group, [device]);
    } else {
      message = isSameUser(device, self) && !sent.peer ? deviceSentMessage(sent.to, sent.message) : sent.message;
    }
    const { type, ciphertext } = book.encrypt(device, local, encodePadded(message));
    const resend = buildRetryMessage({ id: r.id, device, ...(group ? { group } : {}), enc: { jid: device, type, ciphertext }, count });
    if (sent.peer) resend.attrs.category = 'peer';
    host.deliverFromPhone(resend);
  }
}
