/**
 * One account's runtime, made fresh by the supervisor at every (re)start:
 * the connection actor and, when the build has it, the messaging module
 * wired to it (its handlers on the connection's dispatch, the connection as
 * its port). The connection actor is what the supervisor watches: when it
 * ends or crashes, this runtime is done and messaging is closed.
 */
import type { Logger } from 'pino';
import type { CryptoPool } from '../runtime/crypto-pool/index.js';
import type { AccountStore } from '../store/index.js';
import { AccountConnection } from './connection/connection.js';
import type { ConnectionUpdate } from './connection/machine.js';
import type { ConnectionSettings } from './connection/settings.js';
import type { Transport } from './connection/transport.js';
import type { AccountEventSink } from './events.js';
import type { AccountIdentity, CreateMessaging, MessagingDeps, MessagingModule } from './messaging-deps.js';

export interface AccountRuntimeDeps {
  readonly accountId: string;
  readonly store: AccountStore;
  readonly pool: CryptoPool;
  readonly events: AccountEventSink;
  /** Bound to `{account: id}`. */
  readonly logger: Logger;
  readonly settings: ConnectionSettings;
  readonly transport?: Transport | undefined;
  readonly createMessaging?: CreateMessaging | undefined;
  /** Handed to messaging as MessagingDeps.sendRate. */
  readonly sendRate?: MessagingDeps['sendRate'];
  readonly onUpdate?: (update: ConnectionUpdate) => void;
}

export class AccountRuntime {
  readonly connection: AccountConnection;
  readonly messaging: MessagingModule | undefined;

  /** @throws whatever createMessaging throws (the supervisor counts it as a failed start) */
  constructor(deps: AccountRuntimeDeps) {
    this.connection = new AccountConnection({
      accountId: deps.accountId,
      store: deps.store,
      events: deps.events,
      logger: deps.logger,
      settings: deps.settings,
      ...(deps.transport ? { transport: deps.transport } : {}),
      onUpdate: (u) => {
        deps.onUpdate?.(u);
        // The server forgets presence subscriptions with the socket: messaging renews what it had.
        if (u.state === 'online') this.messaging?.online?.();
      },
    });
    const me = (): AccountIdentity => {
      const m = deps.store.creds?.me;
      return { jid: m?.id ?? '', lid: m?.lid };
    };
    this.messaging = deps.createMessaging?.({
      accountId: deps.accountId,
      port: this.connection,
      store: deps.store,
      pool: deps.pool,
      events: deps.events,
      logger: deps.logger,
      me,
      sendRate: deps.sendRate,
    });
    for (const handler of this.messaging?.handlers ?? []) this.connection.register(handler);
    const close = (): void => {
      this.messaging?.close?.().catch((err: unknown) => deps.logger.warn({ err }, 'messaging did not close cleanly'));
    };
    this.connection.actor.subscribe({ complete: close, error: close });
  }

  get actor(): AccountConnection['actor'] {
    return this.connection.actor;
  }
}
