/**
 * The people side of one account: `new People(deps)` holds the operations
 * about other users and our own profile that the daemon API needs, one
 * method each, and the stanza handlers for what WhatsApp tells us about them.
 * The parts live in files of their own (contacts.ts: lookups; profile.ts:
 * our own profile; privacy.ts: privacy settings and blocklist;
 * notifications.ts: what WhatsApp tells us about people, as events).
 * Presence subscriptions are messaging's (they share its reconnect renewal).
 */
import type { StanzaHandler } from '../ports.js';
import { ContactLookups, type ContactCheckResult, type ContactInfo } from './contacts.js';
import type { PeopleDeps } from './deps.js';
import type { ProfilePicture } from '../../protocol/iq/profile.js';
import { ProfileEditor, type PictureSource } from './profile.js';
import { PeopleNotifications } from './notifications.js';
import { PrivacyControls } from './privacy.js';
import type { PrivacySetting, PrivacySettings } from '../../contract/people.js';

export type { ContactCheckResult, ContactInfo } from './contacts.js';
export type { PeopleDeps } from './deps.js';

export class People {
  readonly handlers: readonly StanzaHandler[];
  readonly #contacts: ContactLookups;
  readonly #profile: ProfileEditor;
  readonly #privacy: PrivacyControls;

  constructor(deps: PeopleDeps) {
    this.#contacts = new ContactLookups(deps);
    this.#profile = new ProfileEditor(deps);
    this.#privacy = new PrivacyControls(deps);
    this.handlers = [new PeopleNotifications(deps)];
  }

  checkContacts(phones: readonly string[]): Promise<ContactCheckResult[]> {
    return this.#contacts.check(phones);
  }

  contactInfo(jid: string): Promise<ContactInfo> {
    return this.#contacts.info(jid);
  }

  contactPicture(jid: string, preview: boolean): Promise<ProfilePicture> {
    return this.#contacts.picture(jid, preview);
  }

  setProfile(change: { name?: string | undefined; about?: string | undefined }): Promise<void> {
    return this.#profile.set(change);
  }

  /** Our picture, or a group's (`group`); no image removes it. */
  async setPicture(image: PictureSource | undefined, group?: string): Promise<{ id?: string }> {
    if (image === undefined) {
      await this.#profile.removePicture(group);
      return {};
    }
    const { id } = await this.#profile.setPicture(image, group);
    return id !== undefined ? { id } : {};
  }

  getPrivacy(): Promise<PrivacySettings> {
    return this.#privacy.get();
  }

  setPrivacy(setting: PrivacySetting, value: string): Promise<void> {
    return this.#privacy.set(setting, value);
  }

  blocklist(): Promise<string[]> {
    return this.#privacy.blocklist();
  }

  updateBlock(jid: string, action: 'block' | 'unblock'): Promise<void> {
    return this.#privacy.update(jid, action);
  }
}
