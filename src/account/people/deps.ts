/**
 * What the people side of an account (contact lookups, profile, privacy,
 * blocking, calls, status) receives from the Account that builds it: the
 * connection as its port, the store and event sink, and messaging's view of
 * identities (PN↔LID, who we are, privacy tokens), read through functions so
 * people never reach into messaging's parts.
 */
import type { Logger } from 'pino';
import type { MediaFile } from '../../contract/api.js';
import type { AppStateAction } from '../../protocol/appstate/index.js';
import type { AccountStore } from '../../store/index.js';
import type { AccountEventSink } from '../events.js';
import type { AccountIdentity } from '../messaging-deps.js';
import type { ConnectionPort } from '../ports.js';

export interface PeopleDeps {
  readonly accountId: string;
  readonly port: ConnectionPort;
  readonly store: AccountStore;
  readonly events: AccountEventSink;
  /** Bound to `{account: id}`. */
  readonly logger: Logger;
  readonly now: () => number;
  readonly me: () => AccountIdentity;
  /** Records that a PN and a LID are one contact (messaging persists it). */
  learnLid(pn: string, lid: string): Promise<void>;
  pnOf(lid: string): Promise<string | undefined>;
  lidOf(pn: string): Promise<string | undefined>;
  /** The one chat id consumers see for a jid (PN for a LID with a known PN). */
  canonical(jid: string): Promise<string>;
  isMe(jid: string): boolean;
  /** Says our presence again as it last was (available or not), now with the push name in the creds. */
  announceName(): Promise<void>;
  /** Writes an action to the account's app state, for our other devices and the phone. */
  applyAppState(action: AppStateAction): Promise<void>;
  /**
   * The bytes of an image a request names, at most `max`: given bytes, a
   * finished upload, or a local file opened under the daemon's path policy.
   * @throws MediaError PATH_REFUSED, MessagingError BAD_CONTENT (too big)
   */
  readImage(source: Uint8Array | { path: string } | MediaFile, max: number): Promise<Uint8Array>;
  /** The contact's valid privacy token, to attach to queries WhatsApp gates on it. */
  tcToken(jid: string): Promise<Uint8Array | undefined>;
}
