/**
 * Leases and fencing on a real PostgreSQL: two daemons (two lease keepers,
 * two fenced stores) share one database. Only the holder of an account's
 * lease can write it; a holder that stops renewing (a paused process) loses
 * the account once the lease expires, the next acquisition gets a higher
 * token, and every write the old holder attempts after that is refused by
 * the database, leaving the new holder's records as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import { LeaseKeeper } from '../../src/store/cluster/leases.js';
import { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { bytes, dump, makeCreds } from './helpers.js';
import { unsafeSignalAddress } from '../../src/store/families/address.js';

const alice = unsafeSignalAddress('15550001111', 's.whatsapp.net', 0);
const LEASE_MS = 400;
let postgres: TestPostgres;
let schema = 0;

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

/** A daemon's view of the shared store: its lease keeper and a store fenced by it. */
async function member(id: string, s: string, lost: string[] = []) {
  const keeper = new LeaseKeeper({ url: postgres.url, schema: s, daemonId: id, leaseMs: LEASE_MS, onLost: (a) => lost.push(a) });
  const backend = await PostgresBackend.open({ url: postgres.url, schema: s, fence: keeper, maxConnections: 3 });
  const store = new Store(backend);
  return {
    keeper,
    store,
    backend,
    lost,
    async close() {
      await store.close();
      await keeper.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the database says the account's lease is expired (its own clock decides). */
async function expired(s: string, account: string): Promise<void> {
  for (;;) {
    const rows = await postgres.query<{ live: boolean }>(`SELECT expires_at > clock_timestamp() AS live FROM ${s}.account_leases WHERE account = $1`, [account]);
    if (!rows[0]?.live) return;
    await sleep(50);
  }
}

describe('account leases', () => {
  it('a daemon writes only the accounts it holds; daemon-wide records need no lease', async () => {
    const s = `leases${schema++}`;
    const a = await member('A', s);
    try {
      const acc = await a.store.account('acc1');
      await expect(acc.transaction((tx) => tx.creds.set(makeCreds()))).rejects.toMatchObject({ code: 'FENCED' });
      await expect(a.store.putAccount({ id: 'acc1', createdAt: 1, config: {} })).rejects.toMatchObject({ code: 'FENCED' });
      await a.store.putDaemonRecord('web-version', { v: 'x' });
      expect(await a.keeper.acquire('acc1')).toBe(1n);
      await a.store.putAccount({ id: 'acc1', createdAt: 1, config: {} });
      await acc.transaction((tx) => tx.creds.set(makeCreds()));
      expect((await a.store.listAccounts()).map((r) => r.id)).toEqual(['acc1']);
    } finally {
      await a.close();
    }
  });

  it('one holder at a time; a stopped holder loses the account at expiry, and its late writes are refused', async () => {
    const s = `leases${schema++}`;
    const a = await member('A', s);
    const b = await member('B', s);
    try {
      expect(await a.keeper.acquire('acc1')).toBe(1n);
      expect(await b.keeper.acquire('acc1')).toBeUndefined();
      const accA = await a.store.account('acc1');
      await accA.transaction((tx) => {
        tx.creds.set(makeCreds(1));
        tx.sessions.put(alice, bytes(4, 1));
        tx.events.append([{ type: 'x', t: 1, data: 1 }]);
      });
      // Renewals keep it: B still cannot take it well past one lease.
      for (let i = 0; i < 4; i++) {
        await sleep(LEASE_MS / 4);
        expect(await a.keeper.renew()).toEqual([]);
      }
      expect(await b.keeper.acquire('acc1')).toBeUndefined();

      // A stops renewing (paused): once the lease expires B takes the account with the next token.
      await expired(s, 'acc1');
      expect(await b.keeper.acquire('acc1')).toBe(2n);
      const accB = await b.store.account('acc1');
      expect(accB.creds?.registrationId).toBe(1001);
      expect(accB.events.lastSeq).toBe(1);
      await accB.transaction((tx) => {
        tx.sessions.put(alice, bytes(4, 2));
        tx.events.append([{ type: 'y', t: 2, data: 2 }]);
      });
      const before = await dump(b.backend);

      // A wakes up: its writes are refused by the database, and it learns that it lost the account.
      await expect(
        accA.transaction((tx) => {
          tx.sessions.put(alice, bytes(4, 9));
          tx.events.append([{ type: 'stale', t: 3, data: 3 }]);
        }),
      ).rejects.toMatchObject({ code: 'FENCED' });
      expect(a.lost).toEqual(['acc1']);
      expect(a.keeper.token('acc1')).toBeUndefined();
      // Refused before it reaches the database now: A holds no lease at all.
      await expect(accA.transaction((tx) => tx.sessions.put(alice, bytes(4, 8)))).rejects.toMatchObject({ code: 'FENCED' });
      expect(await dump(b.backend)).toEqual(before);
      expect(await accB.sessions.get(alice)).toEqual(bytes(4, 2));
      expect(await b.keeper.renew()).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a renewal after expiry reports the lease lost even when nobody took it; released accounts are free at once', async () => {
    const s = `leases${schema++}`;
    const a = await member('A', s);
    const b = await member('B', s);
    try {
      await a.keeper.acquire('acc1');
      await a.keeper.acquire('acc2');
      await expired(s, 'acc1');
      expect((await a.keeper.renew()).sort()).toEqual(['acc1', 'acc2']);
      expect(a.lost.sort()).toEqual(['acc1', 'acc2']);
      // Taken again, by anyone, only with a new token.
      expect(await a.keeper.acquire('acc1')).toBe(2n);
      await a.keeper.release('acc1');
      expect(await b.keeper.acquire('acc1')).toBe(3n);
      const leases = await b.keeper.leases();
      expect(leases.map((l) => [l.account, l.owner, l.token, l.live])).toEqual([
        ['acc1', 'B', 3n, true],
        ['acc2', 'A', 1n, false],
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('writes after the lease expired are refused, also while a takeover is under way, and none lands after it', async () => {
    const s = `leases${schema++}`;
    const a = await member('A', s);
    const b = await member('B', s);
    try {
      await a.keeper.acquire('acc1');
      const accA = await a.store.account('acc1');
      await accA.transaction((tx) => tx.creds.set(makeCreds(1)));
      await expired(s, 'acc1');
      // A paused past its lease fires writes while B takes the account over: the database refuses every one.
      const writes = Array.from({ length: 20 }, (_, i) =>
        accA.transaction((tx) => tx.events.append([{ type: 'w', t: i, data: i }])).then(
          () => 'ok',
          (err: { code?: string }) => err.code,
        ),
      );
      const token = await b.keeper.acquire('acc1');
      expect(token).toBe(2n);
      const outcomes = await Promise.all(writes);
      expect(outcomes.every((o) => o === 'FENCED')).toBe(true); // expired before the first write: none may land
      const accB = await b.store.account('acc1');
      expect(accB.events.lastSeq).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('heartbeats tell the live daemons and their endpoints; leave() hands every account over', async () => {
    const s = `leases${schema++}`;
    const a = await member('A', s);
    const b = await member('B', s);
    try {
      await a.keeper.heartbeat();
      await b.keeper.heartbeat();
      expect((await a.keeper.liveDaemons()).map((d) => d.id)).toEqual(['A', 'B']);
      await a.keeper.acquire('acc1');
      await a.keeper.leave();
      expect((await b.keeper.liveDaemons()).map((d) => d.id)).toEqual(['B']);
      expect(await b.keeper.acquire('acc1')).toBe(2n);
      // Without heartbeats B drops out of the live set once its last one is older than a lease.
      while ((await b.keeper.liveDaemons()).length > 0) await sleep(50);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
