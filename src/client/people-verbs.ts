/**
 * The contact lookups, profile, privacy, blocking and presence verbs over anything that sends
 * control requests: WadClient on the socket and the CLI's HTTP link alike,
 * so `wad profile`, `wad privacy`, `wad block` and `wad presence` work over
 * either without a second copy of what each request carries and answers.
 */
import type { ContactCheckResult, ContactInfoResult, PictureResult, PrivacySetting, PrivacySettings, ProfilePictureData } from '../contract/people.js';
import type { Requester } from './requester.js';

/** Where a picture's bytes come from: base64 (any link), an upload number (the socket) or a daemon-side path (the Unix socket). */
export type PictureInput = Pick<ProfilePictureData, 'base64' | 'upload' | 'path'>;

export interface PeopleVerbs {
  /** Whether each number is on WhatsApp (one result per distinct number, in order). */
  checkContacts(account: string, phones: string[]): Promise<ContactCheckResult[]>;
  contactInfo(account: string, jid: string): Promise<ContactInfoResult>;
  contactPicture(account: string, jid: string, opts?: { preview?: boolean }): Promise<PictureResult>;
  /** Our push name and/or about. @throws WadClientError INVALID_PAYLOAD (empty or too long) */
  setProfile(account: string, change: { name?: string; about?: string }): Promise<void>;
  /** Our picture, or with `group` a group's we administer; the daemon crops and scales it. @returns the new picture id */
  setProfilePicture(account: string, image: PictureInput, opts?: { group?: string }): Promise<string | undefined>;
  removeProfilePicture(account: string, opts?: { group?: string }): Promise<void>;
  getPrivacy(account: string): Promise<PrivacySettings>;
  setPrivacy(account: string, setting: PrivacySetting, value: string): Promise<void>;
  /** The users we blocked. */
  blocklist(account: string): Promise<string[]>;
  block(account: string, jid: string): Promise<void>;
  unblock(account: string, jid: string): Promise<void>;
  /** Follows a contact's presence: `presence:update` events follow (the daemon renews it after reconnects). */
  subscribePresence(account: string, jid: string): Promise<void>;
}

export function peopleVerbs(link: Requester): PeopleVerbs {
  const route = (account: string, group?: string) => (group !== undefined ? { account, chat: group } : { account });
  return {
    checkContacts: async (account, phones) => (await link.request('contact:check', { phones }, { account })).results,
    contactInfo: (account, jid) => link.request('contact:info', { jid }, { account }),
    contactPicture: (account, jid, opts = {}) => link.request('contact:picture', { jid, ...(opts.preview ? { preview: true } : {}) }, { account }),
    setProfile: async (account, change) => {
      await link.request('profile:set', change, { account });
    },
    setProfilePicture: async (account, image, opts = {}) => (await link.request('profile:picture', { ...image }, route(account, opts.group))).id,
    removeProfilePicture: async (account, opts = {}) => {
      await link.request('profile:picture', { remove: true }, route(account, opts.group));
    },
    getPrivacy: async (account) => (await link.request('privacy:get', {}, { account })).settings,
    setPrivacy: async (account, setting, value) => {
      await link.request('privacy:set', { setting, value }, { account });
    },
    blocklist: async (account) => (await link.request('block:list', {}, { account })).jids,
    block: async (account, jid) => {
      await link.request('block:update', { jid, action: 'block' }, { account });
    },
    unblock: async (account, jid) => {
      await link.request('block:update', { jid, action: 'unblock' }, { account });
    },
    subscribePresence: async (account, jid) => {
      await link.request('presence:subscribe', {}, { account, chat: jid });
    },
  };
}
