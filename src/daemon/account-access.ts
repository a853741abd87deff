/**
 * How a control request reaches one account: the running account for live
 * work, or the account's store for reads a stopped account can answer too.
 * Every request goes through these so each one reports an unknown, stopped
 * or quarantined account the same way, and maps the account's own errors to
 * the contract's codes in one place.
 */
import type { Account } from '../account/account.js';
import { DaemonError } from '../contract/errors.js';
import type { AccountStore, Store } from '../store/index.js';
import type { AccountManager } from './accounts/index.js';
import type { ClusterMember } from './cluster/member.js';
import { toDaemonError } from './error-map.js';

/** What the lookups need from the daemon: its accounts, its store and (in a cluster) its membership. */
export interface AccountAccess {
  readonly accounts: AccountManager;
  readonly store: Store;
  readonly cluster: ClusterMember | undefined;
}

/** Runs `fn` on the running account. @throws DaemonError NOT_FOUND, UNAVAILABLE (not running), and what `fn` throws, mapped */
export async function callRunning<R>(accounts: AccountManager, id: string, fn: (account: Account) => Promise<R>): Promise<R> {
  accounts.status(id);
  const account = accounts.running(id);
  if (!account) throw new DaemonError('UNAVAILABLE', `account ${id} is ${accounts.status(id).state}`);
  try {
    return await fn(account);
  } catch (err) {
    throw toDaemonError(err);
  }
}

/** The account's store; undefined when it is quarantined. @throws DaemonError NOT_FOUND */
export async function accountStore(access: AccountAccess, account: string): Promise<AccountStore | undefined> {
  access.accounts.status(account);
  if (access.accounts.failure(account) !== undefined) return undefined;
  // Another daemon's account changes behind any cache: read it fresh from the shared store each time.
  if (access.cluster && !access.cluster.held(account)) await access.store.closeAccount(account);
  return access.store.account(account);
}

/** The account's store for a read. @throws DaemonError NOT_FOUND, UNAVAILABLE (quarantined) */
export async function readableStore(access: AccountAccess, id: string): Promise<AccountStore> {
  const store = await accountStore(access, id);
  if (!store) throw new DaemonError('UNAVAILABLE', `account ${id} failed: ${access.accounts.failure(id)}`);
  return store;
}
