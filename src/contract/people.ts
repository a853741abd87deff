/**
 * The control contract's people requests: contact lookups, profile,
 * privacy, blocking, presence subscriptions, calls and status. Types only;
 * frames.ts folds PeopleRequestMap into RequestMap and api.ts PeopleApi
 * into DaemonApi.
 */
import type { MediaFile } from './media.js';

/** contact:check: one per distinct number asked, in order. */
export interface ContactCheckResult {
  /** Digits, as asked (without +). */
  phone: string;
  exists: boolean;
  /** The user jid WhatsApp resolved the number to (when it exists). */
  jid?: string;
  lid?: string;
}

export interface BusinessInfo {
  verifiedName?: string;
  description?: string;
  category?: string;
  email?: string;
  websites: string[];
  address?: string;
}

/** contact:info */
export interface ContactInfoResult {
  jid: string;
  lid?: string;
  /** Our name for the contact (address book), when we know one. */
  name?: string;
  /** The name the contact gave itself, when we have seen it. */
  pushName?: string;
  /** Absent when unset or hidden from us by the contact's privacy. */
  about?: string;
  /** Unix seconds. */
  aboutSetAt?: number;
  pictureId?: string;
  /** Device ids; 0 is the phone. */
  devices: number[];
  /** Present only for a business account. */
  business?: BusinessInfo;
}

/** contact:picture */
export interface PictureResult {
  id: string;
  url: string;
  directPath?: string;
  type: 'preview' | 'image';
}

/** profile:picture data: the image from an upload, a local path (Unix socket only) or base64; or `remove`. */
export interface ProfilePictureData {
  upload?: number;
  path?: string;
  base64?: string;
  remove?: boolean;
}

/**
 * privacy:get / privacy:set: each setting by its contract name, with the
 * values WhatsApp takes for it. `contact_blacklist` is "my contacts except
 * those I excluded" (the list itself is managed on the phone);
 * `match_last_seen` shows being online to whom last seen is shown; `known`
 * lets only contacts and people we messaged call; `defense` is the strict
 * account protection mode (`on_standard`).
 */
export const PRIVACY_SETTINGS = {
  lastSeen: ['all', 'contacts', 'contact_blacklist', 'none'],
  online: ['all', 'match_last_seen'],
  profile: ['all', 'contacts', 'contact_blacklist', 'none'],
  about: ['all', 'contacts', 'contact_blacklist', 'none'],
  groupAdd: ['all', 'contacts', 'contact_blacklist'],
  readReceipts: ['all', 'none'],
  calls: ['all', 'known'],
  messages: ['all', 'contacts'],
  stickers: ['all', 'contacts', 'none'],
  defense: ['off', 'on_standard'],
} as const satisfies Record<string, readonly string[]>;

export type PrivacySetting = keyof typeof PRIVACY_SETTINGS;
/** What privacy:get answers: every setting WhatsApp told us (a setting it did not name is absent). */
export type PrivacySettings = Partial<Record<PrivacySetting, string>>;

export interface PeopleRequestMap {
  'privacy:get': { data: Record<string, never>; result: { settings: PrivacySettings } };
  'privacy:set': { data: { setting: PrivacySetting; value: string }; result: Record<string, never> };
  'block:list': { data: Record<string, never>; result: { jids: string[] } };
  'block:update': { data: { jid: string; action: 'block' | 'unblock' }; result: Record<string, never> };
  'presence:subscribe': { data: Record<string, never>; result: Record<string, never> };
  'profile:set': { data: { name?: string; about?: string }; result: Record<string, never> };
  'profile:picture': { data: ProfilePictureData; result: { id?: string } };
  'contact:check': { data: { phones: string[] }; result: { results: ContactCheckResult[] } };
  'contact:info': { data: { jid: string }; result: ContactInfoResult };
  'contact:picture': { data: { jid: string; preview?: boolean }; result: PictureResult };
}

export const PEOPLE_REQUEST_TYPES = [
  'contact:check',
  'contact:info',
  'contact:picture',
  'profile:set',
  'profile:picture',
  'privacy:get',
  'privacy:set',
  'block:list',
  'block:update',
  'presence:subscribe',
] as const satisfies ReadonlyArray<keyof PeopleRequestMap>;

/** The daemon API's people methods (id = the account). */
export interface PeopleApi {
  /** @throws DaemonError INVALID_PAYLOAD (not numbers), UNAVAILABLE */
  checkContacts(id: string, phones: string[]): Promise<ContactCheckResult[]>;
  /** @throws DaemonError NOT_FOUND (not on WhatsApp), INVALID_PAYLOAD, UNAVAILABLE */
  contactInfo(id: string, jid: string): Promise<ContactInfoResult>;
  /** A user's or group's picture. @throws DaemonError NOT_FOUND (none, or hidden from us) */
  contactPicture(id: string, jid: string, preview: boolean): Promise<PictureResult>;
  /** Our push name and/or about. @throws DaemonError INVALID_PAYLOAD (empty name, too long) */
  setProfile(id: string, change: { name?: string; about?: string }): Promise<void>;
  /**
   * Our picture, or with `group` that group's (we must be an admin): cropped
   * to the centre square, 640x640 JPEG. `image` undefined removes it.
   * @throws DaemonError INVALID_PAYLOAD (not an image), FORBIDDEN-like server refusals as UNAVAILABLE with details.serverCode
   */
  setProfilePicture(id: string, image: Uint8Array | { path: string } | MediaFile | undefined, group?: string): Promise<{ id?: string }>;
  /** Our privacy settings as WhatsApp holds them. */
  getPrivacy(id: string): Promise<PrivacySettings>;
  /** @throws DaemonError INVALID_PAYLOAD (a value the setting does not take) */
  setPrivacy(id: string, setting: PrivacySetting, value: string): Promise<void>;
  /** The users we blocked (phone-number jids where we know them). */
  blocklist(id: string): Promise<string[]>;
  updateBlock(id: string, jid: string, action: 'block' | 'unblock'): Promise<void>;
  /** Follows a contact's presence: `presence:update` events follow, and the subscription is renewed after reconnects. */
  subscribePresence(id: string, jid: string): Promise<void>;
}
