/**
 * What the phone's parts share: the host, the keys, the session book, and a
 * few derived values. A plain record built once by phone.ts; no behaviour
 * beyond the prekey top-up every part needs after consuming a prekey.
 */
import type { LocalIdentity } from '../../protocol/signal/index.js';
import type { PhoneHost } from '../phone-host.js';
import { PREKEY_LOW_WATER, type PhoneKeys } from './keys.js';
import type { SessionBook } from './sessions.js';
import { deviceJid } from './stanzas.js';

export interface PhoneCore {
  readonly host: PhoneHost;
  readonly keys: PhoneKeys;
  readonly book: SessionBook;
  readonly local: LocalIdentity;
  /** Device 0's canonical jid ("<phone>@s.whatsapp.net"). */
  readonly self: string;
}

export function makeCore(host: PhoneHost, keys: PhoneKeys, book: SessionBook): PhoneCore {
  return {
    host,
    keys,
    book,
    local: { identityKey: keys.identity, registrationId: keys.registrationId },
    self: deviceJid(host.userJid) ?? host.userJid,
  };
}

/** Uploads a new batch once the server holds few of device 0's one-time prekeys. */
export function topUpPreKeys(core: PhoneCore): void {
  if (core.host.preKeyCount() <= PREKEY_LOW_WATER) core.host.uploadPreKeys(core.keys.mintPreKeys());
}
