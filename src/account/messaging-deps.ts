/**
 * What the messaging side of an account (src/account/messaging, another
 * module) receives from the account runtime, and what it hands back. The
 * account runtime builds one MessagingDeps per account start and registers
 * the returned handlers on the connection actor's stanza dispatch.
 *
 * Contract for handlers (ports.ts StanzaHandler): the automatic ack is sent
 * only after `handle` resolves (persist before you acknowledge); a rejection
 * sends no ack, so the server redelivers.
 */
import type { Logger } from 'pino';
import type { DaemonApi } from '../contract/api.js';
import type { CryptoPool } from '../runtime/crypto-pool/index.js';
import type { AccountStore } from '../store/index.js';
import type { AccountEventSink } from './events.js';
import type { ConnectionPort, StanzaHandler } from './ports.js';

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
  readonly pool: CryptoPool;
  readonly events: AccountEventSink;
  /** pino logger bound to `{account: accountId}`. Never log keys or message contents. */
  readonly logger: Logger;
  /** Read at call time: the identity changes when pairing finishes or the server sends our LID. */
  readonly me: () => AccountIdentity;
  /** Outgoing message pacing (config accounts.sendRate, field lesson 13); none when absent. */
  readonly sendRate?: { readonly perSecond: number; readonly burst: number } | undefined;
}

/** The DaemonApi calls messaging serves, without the leading account id (the daemon routes by it). */
export type MessagingCall =
  | 'sendMessage'
  | 'editMessage'
  | 'deleteMessage'
  | 'react'
  | 'markRead'
  | 'sendChatState'
  | 'sendPresence'
  | 'downloadMedia'
  | 'createGroup'
  | 'groupMetadata'
  | 'groupParticipants';

export type AccountMessagingApi = {
  readonly [K in MessagingCall]?: DaemonApi[K] extends (id: string, ...rest: infer A) => infer R ? (...args: A) => R : never;
};

/**
 * What createMessaging returns: handlers, plus the calls it serves. The
 * daemon forwards `DaemonApi.sendMessage(id, chat, content)` to the
 * account's `sendMessage(chat, content)` and so on; a call the module does
 * not offer is answered UNAVAILABLE.
 */
export interface MessagingModule extends AccountMessagingApi {
  readonly handlers: readonly StanzaHandler[];
  /** Counters for account:status (field lesson 15); optional. */
  stats?(): Record<string, number>;
  /** Called each time the account comes online (first login and every reconnect); optional. Must not throw. */
  online?(): void;
  /** Called when the account stops (graceful shutdown, restart); optional. */
  close?(): Promise<void>;
}

export type CreateMessaging<M extends MessagingModule = MessagingModule> = (deps: MessagingDeps) => M;
