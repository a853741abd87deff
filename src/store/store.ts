/**
 * The daemon's store: one backend (LevelDB at `<data-dir>/store`), the
 * registry of accounts (`accounts/<id>`) and one AccountStore per open
 * account. Owns opening, the registry and account lifetimes; record layouts
 * belong to the account store and its families.
 *
 * One account's damage stays that account's: a registry entry that does not
 * decode is reported by id (registry()), not thrown for the whole list, and
 * an account whose records do not load can still be removed (removeAccount
 * deletes its key range without loading it).
 */
import type { LevelBackendOptions } from './backend/level.js';
import { PostgresBackend, type PostgresBackendOptions } from './backend/postgres.js';
import { AccountStore, type AccountStoreOptions } from './account-store.js';
import type { BatchOp, KVBackend } from './backend/types.js';
import { encodeRecord, type ValueMap } from './codec/value.js';
import { Fields } from './codec/fields.js';
import { StoreError } from './errors.js';
import { ACCOUNTS_PREFIX, DAEMON_PREFIX, ACCOUNT_ID_PATTERN, accountPrefix, assertAccountId, key, prefixRange, tailText } from './keys.js';
import { openStoreBackend, type OpenedBackend } from './opening.js';
import { WebhookRecords } from './webhooks.js';

export interface AccountRecord {
  readonly id: string;
  /** Unix ms. */
  readonly createdAt: number;
  /** Per-account settings (phone for pairing-code login, send pacing overrides, autostart…). */
  readonly config: ValueMap;
}

export interface StoreOptions extends AccountStoreOptions {
  readonly level?: LevelBackendOptions;
  /** Keep the records in PostgreSQL instead of LevelDB under the data dir. */
  readonly postgres?: PostgresBackendOptions;
}

/** A registry entry that could not be read: the account it names and why. */
export interface DamagedAccount {
  readonly id: string;
  readonly reason: string;
}

const FORMAT = 1;

/** @throws StoreError CORRUPT_RECORD */
export function decodeAccount(bytes: Uint8Array): AccountRecord {
  const f = Fields.of('account', bytes, FORMAT);
  return { id: f.str('id'), createdAt: f.int('createdAt'), config: f.sub('config').map };
}

export function encodeAccount(record: AccountRecord): Uint8Array {
  return encodeRecord(FORMAT, { id: record.id, createdAt: record.createdAt, config: record.config });
}

export class Store {
  readonly #backend: KVBackend;
  readonly #options: AccountStoreOptions;
  readonly #accounts = new Map<string, Promise<AccountStore>>();
  #closed = false;
  /** How Store.open found the database (undefined for a store built on a given backend). */
  readonly origin: OpenedBackend['how'] | undefined;

  constructor(backend: KVBackend, options: AccountStoreOptions = {}, origin?: OpenedBackend['how']) {
    this.#backend = backend;
    this.#options = options;
    this.origin = origin;
  }

  /**
   * Opens the LevelDB store under `<dataDir>/store`: creates it in a data dir
   * that never had one, and refuses one that is missing or damaged (opening.ts).
   * With `options.postgres`, opens that database instead (its schema migrated).
   * `wrap` puts a layer between the store and LevelDB (fault injection in tests).
   * @throws StoreError STORE_MISSING, STORE_DAMAGED, NO_SPACE, OPEN_FAILED
   */
  static async open(dataDir: string, options: StoreOptions = {}, wrap?: (backend: KVBackend) => KVBackend): Promise<Store> {
    if (options.postgres) {
      const backend = await PostgresBackend.open(options.postgres);
      return new Store(wrap ? wrap(backend) : backend, options, backend.migrated.includes(1) ? 'created' : 'opened');
    }
    const opened = await openStoreBackend(dataDir, options.level);
    return new Store(wrap ? wrap(opened.backend) : opened.backend, options, opened.how);
  }

  get backend(): KVBackend {
    return this.#backend;
  }

  /** The daemon's webhooks. */
  get webhooks(): WebhookRecords {
    this.#assertOpen();
    return new WebhookRecords(this.#backend);
  }

  /** Every registry entry. @throws StoreError READ_FAILED, CORRUPT_RECORD (any entry), CLOSED */
  async listAccounts(): Promise<AccountRecord[]> {
    const { accounts, damaged } = await this.registry();
    if (damaged.length > 0) throw new StoreError('CORRUPT_RECORD', `registry entry of account ${damaged[0]!.id}: ${damaged[0]!.reason}`);
    return accounts;
  }

  /**
   * The registry, each entry on its own: the entries that decode, and the
   * accounts whose entry does not (named by the entry's key).
   * @throws StoreError STORE_DAMAGED (the registry's range cannot be read at all), CLOSED
   */
  async registry(): Promise<{ accounts: AccountRecord[]; damaged: DamagedAccount[] }> {
    this.#assertOpen();
    const accounts: AccountRecord[] = [];
    const damaged: DamagedAccount[] = [];
    try {
      await this.#readRegistry(accounts, damaged);
    } catch (err) {
      if (!(err instanceof StoreError) || err.code !== 'READ_FAILED') throw err;
      // Without the registry no account can be told from another: this one is the whole store's.
      throw new StoreError('STORE_DAMAGED', `the account registry cannot be read (${err.message}): run \`wad store repair\` (with the daemon stopped)`, { cause: err });
    }
    return { accounts, damaged };
  }

  async #readRegistry(accounts: AccountRecord[], damaged: DamagedAccount[]): Promise<void> {
    for await (const [k, v] of this.#backend.iterate(prefixRange(ACCOUNTS_PREFIX))) {
      let id: string;
      try {
        id = tailText(k, ACCOUNTS_PREFIX);
      } catch {
        continue; // A key that is not UTF-8 names no account we could report or start.
      }
      try {
        const record = decodeAccount(v);
        if (record.id !== id) throw new StoreError('CORRUPT_RECORD', `account: names ${JSON.stringify(record.id)} under the key of ${id}`);
        accounts.push(record);
      } catch (err) {
        if (!ACCOUNT_ID_PATTERN.test(id)) continue;
        damaged.push({ id, reason: `registry entry: ${(err as Error).message}` });
      }
    }
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    this.#assertOpen();
    assertAccountId(id);
    const v = await this.#backend.get(key(ACCOUNTS_PREFIX, id));
    return v && decodeAccount(v);
  }

  /** Adds or replaces a registry entry. @throws StoreError BAD_KEY, BAD_VALUE, WRITE_FAILED, CLOSED */
  async putAccount(record: AccountRecord): Promise<void> {
    this.#assertOpen();
    assertAccountId(record.id);
    await this.#backend.batch([{ type: 'put', key: key(ACCOUNTS_PREFIX, record.id), value: encodeAccount(record) }]);
  }

  /** A daemon-wide record by name (no account's), or undefined. @throws StoreError READ_FAILED, CORRUPT_RECORD, CLOSED */
  async daemonRecord(name: string): Promise<ValueMap | undefined> {
    this.#assertOpen();
    const v = await this.#backend.get(key(DAEMON_PREFIX, name));
    return v && Fields.of(`daemon/${name}`, v, FORMAT).map;
  }

  /** Replaces a daemon-wide record. @throws StoreError BAD_KEY, WRITE_FAILED, CLOSED */
  async putDaemonRecord(name: string, value: ValueMap): Promise<void> {
    this.#assertOpen();
    await this.#backend.batch([{ type: 'put', key: key(DAEMON_PREFIX, name), value: encodeRecord(FORMAT, value) }]);
  }

  /**
   * The account's store, opened once and shared (whether or not it is in the registry).
   * @throws StoreError BAD_KEY, READ_FAILED, CORRUPT_RECORD, CLOSED
   */
  async account(id: string): Promise<AccountStore> {
    this.#assertOpen();
    assertAccountId(id);
    let opening = this.#accounts.get(id);
    if (!opening) {
      opening = AccountStore.open(this.#backend, id, this.#options);
      this.#accounts.set(id, opening);
      opening.catch(() => this.#accounts.delete(id));
    }
    return opening;
  }

  /**
   * Deletes every record of the account and its registry entry in one batch.
   * An AccountStore handed out before is closed. An account whose records do
   * not load (quarantined) is deleted by its key range, unread.
   * @throws StoreError BAD_KEY, WRITE_FAILED, NO_SPACE, READ_FAILED, CLOSED
   */
  async removeAccount(id: string): Promise<void> {
    let account: AccountStore | undefined;
    try {
      account = await this.account(id);
    } catch (err) {
      if (!(err instanceof StoreError) || (err.code !== 'CORRUPT_RECORD' && err.code !== 'READ_FAILED')) throw err;
    }
    if (account) await account.wipe('remove');
    else {
      const ops: BatchOp[] = [{ type: 'del', key: key(ACCOUNTS_PREFIX, id) }];
      for await (const [k] of this.#backend.iterate(prefixRange(accountPrefix(id)))) ops.push({ type: 'del', key: k });
      await this.#backend.batch(ops);
    }
    this.#accounts.delete(id);
  }

  /**
   * Closes the account's store (its running transaction finishes) and forgets
   * it: the next account(id) loads it afresh from the backend. For an account
   * another daemon takes over in a shared database, whose records then change
   * behind this daemon's cache.
   */
  async closeAccount(id: string): Promise<void> {
    const opening = this.#accounts.get(id);
    if (!opening) return;
    this.#accounts.delete(id);
    const account = await opening.catch(() => undefined);
    await account?.close();
  }

  /** Closes every account store (running transactions finish), then the backend. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const opened = await Promise.allSettled(this.#accounts.values());
    await Promise.all(opened.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    this.#accounts.clear();
    await this.#backend.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('CLOSED', 'store is closed');
  }
}
