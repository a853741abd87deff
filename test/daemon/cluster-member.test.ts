/**
 * The cluster member's rounds on a real PostgreSQL: while the accounts it
 * has won are still starting (slower than a lease lasts), it keeps renewing
 * every lease it holds, so no other daemon can take them meanwhile; and it
 * starts them a few at a time, never all at once.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountManager } from '../../src/daemon/accounts/index.js';
import { ClusterMember } from '../../src/daemon/cluster/member.js';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import { LeaseKeeper } from '../../src/store/cluster/leases.js';
import { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const LEASE_MS = 1000;
const ACCOUNTS = 20;
let postgres: TestPostgres;

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The accounts whose lease the database says `owner` holds right now. */
async function liveLeases(schema: string, owner: string): Promise<string[]> {
  const rows = await postgres.query<{ account: string }>(`SELECT account FROM ${schema}.account_leases WHERE owner = $1 AND expires_at > clock_timestamp() ORDER BY account`, [owner]);
  return rows.map((r) => r.account);
}

describe('cluster member', () => {
  it('renews its leases while won accounts are still starting, and starts them a few at a time', async () => {
    const schema = 'member0';
    const ids = Array.from({ length: ACCOUNTS }, (_, i) => `acc${String(i).padStart(2, '0')}`);
    // The accounts exist in the shared store, and nobody holds them.
    const setupKeeper = new LeaseKeeper({ url: postgres.url, schema, daemonId: 'setup', leaseMs: LEASE_MS });
    const setupBackend = await PostgresBackend.open({ url: postgres.url, schema, fence: setupKeeper, maxConnections: 2 });
    const setup = new Store(setupBackend);
    for (const id of ids) {
      await setupKeeper.acquire(id);
      await setup.putAccount({ id, createdAt: 1, config: {} });
      await setupKeeper.release(id);
    }
    await setup.close();
    await setupKeeper.close();

    const keeper = new LeaseKeeper({ url: postgres.url, schema, daemonId: 'A', leaseMs: LEASE_MS });
    const backend = await PostgresBackend.open({ url: postgres.url, schema, fence: keeper, maxConnections: 2 });
    const store = new Store(backend);
    // Each start takes until the test lets it finish: far longer than a lease.
    let inFlight = 0;
    let widest = 0;
    const started: string[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const accounts = {
      track: () => {},
      adopt: async (id: string) => {
        inFlight++;
        widest = Math.max(widest, inFlight);
        await finished;
        started.push(id);
        inFlight--;
      },
      giveUp: async () => {},
    } as unknown as AccountManager;
    const member = new ClusterMember({ keeper, store, accounts, logger: pino({ level: 'silent' }), renewMs: 200 });
    const first = member.start();
    try {
      await sleep(3 * LEASE_MS);
      expect(await liveLeases(schema, 'A')).toEqual(ids);
      expect(widest).toBeGreaterThan(1);
      expect(widest).toBeLessThanOrEqual(8);
      finish();
      await first;
      expect(started.sort()).toEqual(ids);
      expect(await liveLeases(schema, 'A')).toEqual(ids);
    } finally {
      finish();
      await member.stop();
      await member.leave();
      await store.close();
    }
  }, 30_000);
});
