/**
 * One account, built statically and fresh at every (re)start by the
 * supervisor: the connection actor, the messaging side on top of it (its
 * handlers on the connection's dispatch, the connection as its port), and
 * the account's media, given to messaging for media sends and serving
 * downloads of stored files. The connection actor is what the supervisor
 * watches: when it ends or crashes, this account is done and messaging and
 * media are closed.
 *
 * Every request of the control plane reaches the wire through here by
 * static calls: daemon → Account.messaging (send, edit, ...) → the chat's sender mailbox
 * → Outbound → ConnectionPort.send.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MediaDownload } from '../contract/api.js';
import { isGroup, isLid, isPn, jidNormalizedUser } from '../protocol/jid/index.js';
import type { AccountStore } from '../store/index.js';
import { AppState } from './app-state/index.js';
import { AccountConnection } from './connection/connection.js';
import type { ConnectionUpdate } from './connection/machine.js';
import type { ConnectionSettings } from './connection/settings.js';
import type { Transport } from './connection/transport.js';
import type { AccountEventSink } from './events.js';
import { DirtyBitsHandler } from './dirty-bits.js';
import { AccountLocks } from './locks.js';
import { createAccountMedia, type AccountMedia } from './media/account-media.js';
import { createLinkPreviewMaker } from './link-preview/maker.js';
import type { SharedMedia } from './media/shared.js';
import type { AccountIdentity, MessagingDeps } from './messaging-deps.js';
import type { CryptoPort } from './ports.js';
import { Messaging, type MessagingOptions } from './messaging/index.js';
import { HistorySync } from './history/history-sync.js';
import { People } from './people/index.js';
import { peopleDeps } from './people/wiring.js';
import { Calls, type CallPolicy } from './calls/calls.js';
import { Channels } from './channels.js';

export interface AccountDeps {
  readonly accountId: string;
  readonly store: AccountStore;
  /** Where Signal jobs run (the daemon's crypto pool, shared by every account; it knows no accounts). */
  readonly crypto: CryptoPort;
  readonly events: AccountEventSink;
  /** Bound to `{account: id}`. */
  readonly logger: Logger;
  readonly settings: ConnectionSettings;
  /** What every account's media shares (HTTPS agent, spool root, path policy). */
  readonly media: SharedMedia;
  readonly transport?: Transport | undefined;
  /** Handed to messaging as MessagingDeps.sendRate. */
  readonly sendRate?: MessagingDeps['sendRate'];
  /** Messaging's tunables and test seams (never its media builder: the account's media is that). */
  readonly messaging?: Omit<MessagingOptions, 'media'> | undefined;
  readonly onUpdate?: (update: ConnectionUpdate) => void;
  /** What the account does with calls nobody takes (auto-reject, with a message). */
  readonly callPolicy?: CallPolicy | undefined;
}

export class Account {
  readonly id: string;
  readonly connection: AccountConnection;
  readonly messaging: Messaging;
  readonly media: AccountMedia;
  /** The account's app state: sync keys, collections, our own actions as patches. */
  readonly appState: AppState;
  /** The phone's history sync and on-demand history requests. */
  readonly history: HistorySync;
  /** Contact lookups, profile, privacy, blocking, calls and status. */
  readonly people: People;
  /** Incoming calls as events, rejecting them (by request or by policy). */
  readonly calls: Calls;
  /** Channels (newsletters): create, metadata, follow, list (posts are messaging's). */
  readonly channels: Channels;
  /** This account's identity and sender-key locks: its own, so no other account ever waits on them. */
  readonly locks = new AccountLocks();
  readonly #store: AccountStore;

  /** @throws whatever building messaging throws (the supervisor counts it as a failed start) */
  constructor(deps: AccountDeps) {
    this.id = deps.accountId;
    this.#store = deps.store;
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
        if (u.state === 'online') {
          this.messaging.online();
          this.appState.online();
          this.history.online();
        }
      },
    });
    const me = (): AccountIdentity => {
      const m = deps.store.creds?.me;
      return { jid: m?.id ?? '', lid: m?.lid };
    };
    this.media = createAccountMedia({
      port: this.connection,
      http: deps.media.http,
      spoolDir: join(deps.media.spoolRoot, deps.accountId),
      ownJid: () => jidNormalizedUser(me().jid),
      localFiles: deps.media.localFiles,
      reuploadTimeoutMs: deps.media.reuploadTimeoutMs,
      verifier: deps.media.verifier,
    });
    this.appState = new AppState({
      port: this.connection,
      store: deps.store,
      events: deps.events,
      logger: deps.logger,
      me,
      canonicalChat: (jid) => this.messaging.canonicalChat(jid),
      download: async (ref) => {
        const blob = await this.media.download(ref);
        try {
          return await blob.buffer();
        } finally {
          await blob.dispose();
        }
      },
    });
    this.history = new HistorySync({
      store: deps.store,
      events: deps.events,
      logger: deps.logger,
      port: this.connection,
      media: this.media,
      me,
      messaging: () => this.messaging,
    });
    const appStateSink = this.appState.protocolSink;
    try {
      this.messaging = new Messaging(
        {
          accountId: deps.accountId,
          port: this.connection,
          store: deps.store,
          crypto: deps.crypto,
          locks: this.locks,
          events: deps.events,
          logger: deps.logger,
          me,
          sendRate: deps.sendRate,
          serverNow: () => this.connection.serverClock.now(),
        },
        {
          ...deps.messaging,
          media: this.media.build,
          linkPreviews: createLinkPreviewMaker({
            web: deps.media.linkPreviews?.web,
            timeoutMs: deps.media.linkPreviews?.timeoutMs ?? 10_000,
            upload: (jpeg, signal) => this.media.service.upload(jpeg, 'thumbnail-link', { signal }),
          }),
          // History notifications are the history's; the rest (app state keys) the app state's.
          protocolSink: { accept: async (message, msg) => this.history.accept(message, msg) ?? appStateSink.accept(message, msg) },
        },
      );
    } catch (err) {
      this.media.close();
      throw err;
    }
    this.people = new People(peopleDeps(deps, this.connection, this.messaging, me, this.appState));
    this.calls = new Calls({
      port: this.connection,
      events: deps.events,
      logger: deps.logger,
      me,
      canonical: (jid) => this.messaging.canonicalChat(jid),
      learnLid: (pn, lid) => this.messaging.learnLid(pn, lid),
      sendText: (chat, text) => this.messaging.send(chat, { type: 'text', content: text }),
      policy: deps.callPolicy,
    });
    this.channels = new Channels(this.connection);
    const dirty = new DirtyBitsHandler({
      execute: (spec) => this.connection.execute(spec),
      logger: deps.logger,
      refetchGroups: () => this.messaging.listGroups(),
      resyncAppState: async () => ((await this.appState.catchUp())?.failed.length ?? 0) === 0,
    });
    const handlers = [...this.messaging.handlers, ...this.media.handlers, ...this.appState.handlers, ...this.people.handlers, ...this.calls.handlers, dirty];
    for (const handler of handlers) this.connection.register(handler);
    const close = (): void => {
      this.history.close();
      this.calls.close();
      this.media.close();
      void this.appState.close();
      void this.locks.close();
      this.messaging.close().catch((err: unknown) => deps.logger.warn({ err }, 'messaging did not close cleanly'));
    };
    this.connection.actor.subscribe({ complete: close, error: close });
  }

  get actor(): AccountConnection['actor'] {
    return this.connection.actor;
  }

  /**
   * The file of a media message in `chat` (received, or sent by us), by the
   * chat id the receive path stores it under.
   * @throws MediaError NO_MESSAGE, NOT_MEDIA, or a transfer or integrity failure
   */
  async downloadMedia(chatArg: string, id: string): Promise<MediaDownload> {
    return this.media.downloadStored(this.#store, await this.#canonical(chatArg), id);
  }

  /** A phone number becomes a PN jid; a LID with a known PN its PN. */
  async #canonical(chat: string): Promise<string> {
    const jid = /^\+?[0-9]{5,20}$/.test(chat) ? `${chat.replace('+', '')}@s.whatsapp.net` : jidNormalizedUser(chat) || chat;
    return isPn(jid) || isLid(jid) || isGroup(jid) ? this.messaging.canonicalChat(jid) : jid;
  }
}
