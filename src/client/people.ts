/**
 * WadClient's people verbs (contact lookups, profile, privacy, blocking,
 * presence subscriptions, calls, status), one method per control request.
 * A layer between ClientCore and WadClient so each verb family keeps its
 * own file.
 */
import type { ContactCheckResult, ContactInfoResult, PictureResult } from '../contract/people.js';
import { ClientCore } from './core.js';

export class PeopleVerbs extends ClientCore {
  /** Whether each number is on WhatsApp (one result per distinct number, in order; answers are cached by the daemon). */
  async checkContacts(account: string, phones: string[]): Promise<ContactCheckResult[]> {
    return (await this.request('contact:check', { phones }, { account })).results;
  }

  /** What a user shows: about with its time, picture id, devices, LID, business profile. @throws WadClientError NOT_FOUND (not on WhatsApp) */
  async contactInfo(account: string, jid: string): Promise<ContactInfoResult> {
    return this.request('contact:info', { jid }, { account });
  }

  /** A user's or group's picture URL (preview: the small one). @throws WadClientError NOT_FOUND (none, or hidden from us) */
  async contactPicture(account: string, jid: string, opts: { preview?: boolean } = {}): Promise<PictureResult> {
    return this.request('contact:picture', { jid, ...(opts.preview ? { preview: true } : {}) }, { account });
  }
}
