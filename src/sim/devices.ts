/**
 * Device-list change notifications: when a companion is linked or unlinked,
 * `<notification type="devices" from=<user>><add|remove><device jid/></…>`
 * goes to the user's other companions and to the companions of everyone who
 * may have its device list cached — its chat peers and group co-members —
 * so that they refresh it (Baileys caches device lists for 5 minutes).
 * Peers are remembered per user from routed messages, bounded.
 */
import { randomBytes } from 'node:crypto';
import type { Hub } from './hub.js';
import { node } from './nodes.js';
import { parseDeviceJid, type UserRecord } from './state.js';

const MAX_PEERS_PER_USER = 1_024;

export class PeerBook {
  readonly #peers = new Map<string, Set<string>>();

  /** Two users exchanged a message: each may cache the other's devices. */
  met(a: string, b: string): void {
    if (a === b) return;
    this.#add(a, b);
    this.#add(b, a);
  }

  of(user: string): string[] {
    return [...(this.#peers.get(user) ?? [])];
  }

  #add(a: string, b: string): void {
    const set = this.#peers.get(a) ?? new Set<string>();
    if (set.size < MAX_PEERS_PER_USER || set.has(b)) set.add(b);
    this.#peers.set(a, set);
  }
}

export function notifyDeviceChange(hub: Hub, user: UserRecord, change: 'add' | 'remove', deviceJid: string, keyIndex: number): void {
  const audience = new Set<string>([user.jid, ...hub.peers.of(user.jid)]);
  for (const g of hub.groups.ofUser(user.jid)) for (const m of g.participants.keys()) audience.add(m);
  const id = randomBytes(8).toString('hex');
  const deviceAttrs: Record<string, string> = { jid: deviceJid };
  if (change === 'add') deviceAttrs['key-index'] = String(keyIndex);
  for (const member of audience) {
    const u = hub.dir.userOf(member);
    if (!u) continue;
    for (const dev of hub.dir.deviceJids(u)) {
      // Phones look device lists up at every send; the changed device itself needs no news.
      if (dev === deviceJid || parseDeviceJid(dev)?.device === 0) continue;
      hub.deliver(dev, node('notification', { from: user.jid, type: 'devices', id, t: hub.nowSeconds() }, [node(change, {}, [node('device', deviceAttrs)])]));
    }
  }
}
