/**
 * What each user shows to others: the about text with the time it was set,
 * the profile picture (a JPEG kept on the media host, full and preview), and
 * a business profile for business accounts. In memory, bounded per field;
 * users without an entry show nothing (no about, no picture, not a business).
 *
 * Changes are told to the user's own companions and to everyone who may show
 * them (chat peers and group co-members), as WhatsApp sends `picture` and
 * `status` notifications, so their cached copies refresh.
 */
import { randomBytes } from 'node:crypto';
import type { Hub } from './hub.js';
import { node, type BinaryNode } from './nodes.js';
import { parseDeviceJid, type UserRecord } from './state.js';

/** Bytes of about text WhatsApp accepts (139 characters in the app; bytes bound the memory here). */
export const MAX_ABOUT_BYTES = 1_024;
/** A profile picture's JPEG; WhatsApp's are 640x640 at modest quality, far below this. */
export const MAX_PICTURE_BYTES = 2 * 1024 * 1024;

export interface SimPicture {
  readonly id: string;
  /** Direct paths on the media host. */
  readonly fullPath: string;
  readonly previewPath: string;
}

export interface SimBusiness {
  description?: string;
  category?: string;
  email?: string;
  website?: string;
  address?: string;
}

export interface SimProfile {
  about?: { text: string; t: number };
  picture?: SimPicture;
  business?: SimBusiness;
}

export class ProfileBook {
  /** user jid (PN) → profile */
  readonly #profiles = new Map<string, SimProfile>();
  #nextPictureId = Math.floor(Date.now() / 1000);

  of(userJid: string): SimProfile | undefined {
    return this.#profiles.get(userJid);
  }

  #entry(userJid: string): SimProfile {
    const p = this.#profiles.get(userJid) ?? {};
    this.#profiles.set(userJid, p);
    return p;
  }

  setAbout(userJid: string, text: string, t: number): void {
    this.#entry(userJid).about = { text, t };
  }

  /** Keeps the JPEG on the media host; undefined when the simulator has no media host. */
  setPicture(hub: Hub, userJid: string, jpeg: Uint8Array): SimPicture | undefined {
    if (!hub.blobs) return undefined;
    // The preview is the same JPEG under its own path: the simulator does not scale images.
    const picture = { id: String(this.#nextPictureId++), fullPath: hub.blobs.putBlob('image', jpeg), previewPath: hub.blobs.putBlob('image', jpeg) };
    this.#entry(userJid).picture = picture;
    return picture;
  }

  removePicture(userJid: string): boolean {
    const p = this.#profiles.get(userJid);
    if (!p?.picture) return false;
    delete p.picture;
    return true;
  }

  setBusiness(userJid: string, business: SimBusiness | undefined): void {
    if (business) this.#entry(userJid).business = business;
    else delete this.#entry(userJid).business;
  }
}

/** Who may show `user`'s profile: its own companions, chat peers and group co-members. */
export function profileAudience(hub: Hub, user: UserRecord): string[] {
  const audience = new Set<string>([user.jid, ...hub.peers.of(user.jid)]);
  for (const g of hub.groups.ofUser(user.jid)) for (const m of g.participants.keys()) audience.add(m);
  const out: string[] = [];
  for (const member of audience) {
    const u = hub.dir.userOf(member);
    if (!u) continue;
    for (const dev of hub.dir.deviceJids(u)) if (parseDeviceJid(dev)?.device !== 0) out.push(dev);
  }
  return out;
}

/**
 * `<notification type="picture" from=user><set|delete jid id?/></notification>`
 * or `<notification type="status" from=user><set>about</set></notification>`
 * to the audience, except the device that made the change.
 */
export function notifyProfileChange(hub: Hub, user: UserRecord, change: BinaryNode, type: 'picture' | 'status', exceptDevice?: string): void {
  const id = randomBytes(8).toString('hex');
  for (const dev of profileAudience(hub, user)) {
    if (dev === exceptDevice) continue;
    hub.deliver(dev, node('notification', { from: user.jid, type, id, t: hub.nowSeconds() }, [change]));
  }
}

/**
 * A group's picture changed: `<notification type="picture" from=group><set
 * jid=group id author/>` (or `<delete jid author/>`) to every member device
 * but the one that changed it, as WhatsApp tells members.
 */
export function notifyGroupPicture(hub: Hub, groupJid: string, change: BinaryNode, exceptDevice: string): void {
  const group = hub.groups.get(groupJid);
  if (!group) return;
  const id = randomBytes(8).toString('hex');
  for (const member of group.participants.keys()) {
    const u = hub.dir.userOf(member);
    if (!u) continue;
    for (const dev of hub.dir.deviceJids(u)) {
      if (dev === exceptDevice || parseDeviceJid(dev)?.device === 0) continue;
      hub.deliver(dev, node('notification', { from: groupJid, type: 'picture', id, t: hub.nowSeconds() }, [change]));
    }
  }
}
