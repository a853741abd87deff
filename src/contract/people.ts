/**
 * The control contract's people requests: contact lookups, profile,
 * privacy, blocking, presence subscriptions, calls and status. Types only;
 * frames.ts folds PeopleRequestMap into RequestMap and api.ts PeopleApi
 * into DaemonApi.
 */

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

export interface PeopleRequestMap {
  'contact:check': { data: { phones: string[] }; result: { results: ContactCheckResult[] } };
  'contact:info': { data: { jid: string }; result: ContactInfoResult };
  'contact:picture': { data: { jid: string; preview?: boolean }; result: PictureResult };
}

export const PEOPLE_REQUEST_TYPES = ['contact:check', 'contact:info', 'contact:picture'] as const satisfies ReadonlyArray<keyof PeopleRequestMap>;

/** The daemon API's people methods (id = the account). */
export interface PeopleApi {
  /** @throws DaemonError INVALID_PAYLOAD (not numbers), UNAVAILABLE */
  checkContacts(id: string, phones: string[]): Promise<ContactCheckResult[]>;
  /** @throws DaemonError NOT_FOUND (not on WhatsApp), INVALID_PAYLOAD, UNAVAILABLE */
  contactInfo(id: string, jid: string): Promise<ContactInfoResult>;
  /** A user's or group's picture. @throws DaemonError NOT_FOUND (none, or hidden from us) */
  contactPicture(id: string, jid: string, preview: boolean): Promise<PictureResult>;
}
