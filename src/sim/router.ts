/**
 * Who gets what: the server side of `<message>` and `<receipt>` stanzas.
 * The server never decrypts; it fans the sender's per-device `<enc>` nodes
 * out to the named devices (1:1 and the sender's own other devices), the
 * group's skmsg to every member device, a status to every device of the
 * users its sender named (status@broadcast), and receipts back to every
 * device of the original sender. Returns the `<ack>` for the sending device:
 * error 403 for a group the sender is not in, or an announcement group (only
 * admins post) when the sender is no admin (reactions still go), or an
 * admin's delete of another member's message (edit 8) by one who is no admin. The
 * phone's stanzas (device 0) go through the same functions.
 *
 * Addressing: clients may name devices by PN or by LID (Baileys 7 keeps
 * Signal sessions under LIDs); the server maps both to the device. How a
 * delivered stanza names people follows the chat (addressing.ts): a 1:1
 * message sent to a PN arrives `from` the sender's PN device with
 * `sender_lid`, one sent to a LID `from` its LID device with `sender_pn`;
 * own-device copies name `recipient` = the peer in the same form with the
 * peer's other identity (`peer_recipient_lid` / `peer_recipient_pn`); a PN
 * group's messages name `participant` = the PN device with
 * `participant_lid`, a LID group's the LID device with `participant_pn`.
 * Receipts arrive `from` the receipt sender's user jid in the chat's form
 * (its device jid for retry receipts, which the original sender answers per
 * device).
 */
import { STATUS_BROADCAST_JID } from '../protocol/jid/index.js';
import { directAuthorAttrs, directMode, groupAuthorAttrs, ownCopyAttrs } from './addressing.js';
import type { Hub } from './hub.js';
import { routeNewsletter } from './newsletter-router.js';
import { bytesOf, child, children, node, type BinaryNode } from './nodes.js';
import { parseDeviceJid, type UserRecord } from './state.js';

/** Attributes of the client's `<message>` that travel on to recipients. */
const FORWARDED_MESSAGE_ATTRS = ['type', 'edit', 'category', 'expiration', 'push_priority'] as const;

export function routeMessage(hub: Hub, senderJid: string, stanza: BinaryNode): BinaryNode {
  const id = stanza.attrs.id;
  const to = stanza.attrs.to;
  const ack = (error?: string, extra: Record<string, string> = {}): BinaryNode => {
    const attrs: Record<string, string> = { class: 'message', id: id ?? '', from: to ?? '', t: hub.nowSeconds(), ...extra };
    if (error) attrs.error = error;
    return node('ack', attrs);
  };
  const sender = hub.dir.userOf(senderJid);
  if (!id || !to || !sender) return ack('400');
  if (to.endsWith('@newsletter')) return routeNewsletter(hub, senderJid, stanza, ack);
  const base = baseAttrs(hub, stanza, sender);
  const identity = child(stanza, 'device-identity');

  if (to === STATUS_BROADCAST_JID) {
    routeStatus(hub, senderJid, sender, stanza, base, identity);
    hub.stats.messagesRouted++;
    return ack();
  }

  if (to.endsWith('@g.us')) {
    const group = hub.groups.get(to);
    if (!group || !group.participants.has(sender.jid)) return ack('403');
    const retryTarget = stanza.attrs.participant === undefined ? undefined : hub.dir.pnDevice(stanza.attrs.participant) ?? '';
    // Only admins post in an announcement group; members may still react. A retry
    // resend repeats what was already let through, so it is not judged again.
    if (group.settings?.announce && !hub.groups.isAdmin(group, sender.jid) && stanza.attrs.type !== 'reaction' && retryTarget === undefined) {
      hub.stats.announceRefusals++;
      return ack('403');
    }
    // Deleting someone else's message for everyone (edit 8) is an admin's right only.
    if (stanza.attrs.edit === '8' && !hub.groups.isAdmin(group, sender.jid) && retryTarget === undefined) {
      hub.stats.adminRevokeRefusals++;
      return ack('403');
    }
    const perDevice = encsByDevice(hub, stanza);
    const direct = children(stanza).filter((c) => c.tag === 'enc');
    for (const member of group.participants.keys()) {
      const user = hub.dir.userOf(member);
      if (!user) continue;
      for (const dev of hub.dir.deviceJids(user)) {
        if (dev === senderJid) continue;
        if (retryTarget !== undefined && dev !== retryTarget) continue;
        const encs = [...(perDevice.get(dev) ?? []), ...direct];
        if (encs.length === 0) continue;
        const attrs = { ...base, from: group.jid, ...groupAuthorAttrs(hub.dir, group.addressingMode, sender, senderJid, user) };
        hub.deliver(dev, node('message', attrs, withIdentity(encs, identity)));
      }
    }
    hub.stats.messagesRouted++;
    return ack();
  }

  const peer = hub.dir.userOf(to);
  if (!peer) return ack('404');
  // A user who blocked the sender gets none of its 1:1 messages; the sender is acked as usual
  // (one tick, as on WhatsApp) and its own devices still get their copies. Groups are not filtered.
  const participants = child(stanza, 'participants');
  // A sender that needs privacy tokens starts no 1:1 chat without the recipient's
  // token: fan-outs to someone else only; retry resends and peer messages never carry one.
  if (participants && peer !== sender && stanza.attrs.category !== 'peer' && hub.tcTokens.required(sender)) {
    if (!hub.tcTokens.valid(bytesOf(child(stanza, 'tctoken')), peer, sender, Number(hub.nowSeconds()))) {
      hub.stats.tcTokenRefusals++;
      return ack('463');
    }
    hub.stats.tcTokensAccepted++;
  }
  const blocked = isBlocked(hub, peer, sender);
  hub.peers.met(sender.jid, peer.jid);
  const mode = directMode(to);
  if (participants) {
    for (const target of children(participants)) {
      const dev = target.attrs.jid;
      if (target.tag !== 'to' || !dev || dev === senderJid) continue;
      const owner = hub.dir.userOf(dev);
      const pnDev = hub.dir.pnDevice(dev);
      if (!owner || !pnDev || pnDev === senderJid || (owner !== peer && owner !== sender)) continue;
      if (blocked && owner === peer && peer !== sender) continue;
      const own = owner === sender && peer !== sender;
      const attrs = { ...base, ...(own ? ownCopyAttrs(hub.dir, mode, senderJid, peer, sender) : directAuthorAttrs(hub.dir, mode, sender, senderJid, owner)) };
      const encs = children(target).filter((c) => c.tag === 'enc');
      if (encs.length > 0) hub.deliver(pnDev, node('message', attrs, withIdentity(encs, identity)));
    }
  } else {
    // Retry resends and peer messages: one device, named by `to` (a bare user jid is its phone).
    const encs = children(stanza).filter((c) => c.tag === 'enc');
    const pnDev = hub.dir.pnDevice(to);
    if (encs.length > 0 && pnDev && pnDev !== senderJid && !(blocked && peer !== sender)) {
      hub.deliver(pnDev, node('message', { ...base, ...directAuthorAttrs(hub.dir, mode, sender, senderJid, peer) }, withIdentity(encs, identity)));
    }
  }
  hub.stats.messagesRouted++;
  return ack();
}

export function routeReceipt(hub: Hub, senderJid: string, stanza: BinaryNode): BinaryNode {
  const id = stanza.attrs.id;
  const to = stanza.attrs.to;
  const attrsAck: Record<string, string> = { class: 'receipt', id: id ?? '', from: to ?? '' };
  if (stanza.attrs.type) attrsAck.type = stanza.attrs.type;
  const ack = node('ack', attrsAck);
  const sender = hub.dir.userOf(senderJid);
  if (!id || !to || !sender) return ack;
  const type = stanza.attrs.type;
  const attrs: Record<string, string> = { id, t: stanza.attrs.t ?? hub.nowSeconds() };
  // "inactive" is a delivery by a device whose user is not in the foreground; the
  // original sender is told it was delivered, exactly as by a typeless receipt.
  if (type && type !== 'inactive') attrs.type = type;
  // A retry is answered per device, so its sender must be named exactly.
  const from = type === 'retry' ? senderJid : sender.jid;
  let target: UserRecord | undefined;
  let onlyDevice: string | undefined;
  if (to.endsWith('@g.us') || to === STATUS_BROADCAST_JID) {
    const participant = stanza.attrs.participant;
    if (!participant) return ack;
    target = hub.dir.userOf(participant);
    attrs.from = to;
    // A LID group names the receipt's sender by its LID, as it names message authors; statuses are LID-addressed.
    attrs.participant = to === STATUS_BROADCAST_JID || hub.groups.get(to)?.addressingMode === 'lid' ? lidForm(hub, from, sender) : from;
    if (type === 'retry') onlyDevice = hub.dir.pnDevice(participant) ?? '';
  } else {
    target = hub.dir.userOf(to);
    attrs.from = directMode(to) === 'lid' ? lidForm(hub, from, sender) : from;
    if (stanza.attrs.recipient) attrs.recipient = stanza.attrs.recipient;
    if (type === 'retry' || (stanza.attrs.recipient && parseDeviceJid(to)?.device)) onlyDevice = hub.dir.pnDevice(to) ?? '';
  }
  if (!target) return ack;
  const content = children(stanza);
  for (const dev of hub.dir.deviceJids(target)) {
    if (dev === senderJid) continue;
    if (onlyDevice !== undefined && dev !== onlyDevice) continue;
    hub.deliver(dev, node('receipt', { ...attrs }, content.length > 0 ? content : undefined));
  }
  hub.stats.receiptsRouted++;
  return ack;
}

/**
 * A status post: the skmsg (and each device's sender key, when it has one
 * in `<participants>`) to every device of the users `<participants>` names,
 * bare or by device, and to no one else; a user who blocked the poster is
 * left out. Delivered LID-addressed (as WhatsApp addresses statuses) unless
 * the poster said `addressing_mode="pn"`.
 */
function routeStatus(hub: Hub, senderJid: string, sender: UserRecord, stanza: BinaryNode, base: Record<string, string>, identity: BinaryNode | undefined): void {
  const perDevice = encsByDevice(hub, stanza);
  const skmsg = children(stanza).filter((c) => c.tag === 'enc');
  const mode = stanza.attrs.addressing_mode === 'pn' ? 'pn' : 'lid';
  const audience = new Set<UserRecord>();
  for (const target of children(child(stanza, 'participants'))) {
    const user = target.tag === 'to' && target.attrs.jid ? hub.dir.userOf(target.attrs.jid) : undefined;
    if (user && (user === sender || !isBlocked(hub, user, sender))) audience.add(user);
  }
  for (const user of audience) {
    for (const dev of hub.dir.deviceJids(user)) {
      if (dev === senderJid) continue;
      const encs = [...(perDevice.get(dev) ?? []), ...skmsg];
      const attrs = { ...base, from: STATUS_BROADCAST_JID, ...groupAuthorAttrs(hub.dir, mode, sender, senderJid, user) };
      hub.deliver(dev, node('message', attrs, withIdentity(encs, identity)));
    }
  }
}

/** `jid` (a PN user or device jid of `user`) in LID form. */
function lidForm(hub: Hub, jid: string, user: UserRecord): string {
  return jid === user.jid ? user.lid : hub.dir.lidDevice(jid) ?? user.lid;
}

/** Whether `user` has `other` on its blocklist (by phone number or LID jid; iq/blocklist.ts). */
function isBlocked(hub: Hub, user: UserRecord, other: UserRecord): boolean {
  const list = hub.blocklists.get(user.jid);
  return !!list && (list.has(other.jid) || list.has(other.lid));
}

function baseAttrs(hub: Hub, stanza: BinaryNode, sender: UserRecord): Record<string, string> {
  const attrs: Record<string, string> = { id: stanza.attrs.id!, t: hub.nowSeconds() };
  // A peer message (key shares and requests between one's own devices) is no chat message: no display name on it.
  // A companion learns its own push name from app state, or from its phone's chat messages.
  if (stanza.attrs.category !== 'peer') attrs.notify = sender.name;
  for (const a of FORWARDED_MESSAGE_ATTRS) {
    const v = stanza.attrs[a];
    if (v !== undefined) attrs[a] = v;
  }
  if (attrs.type === undefined) attrs.type = 'text';
  return attrs;
}

function encsByDevice(hub: Hub, stanza: BinaryNode): Map<string, BinaryNode[]> {
  const map = new Map<string, BinaryNode[]>();
  for (const target of children(child(stanza, 'participants'))) {
    const dev = target.tag === 'to' && target.attrs.jid ? hub.dir.pnDevice(target.attrs.jid) : undefined;
    const encs = children(target).filter((c) => c.tag === 'enc');
    // A bare `<to jid=user/>` (a status's audience) names a user, not its phone: it carries nothing to deliver.
    if (dev && encs.length > 0) map.set(dev, encs);
  }
  return map;
}

/** The device-identity travels with pkmsg copies only (it proves the new session's sender). */
function withIdentity(encs: BinaryNode[], identity: BinaryNode | undefined): BinaryNode[] {
  return identity && encs.some((e) => e.attrs.type === 'pkmsg') ? [...encs, identity] : encs;
}
