/**
 * Each user's privacy settings (who sees last seen, online, picture, about,
 * who may add them to groups, call or message them, read receipts, stickers,
 * the strict protection mode `defense`), as the `privacy`
 * IQ reads and sets them, and the one question the other handlers ask:
 * does this setting hide `owner`'s data from `asker`? "contacts" is taken as
 * the people the owner has chatted with (the simulator has no address books);
 * a user the owner blocked sees nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Hub } from './hub.js';
import { node, type BinaryNode } from './nodes.js';
import { parseDeviceJid, type UserRecord } from './state.js';

/** Every category WhatsApp's privacy IQ answers, with its default. */
export const PRIVACY_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  readreceipts: 'all',
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'all',
  groupadd: 'all',
  calladd: 'all',
  messages: 'all',
  stickers: 'all',
  defense: 'off',
});

/** The values each category accepts. */
export const PRIVACY_VALUES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  readreceipts: ['all', 'none'],
  last: ['all', 'contacts', 'contact_blacklist', 'none'],
  online: ['all', 'match_last_seen'],
  profile: ['all', 'contacts', 'contact_blacklist', 'none'],
  status: ['all', 'contacts', 'contact_blacklist', 'none'],
  groupadd: ['all', 'contacts', 'contact_blacklist'],
  calladd: ['all', 'known'],
  messages: ['all', 'contacts'],
  stickers: ['all', 'contacts', 'none'],
  defense: ['off', 'on_standard'],
});

export class PrivacyBook {
  readonly #settings = new Map<string, Map<string, string>>();

  get(userJid: string): Record<string, string> {
    return { ...PRIVACY_DEFAULTS, ...Object.fromEntries(this.#settings.get(userJid) ?? []) };
  }

  value(userJid: string, category: string): string {
    return this.#settings.get(userJid)?.get(category) ?? PRIVACY_DEFAULTS[category] ?? 'all';
  }

  /** @returns false for an unknown category or value (nothing changes) */
  set(userJid: string, category: string, value: string): boolean {
    if (!PRIVACY_VALUES[category]?.includes(value)) return false;
    const m = this.#settings.get(userJid) ?? new Map<string, string>();
    m.set(category, value);
    this.#settings.set(userJid, m);
    return true;
  }
}

export function isBlockedBy(hub: Hub, owner: UserRecord, other: UserRecord): boolean {
  const list = hub.blocklists.get(owner.jid);
  return list !== undefined && (list.has(other.jid) || list.has(other.lid));
}

export function privacyHides(hub: Hub, owner: UserRecord, category: string, asker: UserRecord): boolean {
  if (owner === asker) return false;
  if (isBlockedBy(hub, owner, asker)) return true;
  const value = hub.privacy.value(owner.jid, category);
  if (value === 'none') return true;
  if (value === 'contacts' || value === 'contact_blacklist') return !hub.peers.of(owner.jid).includes(asker.jid);
  return false;
}

/**
 * Tells `user`'s companions (not its phone, not the device that made the
 * change) that an account setting changed: `<notification type="account_sync">`
 * with `change` (`<privacy>…` or `<blocklist>…`), as WhatsApp keeps every
 * device of an account in step.
 */
export function notifyAccountSync(hub: Hub, user: UserRecord, change: BinaryNode, exceptDevice?: string): void {
  const notification = node('notification', { from: user.jid, type: 'account_sync', id: randomBytes(8).toString('hex'), t: hub.nowSeconds() }, [change]);
  for (const dev of hub.dir.deviceJids(user)) if (dev !== exceptDevice && parseDeviceJid(dev)?.device !== 0) hub.deliver(dev, notification);
}
