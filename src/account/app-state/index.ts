/**
 * One account's app state ("syncd"), wired: the sync keys the phone shares
 * (stored with the message that brought them), syncs of every collection
 * once keys arrive, at each login and when the server says collections
 * moved (`server_sync`) or marks the account dirty, and our own actions
 * written as patches. Syncs and writes of the account run one at a time
 * (a write is built on the state the last sync left), and requests for
 * syncs that come while one waits are merged into it.
 *
 * What the changes mean for the account is effects.ts'; the protocol is
 * src/protocol/appstate's.
 */
import type { Logger } from 'pino';
import { COLLECTIONS, actionMutations, byCollection, isCollectionName, type AppStateAction, type CollectionName } from '../../protocol/appstate/index.js';
import type { BinaryNode } from '../../protocol/binary/index.js';
import { parseServerSync } from '../../protocol/iq/app-state.js';
import { jidNormalizedUser } from '../../protocol/jid/index.js';
import type { MediaRef } from '../../protocol/media/index.js';
import { KeyedSerialQueue } from '../../protocol/util/keyed-queue.js';
import type { AccountStore, AppStateLabel } from '../../store/index.js';
import type { AccountEventSink } from '../events.js';
import type { AccountIdentity } from '../messaging-deps.js';
import type { ProtocolMessageSink } from '../messaging/index.js';
import type { ConnectionPort, StanzaHandler } from '../ports.js';
import { ChatActions } from './chat-actions.js';
import { AppStateSyncError } from './errors.js';
import { SyncKeys } from './keys.js';
import { pushMutations, type PushResult } from './push.js';
import { syncCollections, type SyncDeps, type SyncReport } from './sync.js';

export { AppStateSyncError, type AppStateSyncErrorCode } from './errors.js';
export type { ChatActions } from './chat-actions.js';
export type { SyncReport } from './sync.js';

export interface AppStateDeps {
  readonly port: Pick<ConnectionPort, 'execute'>;
  readonly store: AccountStore;
  readonly events: AccountEventSink;
  /** Bound to the account. */
  readonly logger: Logger;
  readonly me: () => AccountIdentity;
  /** The chat id consumers see for a jid. */
  readonly canonicalChat: (jid: string) => Promise<string>;
  /** Downloads a blob of the media host (snapshots, external mutations), verified, whole. */
  readonly download: (ref: MediaRef) => Promise<Uint8Array>;
  readonly now?: () => number;
}

const LANE = 'app-state';

export class AppState {
  readonly handlers: readonly StanzaHandler[];
  readonly protocolSink: ProtocolMessageSink;
  /** What consumers ask of chats, messages and labels, written as actions. */
  readonly actions: ChatActions;
  readonly #deps: AppStateDeps;
  readonly #sync: SyncDeps;
  readonly #keys: SyncKeys;
  readonly #now: () => number;
  // One lane per account, bounded: a caller past the bound is refused, never queued without end.
  readonly #queue = new KeyedSerialQueue(
    { maxPerKey: 1_000, maxTotal: 1_000 },
    {
      full: () => new AppStateSyncError('CLOSED', 'too many app state operations waiting'),
      closed: () => new AppStateSyncError('CLOSED', 'the account is stopping'),
    },
  );
  readonly #wanted = new Set<CollectionName>();
  #queuedSync: Promise<SyncReport> | undefined;
  #closed = false;

  constructor(deps: AppStateDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#keys = new SyncKeys(deps.store, deps.logger);
    this.#sync = { ...deps, keys: this.#keys };
    this.actions = new ChatActions({ store: deps.store, apply: (a) => this.apply(a), canonicalChat: deps.canonicalChat, now: this.#now });
    this.handlers = [{ tags: ['notification'], handle: (n) => this.#onNotification(n) }];
    this.protocolSink = {
      accept: async (message, msg) => {
        const share = message.protocolMessage?.appStateSyncKeyShare;
        if (!share) return undefined;
        return this.#keys.accept(share, msg.fromMe && this.#isOwnUser(msg.author), () => this.#background(COLLECTIONS));
      },
    };
  }

  /** At each login: catch up on what changed while we were away (once we have keys). */
  online(): void {
    void this.#keys.any().then(
      (any) => any && this.#background(COLLECTIONS),
      () => undefined,
    );
  }

  /**
   * Catches up on every collection (the server marked the account's state
   * dirty); undefined without sync keys, when nothing could be read yet and
   * the keys' arrival syncs anyway.
   * @throws as sync()
   */
  async catchUp(): Promise<SyncReport | undefined> {
    return (await this.#keys.any()) ? this.sync(COLLECTIONS) : undefined;
  }

  /**
   * Syncs collections (all by default); resolves with what happened once done.
   * @throws connection errors of the fetch; AppStateSyncError CLOSED
   */
  sync(names: readonly CollectionName[] = COLLECTIONS): Promise<SyncReport> {
    for (const n of names) this.#wanted.add(n);
    if (this.#queuedSync) return this.#queuedSync;
    let started = false;
    let run: Promise<SyncReport> | undefined;
    run = this.#queue.run(LANE, () => {
      // From here on a new request needs a sync of its own: this one may already have read what it asks for.
      started = true;
      if (run !== undefined && this.#queuedSync === run) this.#queuedSync = undefined;
      const take = COLLECTIONS.filter((c) => this.#wanted.has(c));
      this.#wanted.clear();
      return syncCollections(this.#sync, take);
    });
    // The queue may start the task at once (an idle lane): then it is not waiting to be joined.
    if (!started) this.#queuedSync = run;
    return run;
  }

  /**
   * Writes a person's action as patches (one per collection it touches).
   * @throws AppStateSyncError NO_KEYS, CONFLICT, SERVER_REJECTED, BAD_ACTION, CLOSED; connection errors
   */
  async apply(action: AppStateAction): Promise<PushResult[]> {
    if (this.#closed) throw new AppStateSyncError('CLOSED', 'the account is stopping');
    let mutations;
    try {
      mutations = actionMutations(action, this.#now());
    } catch (err) {
      throw new AppStateSyncError('BAD_ACTION', (err as Error).message, { cause: err });
    }
    const results: PushResult[] = [];
    for (const [collection, ms] of byCollection(mutations)) {
      results.push(await this.#queue.run(LANE, () => pushMutations(this.#sync, collection, ms)));
    }
    return results;
  }

  /** Every label the account's app state holds, deleted ones included (flagged). */
  labels(): Promise<AppStateLabel[]> {
    return this.#deps.store.appState.listLabels();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.close();
  }

  async #onNotification(n: BinaryNode): Promise<void> {
    if (n.attrs.type !== 'server_sync') return;
    const names = parseServerSync(n)
      .map((c) => c.name)
      .filter(isCollectionName);
    // Acked at once: the notification holds nothing to keep, and a sync lost to a crash is redone at the next login.
    this.#background(names.length > 0 ? names : COLLECTIONS);
  }

  #background(names: readonly CollectionName[]): void {
    if (this.#closed) return;
    this.sync(names).then(
      (report) => {
        this.#deps.logger.debug({ synced: report.synced, recovered: report.recovered }, 'app state synced');
        if (report.failed.length > 0) this.#deps.logger.warn({ failed: report.failed }, 'app state sync left collections behind');
      },
      (err: unknown) => {
        if (!this.#closed) this.#deps.logger.warn({ err: (err as Error).message }, 'app state sync failed; retried at the next notification or login');
      },
    );
  }

  #isOwnUser(jid: string): boolean {
    const me = this.#deps.me();
    const user = jidNormalizedUser(jid);
    return user !== '' && (user === jidNormalizedUser(me.jid) || (me.lid !== undefined && user === jidNormalizedUser(me.lid)));
  }
}
