/**
 * Accounts linked for a cluster test: a daemon alone in the cluster (on the
 * shared PostgreSQL store) links each through the simulated phones, then
 * leaves, handing every lease back, so the cluster's daemons find them
 * linked and spread them among themselves.
 */
import type { SimHandle } from '../../../src/sim/index.js';
import type { TestPostgres } from '../../support/postgres.js';
import { admin, daemonFor, linkByQr } from './daemon.js';

export interface ClusterAccount {
  readonly id: string;
  readonly phone: string;
  readonly name: string;
}

/**
 * Registers each account's phone and links them all at once from `dir`;
 * resolves with each account's companion device jid (what the simulator's
 * sessions are keyed by) once the linker has stopped.
 */
export async function linkClusterAccounts(s: SimHandle, postgres: TestPostgres, dir: string, cluster: object, accounts: readonly ClusterAccount[]): Promise<Map<string, string>> {
  const linker = await daemonFor(s, dir, [
    ['store.backend', 'postgres'],
    ['store.url', postgres.url],
    ['cluster', cluster],
  ]);
  const devices = new Map<string, string>();
  try {
    await Promise.all(
      accounts.map(async ({ id, phone, name }) => {
        await admin(s, 'POST', '/phones', { phone, name });
        await linkByQr(s, linker, id, phone);
        devices.set(id, linker.accountStatus(id).jid!);
      }),
    );
  } finally {
    await linker.stop();
  }
  return new Map(accounts.map(({ id }) => [id, devices.get(id)!]));
}
