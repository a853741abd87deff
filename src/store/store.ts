/**
 * The daemon's store: one backend (LevelDB at `<data-dir>/store`), the
 * registry of accounts (`accounts/<id>`) and one AccountStore per open
 * account. Owns opening, the registry and account lifetimes; record layouts
 * belong to the account store and its families.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountStore, type AccountStoreOptions } from './account-store.js';
import { LevelBackend, type LevelBackendOptions } from './backend/level.js';
import type { KVBackend } from './backend/types.js';
import { encodeRecord, type ValueMap } from './codec/value.js';
import { Fields } from './codec/fields.js';
import { StoreError } from './errors.js';
import { ACCOUNTS_PREFIX, assertAccountId, key, prefixRange } from './keys.js';

export interface AccountRecord {
  readonly id: string;
  /** Unix ms. */
  readonly createdAt: number;
  /** Per-account settings (phone for pairing-code login, send pacing overrides, autostart…). */
  readonly config: ValueMap;
}

export interface StoreOptions extends AccountStoreOptions {
  readonly level?: LevelBackendOptions;
}

const FORMAT = 1;

function decodeAccount(bytes: Uint8Array): AccountRecord {
  const f = Fields.of('account', bytes, FORMAT);
  return { id: f.str('id'), createdAt: f.int('createdAt'), config: f.sub('config').map };
}

export class Store {
  readonly #backend: KVBackend;
  readonly #options: AccountStoreOptions;
  readonly #accounts = new Map<string, Promise<AccountStore>>();
  #closed = false;

  constructor(backend: KVBackend, options: AccountStoreOptions = {}) {
    this.#backend = backend;
    this.#options = options;
  }

  /**
   * Opens the LevelDB store under `<dataDir>/store` (creating the directories, owner-only).
   * @throws StoreError OPEN_FAILED
   */
  static async open(dataDir: string, options: StoreOptions = {}): Promise<Store> {
    const location = join(dataDir, 'store');
    try {
      await mkdir(location, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StoreError('OPEN_FAILED', `cannot create ${location}: ${(err as Error).message}`, { cause: err });
    }
    return new Store(await LevelBackend.open(location, options.level), options);
  }

  get backend(): KVBackend {
    return this.#backend;
  }

  /** @throws StoreError READ_FAILED, CORRUPT_RECORD, CLOSED */
  async listAccounts(): Promise<AccountRecord[]> {
    this.#assertOpen();
    const out: AccountRecord[] = [];
    for await (const [, v] of this.#backend.iterate(prefixRange(ACCOUNTS_PREFIX))) out.push(decodeAccount(v));
    return out;
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
    const value = encodeRecord(FORMAT, { id: record.id, createdAt: record.createdAt, config: record.config });
    await this.#backend.batch([{ type: 'put', key: key(ACCOUNTS_PREFIX, record.id), value }]);
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
   * An AccountStore handed out before is closed.
   */
  async removeAccount(id: string): Promise<void> {
    const account = await this.account(id);
    await account.wipe('remove');
    this.#accounts.delete(id);
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
