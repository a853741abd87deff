/**
 * Presence and chatstates. A device says `<presence type="available|unavailable"/>`;
 * a user is available while any of its devices says so. `<presence
 * type="subscribe" to=…/>` is answered with the target's current presence and
 * keeps the subscriber informed of changes while its socket lives, each
 * as the target's privacy lets the subscriber see it (presenceFor). A
 * `name` on a presence is the user's push name from then on (the `notify`
 * on its messages). `<chatstate to=…>` (typing) goes
 * to the peer's live devices only: it is never queued. Bounded: subscribers
 * per user and users tracked are capped.
 */
import type { Hub } from './hub.js';
import { children, node, type BinaryNode } from './nodes.js';
import { isBlockedBy, privacyHides } from './privacy-book.js';
import { parseDeviceJid } from './state.js';

const MAX_SUBSCRIBERS_PER_USER = 256;
/** Characters of push name kept (WhatsApp's app allows 25). */
const MAX_PUSH_NAME = 64;

export class PresenceBook {
  /** user jid → devices currently available */
  readonly #available = new Map<string, Set<string>>();
  /** user jid → unix seconds of the last time it went unavailable */
  readonly #lastSeen = new Map<string, string>();
  /** target user jid → subscribing device jids */
  readonly #subscribers = new Map<string, Set<string>>();

  set(userJid: string, deviceJid: string, available: boolean, nowSeconds: string): boolean {
    const set = this.#available.get(userJid) ?? new Set<string>();
    const before = set.size > 0;
    if (available) set.add(deviceJid);
    else set.delete(deviceJid);
    if (set.size > 0) this.#available.set(userJid, set);
    else this.#available.delete(userJid);
    if (before && set.size === 0) this.#lastSeen.set(userJid, nowSeconds);
    return before !== set.size > 0;
  }

  isAvailable(userJid: string): boolean {
    return (this.#available.get(userJid)?.size ?? 0) > 0;
  }

  lastSeen(userJid: string): string | undefined {
    return this.#lastSeen.get(userJid);
  }

  subscribe(target: string, subscriber: string): void {
    const set = this.#subscribers.get(target) ?? new Set<string>();
    if (set.size < MAX_SUBSCRIBERS_PER_USER) set.add(subscriber);
    this.#subscribers.set(target, set);
  }

  /** A device's subscriptions end with its socket, as on WhatsApp: it subscribes again after reconnecting. */
  unsubscribeDevice(subscriber: string): void {
    for (const [target, set] of this.#subscribers) {
      if (set.delete(subscriber) && set.size === 0) this.#subscribers.delete(target);
    }
  }

  subscribers(target: string): string[] {
    return [...(this.#subscribers.get(target) ?? [])];
  }
}

/**
 * `owner`'s presence as `asker` may see it, or undefined when it sees none
 * (owner blocked it). Last seen follows the owner's `last` privacy ("deny"
 * when hidden, as WhatsApp says it); being online follows `online`, and with
 * `match_last_seen` is hidden from whom last seen is hidden.
 */
export function presenceFor(hub: Hub, ownerJid: string, askerDevice: string): BinaryNode | undefined {
  const owner = hub.dir.userOf(ownerJid);
  const asker = hub.dir.userOf(askerDevice);
  if (!owner || !asker) return undefined;
  if (isBlockedBy(hub, owner, asker)) return undefined;
  const lastHidden = privacyHides(hub, owner, 'last', asker);
  const onlineHidden = hub.privacy.value(owner.jid, 'online') === 'match_last_seen' && lastHidden;
  const available = hub.presence.isAvailable(owner.jid) && !onlineHidden;
  const attrs: Record<string, string> = { from: owner.jid, type: available ? 'available' : 'unavailable' };
  const last = hub.presence.lastSeen(owner.jid);
  if (!available && last) attrs.last = lastHidden ? 'deny' : last;
  return node('presence', attrs);
}

/** Tells each subscriber of `userJid` its presence as that subscriber may see it. */
function tellSubscribers(hub: Hub, userJid: string): void {
  for (const sub of hub.presence.subscribers(userJid)) {
    const p = presenceFor(hub, userJid, sub);
    if (p) hub.deliver(sub, p, { live: true });
  }
}

export function handlePresence(hub: Hub, deviceJid: string, stanza: BinaryNode): void {
  const user = hub.dir.userOf(deviceJid);
  if (!user) return;
  const type = stanza.attrs.type;
  if (type === 'subscribe') {
    const target = stanza.attrs.to && hub.dir.userOf(stanza.attrs.to);
    if (!target) return;
    hub.presence.subscribe(target.jid, deviceJid);
    const p = presenceFor(hub, target.jid, deviceJid);
    if (p) hub.deliver(deviceJid, p, { live: true });
    return;
  }
  if (type !== 'available' && type !== 'unavailable' && type !== undefined) return;
  // The push name a client says with its presence is the one the server puts on its messages (`notify`).
  const name = stanza.attrs.name?.slice(0, MAX_PUSH_NAME);
  if (name && name !== user.name) {
    user.name = name;
    hub.onChange();
  }
  const changed = hub.presence.set(user.jid, deviceJid, type !== 'unavailable', hub.nowSeconds());
  if (changed) tellSubscribers(hub, user.jid);
}

/** Forgets a device's availability and its subscriptions when its socket goes away. */
export function deviceGone(hub: Hub, deviceJid: string): void {
  hub.presence.unsubscribeDevice(deviceJid);
  const user = hub.dir.userOf(deviceJid);
  if (!user) return;
  if (hub.presence.set(user.jid, deviceJid, false, hub.nowSeconds())) tellSubscribers(hub, user.jid);
}

export function handleChatstate(hub: Hub, deviceJid: string, stanza: BinaryNode): void {
  const user = hub.dir.userOf(deviceJid);
  const to = stanza.attrs.to;
  if (!user || !to) return;
  const state = children(stanza).slice(0, 1);
  if (to.endsWith('@g.us')) {
    const group = hub.groups.get(to);
    if (!group || !group.participants.has(user.jid)) return;
    for (const member of group.participants.keys()) {
      if (member === user.jid) continue;
      const m = hub.dir.userOf(member);
      if (!m) continue;
      for (const dev of hub.dir.deviceJids(m)) {
        if (parseDeviceJid(dev)?.device === 0) continue;
        hub.deliver(dev, node('chatstate', { from: group.jid, participant: user.jid }, state), { live: true });
      }
    }
    return;
  }
  const peer = hub.dir.userOf(to);
  if (!peer) return;
  for (const dev of hub.dir.deviceJids(peer)) {
    if (parseDeviceJid(dev)?.device === 0) continue;
    hub.deliver(dev, node('chatstate', { from: user.jid }, state), { live: true });
  }
}
