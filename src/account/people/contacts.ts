/**
 * Looking people up: whether numbers are on WhatsApp (usync `contact`, in
 * batches, answers cached with an expiry so a CRM that checks the same list
 * every hour does not ask WhatsApp each time), what a user shows (about,
 * picture id, devices, business profile), and their picture's URL.
 *
 * Every answer that names a LID teaches messaging the PN↔LID mapping, so a
 * first message to a checked number needs no further lookup.
 */
import { randomBytes } from 'node:crypto';
import { getBusinessProfile, getProfilePicture, type BusinessProfile, type ProfilePicture } from '../../protocol/iq/profile.js';
import { usyncContacts, usyncUserInfo, USYNC_MAX_USERS } from '../../protocol/iq/contacts.js';
import type { IqSpec } from '../../protocol/iq/spec.js';
import { isLid, isPn, jidDecode, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { BusinessInfo, ContactCheckResult, ContactInfoResult } from '../../contract/people.js';
import { BoundedMap } from '../messaging/bounded.js';
import { MessagingError } from '../messaging/errors.js';
import type { PeopleDeps } from './deps.js';
import { executeIq } from './iq.js';

export type { ContactCheckResult };
export type ContactInfo = ContactInfoResult;

/** Numbers one contact:check may ask about. */
export const MAX_CHECK_PHONES = 5_000;
/** How long an answer about a number is believed (numbers join WhatsApp rarely; a day keeps checks cheap and fresh enough). */
const CHECK_TTL_MS = 24 * 60 * 60 * 1000;
/** A number that is not on WhatsApp may join at any time: believed for less long. */
const CHECK_MISS_TTL_MS = 60 * 60 * 1000;
const CHECK_CACHE_MAX = 50_000;

export class ContactLookups {
  readonly #deps: PeopleDeps;
  readonly #checked: BoundedMap<string, { result: ContactCheckResult; until: number }>;

  constructor(deps: PeopleDeps) {
    this.#deps = deps;
    this.#checked = new BoundedMap(CHECK_CACHE_MAX, { ttlMs: CHECK_TTL_MS, now: deps.now });
  }

  /**
   * One result per distinct number, in the order asked. Numbers are digits
   * (a leading + is dropped).
   * @throws MessagingError BAD_CONTENT (not a number, too many), SERVER_REJECTED, and what the connection throws
   */
  async check(phonesArg: readonly string[]): Promise<ContactCheckResult[]> {
    const phones = [...new Set(phonesArg.map((p) => p.replace(/^\+/, '')))];
    if (phones.length > MAX_CHECK_PHONES) throw new MessagingError('BAD_CONTENT', `at most ${MAX_CHECK_PHONES} numbers per check`);
    for (const p of phones) if (!/^[0-9]{5,20}$/.test(p)) throw new MessagingError('BAD_CONTENT', `not a phone number: ${JSON.stringify(p)}`);
    const now = this.#deps.now();
    const missing = phones.filter((p) => {
      const hit = this.#checked.get(p);
      return !hit || hit.until < now;
    });
    for (let i = 0; i < missing.length; i += USYNC_MAX_USERS) await this.#ask(missing.slice(i, i + USYNC_MAX_USERS));
    return phones.map((p) => this.#checked.get(p)?.result ?? { phone: p, exists: false });
  }

  async #ask(phones: string[]): Promise<void> {
    const answers = await this.#execute(usyncContacts(phones, sid()));
    const now = this.#deps.now();
    const byQuery = new Map(answers.map((a) => [a.query.replace(/^\+/, ''), a]));
    const byJidUser = new Map(answers.map((a) => [jidDecode(a.jid)?.user ?? '', a]));
    for (const phone of phones) {
      const a = byQuery.get(phone) ?? byJidUser.get(phone);
      const result: ContactCheckResult = a?.exists ? { phone, exists: true, jid: jidNormalizedUser(a.jid), ...(a.lid ? { lid: a.lid } : {}) } : { phone, exists: false };
      this.#checked.set(phone, { result, until: now + (result.exists ? CHECK_TTL_MS : CHECK_MISS_TTL_MS) });
      if (result.jid && result.lid) await this.#deps.learnLid(result.jid, result.lid).catch(() => undefined);
    }
  }

  /** @throws MessagingError BAD_JID, NOT_FOUND (not on WhatsApp), SERVER_REJECTED */
  async info(jidArg: string): Promise<ContactInfo> {
    const jid = userJid(jidArg);
    const [u] = await this.#execute(usyncUserInfo([jid], sid()));
    if (!u || (u.devices.length === 0 && !u.lid)) throw new MessagingError('NOT_FOUND', `${jid} is not on WhatsApp`);
    const pn = isPn(jid) ? jid : ((await this.#deps.pnOf(jid)) ?? jid);
    const lid = u.lid ?? (isLid(jid) ? jid : await this.#deps.lidOf(pn));
    if (isPn(pn) && lid) await this.#deps.learnLid(pn, lid).catch(() => undefined);
    const out: ContactInfo = { jid: pn, devices: [...u.devices].sort((a, b) => a - b) };
    if (lid) out.lid = lid;
    if (u.about !== undefined) out.about = u.about;
    if (u.aboutSetAt !== undefined) out.aboutSetAt = u.aboutSetAt;
    if (u.pictureId !== undefined) out.pictureId = u.pictureId;
    if (u.verifiedName !== undefined) {
      const biz = await this.#execute(getBusinessProfile(pn)).catch((err: unknown) => {
        if (err instanceof MessagingError && err.code === 'SERVER_REJECTED') return undefined;
        throw err;
      });
      out.business = businessOf(u.verifiedName, biz);
    }
    return out;
  }

  /** @throws MessagingError NOT_FOUND (no picture, or hidden from us), BAD_JID, SERVER_REJECTED */
  async picture(jidArg: string, preview: boolean): Promise<ProfilePicture> {
    const jid = jidArg.endsWith('@g.us') ? jidArg : userJid(jidArg);
    // WhatsApp wants the contact's privacy token with a picture query (never with our own).
    const token = this.#deps.isMe(jid) || jid.endsWith('@g.us') ? undefined : await this.#deps.tcToken(jid);
    let pic: ProfilePicture | undefined;
    try {
      pic = await this.#execute(getProfilePicture(jid, preview, token));
    } catch (err) {
      if (err instanceof MessagingError && (err.serverCode === 404 || err.serverCode === 401)) pic = undefined;
      else throw err;
    }
    if (!pic) throw new MessagingError('NOT_FOUND', `${jid} has no profile picture we may see`);
    return pic;
  }

  #execute<T>(spec: IqSpec<T>): Promise<T> {
    return executeIq(this.#deps, spec);
  }
}

function businessOf(verifiedName: string, p: BusinessProfile | undefined): BusinessInfo {
  const out: BusinessInfo = { websites: [...(p?.websites ?? [])] };
  if (verifiedName) out.verifiedName = verifiedName;
  if (p?.description) out.description = p.description;
  if (p?.categories[0]?.name) out.category = p.categories[0].name;
  if (p?.email) out.email = p.email;
  if (p?.address) out.address = p.address;
  return out;
}

/** A user jid from a jid or a bare number. @throws MessagingError BAD_JID */
export function userJid(x: string): string {
  if (/^\+?[0-9]{5,20}$/.test(x)) return `${x.replace('+', '')}@s.whatsapp.net`;
  const j = jidNormalizedUser(x);
  if (!j || !(isPn(j) || isLid(j)) || !jidDecode(j)?.user) throw new MessagingError('BAD_JID', `not a user jid: ${JSON.stringify(x)}`);
  return j;
}

function sid(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE(0)}`;
}
