/**
 * The people side of one account: `new People(deps)` holds the operations
 * about other users and our own profile that the daemon API needs, one
 * method each, and the stanza handlers for what WhatsApp tells us about them.
 * The parts live in files of their own (contacts.ts: lookups).
 */
import type { StanzaHandler } from '../ports.js';
import { ContactLookups, type ContactCheckResult, type ContactInfo } from './contacts.js';
import type { PeopleDeps } from './deps.js';
import type { ProfilePicture } from '../../protocol/iq/profile.js';

export type { ContactCheckResult, ContactInfo } from './contacts.js';
export type { PeopleDeps } from './deps.js';

export class People {
  readonly handlers: readonly StanzaHandler[];
  readonly #contacts: ContactLookups;

  constructor(deps: PeopleDeps) {
    this.#contacts = new ContactLookups(deps);
    this.handlers = [];
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
}
