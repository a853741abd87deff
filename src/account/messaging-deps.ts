/**
 * What the messaging side of an account (src/account/messaging) receives
 * from the Account that builds it: one MessagingDeps per account start. Its
 * handlers are registered on the connection actor's stanza dispatch.
 *
 * Contract for handlers (ports.ts StanzaHandler): the automatic ack is sent
 * only after `handle` resolves (persist before you acknowledge); a rejection
 * sends no ack, so the server redelivers.
 */
import type { Logger } from 'pino';
import type { AccountStore } from '../store/index.js';
import type { AccountEventSink } from './events.js';
import type { AccountLocks } from './locks.js';
import type { ConnectionPort, CryptoPort } from './ports.js';

/** Who this account is on WhatsApp. */
export interface AccountIdentity {
  /** Our device JID (`<phone>:<device>@s.whatsapp.net`); '' until pairing finished. */
  readonly jid: string;
  /** Our LID device JID (`<lid>:<device>@lid`), once the server told us. */
  readonly lid: string | undefined;
}

export interface MessagingDeps {
  readonly accountId: string;
  readonly port: ConnectionPort;
  readonly store: AccountStore;
  /** Runs Signal jobs (the daemon's crypto pool). */
  readonly crypto: CryptoPort;
  /** The account's identity and sender-key locks: every session's jobs run inside its lock. */
  readonly locks: AccountLocks;
  readonly events: AccountEventSink;
  /** pino logger bound to `{account: accountId}`. Never log keys or message contents. */
  readonly logger: Logger;
  /** Read at call time: the identity changes when pairing finishes or the server sends our LID. */
  readonly me: () => AccountIdentity;
  /** Outgoing message pacing (config accounts.sendRate: WhatsApp bans or answers 429 at a few messages a second); none when absent. */
  readonly sendRate?: { readonly perSecond: number; readonly burst: number } | undefined;
  /** The server's time (unix ms), for what the server counts by; the local clock when absent. */
  readonly serverNow?: (() => number) | undefined;
}
