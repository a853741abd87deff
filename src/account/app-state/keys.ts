/**
 * The app state sync keys of one account: the phone shares them in a peer
 * protocol message (AppStateSyncKeyShare), they are stored in the batch of
 * that message (so the message is acked only once they are durable), and
 * the expanded keys are held in memory for decoding and signing.
 *
 * Only our own devices may share keys: a share from anyone else would let
 * them read and forge our app state, so it is dropped.
 */
import type { Logger } from 'pino';
import { Keyring, newestKey, parseKeyShare, AppStateError, expandAppStateKeys, type KeyLookup, type SigningKey, type SyncKey } from '../../protocol/appstate/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { AccountStore, Transaction } from '../../store/index.js';
import type { ProtocolMessageEffect } from '../messaging/index.js';

export class SyncKeys {
  readonly #store: AccountStore;
  readonly #logger: Logger;
  #loaded: Promise<{ ring: Keyring; keys: SyncKey[] }> | undefined;

  constructor(store: AccountStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /** The keyring (loaded from the store once, then kept up to date by shares). */
  async lookup(): Promise<{ lookup: KeyLookup; has: (keyId: Uint8Array) => boolean }> {
    const { ring } = await this.#load();
    return { lookup: ring.lookup, has: (id) => ring.has(id) };
  }

  /** The key our own patches are signed with: the newest shared, undefined before any share. */
  async signingKey(): Promise<SigningKey | undefined> {
    const { keys } = await this.#load();
    const newest = newestKey(keys);
    return newest && { keyId: newest.keyId, keys: expandAppStateKeys(newest.keyData) };
  }

  async any(): Promise<boolean> {
    return (await this.#load()).keys.length > 0;
  }

  /**
   * A key share from one of our own devices: the keys to store with the
   * message, and `onShared` once they are durable.
   */
  accept(share: proto.Message.IAppStateSyncKeyShare, fromOwnDevice: boolean, onShared: () => void): ProtocolMessageEffect | undefined {
    if (!fromOwnDevice) {
      this.#logger.warn('app state key share from another user dropped');
      return undefined;
    }
    let keys: SyncKey[];
    try {
      keys = parseKeyShare(share);
    } catch (err) {
      if (!(err instanceof AppStateError)) throw err;
      this.#logger.warn({ err: err.message }, 'unreadable app state key share dropped');
      return undefined;
    }
    if (keys.length === 0) return undefined;
    return {
      stage: (tx: Transaction) => {
        for (const k of keys) tx.appState.putSyncKey(k.keyId, { keyData: k.keyData, fingerprint: k.fingerprint && { ...k.fingerprint, deviceIndexes: [...k.fingerprint.deviceIndexes] }, timestamp: k.timestamp });
      },
      committed: () => {
        this.#loaded = undefined;
        this.#logger.info({ keys: keys.length }, 'app state keys received');
        onShared();
      },
    };
  }

  #load(): Promise<{ ring: Keyring; keys: SyncKey[] }> {
    this.#loaded ??= this.#store.appState.listSyncKeys().then((stored) => {
      const keys = stored.map((k) => ({ keyId: k.keyId, keyData: k.keyData, timestamp: k.timestamp }));
      return { ring: new Keyring(keys), keys };
    });
    const loading = this.#loaded;
    loading.catch(() => {
      if (this.#loaded === loading) this.#loaded = undefined;
    });
    return loading;
  }
}
