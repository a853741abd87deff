/**
 * Our privacy settings and blocklist, both held by WhatsApp: read and
 * changed with IQs, never cached here (the phone can change them at any
 * moment; its changes arrive as notifications, notifications.ts).
 *
 * Settings travel under the contract's names (lastSeen, about, calls…);
 * WhatsApp's own category names are mapped here and nowhere else.
 */
import { getBlocklist, updateBlocklist } from '../../protocol/iq/blocklist.js';
import { getPrivacySettings, setPrivacySetting } from '../../protocol/iq/privacy.js';
import { isLid, jidNormalizedUser } from '../../protocol/jid/index.js';
import { PRIVACY_SETTINGS, type PrivacySetting, type PrivacySettings } from '../../contract/people.js';
import { MessagingError } from '../messaging/errors.js';
import type { PeopleDeps } from './deps.js';
import { executeIq } from './iq.js';

/** The contract's setting name → WhatsApp's category name. */
const CATEGORY: Readonly<Record<PrivacySetting, string>> = {
  lastSeen: 'last',
  online: 'online',
  profile: 'profile',
  about: 'status',
  groupAdd: 'groupadd',
  readReceipts: 'readreceipts',
  calls: 'calladd',
  messages: 'messages',
  stickers: 'stickers',
  defense: 'defense',
};
const SETTING_OF = new Map<string, PrivacySetting>(Object.entries(CATEGORY).map(([setting, category]) => [category, setting as PrivacySetting]));

/** WhatsApp's categories under the contract's names; categories we have no name for are left out. */
export function privacyFromWire(categories: Readonly<Record<string, string>>): PrivacySettings {
  const out: PrivacySettings = {};
  for (const [category, value] of Object.entries(categories)) {
    const setting = SETTING_OF.get(category);
    if (setting) out[setting] = value;
  }
  return out;
}

export class PrivacyControls {
  readonly #deps: PeopleDeps;

  constructor(deps: PeopleDeps) {
    this.#deps = deps;
  }

  async get(): Promise<PrivacySettings> {
    return privacyFromWire(await executeIq(this.#deps, getPrivacySettings));
  }

  /** @throws MessagingError BAD_CONTENT (unknown setting or value), SERVER_REJECTED */
  async set(setting: PrivacySetting, value: string): Promise<void> {
    const allowed: readonly string[] | undefined = PRIVACY_SETTINGS[setting];
    if (!allowed) throw new MessagingError('BAD_CONTENT', `unknown privacy setting ${JSON.stringify(setting)}`);
    if (!allowed.includes(value)) throw new MessagingError('BAD_CONTENT', `${setting} takes ${allowed.join(', ')}`);
    await executeIq(this.#deps, setPrivacySetting(CATEGORY[setting], value));
  }

  /** The blocked users, each by phone number when we know it (as consumers see chats), else by LID. */
  async blocklist(): Promise<string[]> {
    const jids = await executeIq(this.#deps, getBlocklist);
    const out = new Set<string>();
    for (const jid of jids) out.add(await this.#deps.canonical(jidNormalizedUser(jid)));
    return [...out];
  }

  /**
   * Blocks or unblocks a user. WhatsApp keys blocklists by LID: the LID is
   * sent when we know it, with the phone number beside it on a block;
   * otherwise the phone number alone.
   */
  async update(jidArg: string, action: 'block' | 'unblock'): Promise<void> {
    const jid = jidNormalizedUser(jidArg);
    if (!jid || jid.endsWith('@g.us')) throw new MessagingError('BAD_CONTENT', 'only a user can be blocked');
    if (this.#deps.isMe(jid)) throw new MessagingError('BAD_CONTENT', 'we cannot block ourselves');
    const pn = isLid(jid) ? await this.#deps.pnOf(jid) : jid;
    const lid = isLid(jid) ? jid : await this.#deps.lidOf(jid);
    await executeIq(this.#deps, lid ? updateBlocklist(action, lid, pn) : updateBlocklist(action, jid));
  }
}
