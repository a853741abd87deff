/**
 * WadClient's people verbs (contact lookups, profile, privacy, blocking,
 * presence subscriptions), one method per control request. A layer between
 * ClientCore and WadClient so each verb family keeps its own file; the
 * request shapes of profile, privacy, blocking and presence are
 * people-verbs.ts's, shared with the CLI's HTTP link.
 */
import type { ContactCheckResult, ContactInfoResult, PictureResult, PrivacySetting, PrivacySettings } from '../contract/people.js';
import { ClientCore } from './core.js';
import { peopleVerbs } from './people-verbs.js';

export class PeopleVerbs extends ClientCore {
  readonly #people = peopleVerbs(this);

  /** Whether each number is on WhatsApp (one result per distinct number, in order; answers are cached by the daemon). */
  async checkContacts(account: string, phones: string[]): Promise<ContactCheckResult[]> {
    return this.#people.checkContacts(account, phones);
  }

  /** What a user shows: about with its time, picture id, devices, LID, business profile. @throws WadClientError NOT_FOUND (not on WhatsApp) */
  async contactInfo(account: string, jid: string): Promise<ContactInfoResult> {
    return this.#people.contactInfo(account, jid);
  }

  /** A user's or group's picture URL (preview: the small one). @throws WadClientError NOT_FOUND (none, or hidden from us) */
  async contactPicture(account: string, jid: string, opts: { preview?: boolean } = {}): Promise<PictureResult> {
    return this.#people.contactPicture(account, jid, opts);
  }

  /** Our push name and/or about. @throws WadClientError INVALID_PAYLOAD (empty name, too long) */
  async setProfile(account: string, change: { name?: string; about?: string }): Promise<void> {
    return this.#people.setProfile(account, change);
  }

  /**
   * Our picture (or with `group` a group's we administer) from a local file
   * or bytes, uploaded in binary frames; the daemon crops the centre square
   * and makes it a 640x640 JPEG. @returns the new picture id
   * @throws WadClientError INVALID_PAYLOAD (not an image), UNAVAILABLE with details.serverCode 401 (not a group admin)
   */
  async setProfilePicture(account: string, image: string | Uint8Array, opts: { group?: string } = {}): Promise<string | undefined> {
    const upload = await this.upload(typeof image === 'string' ? { path: image } : image, { type: 'image', conversationId: opts.group ?? '', mimeType: 'image/jpeg' });
    return this.#people.setProfilePicture(account, { upload }, opts);
  }

  async removeProfilePicture(account: string, opts: { group?: string } = {}): Promise<void> {
    return this.#people.removeProfilePicture(account, opts);
  }

  /** Our privacy settings as WhatsApp holds them (lastSeen, online, profile, about, groupAdd, readReceipts, calls, messages, stickers, defense). */
  async getPrivacy(account: string): Promise<PrivacySettings> {
    return this.#people.getPrivacy(account);
  }

  /** @throws WadClientError INVALID_PAYLOAD (a value the setting does not take) */
  async setPrivacy(account: string, setting: PrivacySetting, value: string): Promise<void> {
    return this.#people.setPrivacy(account, setting, value);
  }

  /** The users we blocked (phone-number jids where known). */
  async blocklist(account: string): Promise<string[]> {
    return this.#people.blocklist(account);
  }

  /** Blocks a user: their messages no longer reach us, and they no longer see our presence, picture or about. */
  async block(account: string, jid: string): Promise<void> {
    return this.#people.block(account, jid);
  }

  async unblock(account: string, jid: string): Promise<void> {
    return this.#people.unblock(account, jid);
  }

  /** Follows a contact's presence: `presence:update` events (with last seen where shared) follow, renewed after reconnects. */
  async subscribePresence(account: string, jid: string): Promise<void> {
    return this.#people.subscribePresence(account, jid);
  }
}
