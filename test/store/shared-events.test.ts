/**
 * Event logs in a PostgreSQL store shared by daemons, on a real server: a
 * daemon that does not run an account reads its log and moves subscriber
 * cursors straight in the database (no lease needed for a cursor, and no
 * write lowers one, whoever makes it); everything else of the account stays
 * fenced. Every committed append is announced, once, with its seqs and its
 * writer, and a refused batch announces nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import type { StoreNotice } from '../../src/store/backend/pg-events.js';
import { LeaseKeeper } from '../../src/store/cluster/leases.js';
import { NoticeListener } from '../../src/store/cluster/notices.js';
import { SharedEventLog } from '../../src/store/shared-event-log.js';
import { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { makeCreds } from './helpers.js';

const LEASE_MS = 5000;
let postgres: TestPostgres;
let schema = 0;

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

async function member(id: string, s: string) {
  const keeper = new LeaseKeeper({ url: postgres.url, schema: s, daemonId: id, leaseMs: LEASE_MS });
  const backend = await PostgresBackend.open({ url: postgres.url, schema: s, fence: keeper, maxConnections: 3 });
  const store = new Store(backend);
  return {
    keeper,
    store,
    shared: new SharedEventLog(backend),
    async close() {
      await store.close();
      await keeper.close();
    },
  };
}

/** Notices heard on the schema's channel, waited for in order. */
async function listen(s: string) {
  const heard: StoreNotice[] = [];
  let wake: (() => void) | undefined;
  let listening!: () => void;
  const ready = new Promise<void>((r) => (listening = r));
  const listener = new NoticeListener({
    url: postgres.url,
    schema: s,
    onNotice: (n) => {
      heard.push(n);
      wake?.();
    },
    onListening: () => listening(),
  });
  await listener.start();
  await ready;
  return {
    listener,
    /** The next notice not yet taken. */
    async take(): Promise<StoreNotice> {
      while (heard.length === 0) await new Promise<void>((r) => (wake = r));
      return heard.shift()!;
    },
    heard,
  };
}

describe('shared event logs', () => {
  it('another daemon reads the log and moves cursors without the lease; no cursor goes back; the rest stays fenced', async () => {
    const s = `shared${schema++}`;
    const a = await member('A', s);
    const b = await member('B', s);
    try {
      await a.keeper.acquire('acc1');
      const acc = await a.store.account('acc1');
      await acc.transaction((tx) => tx.events.append([1, 2, 3, 4, 5].map((n) => ({ type: 'message:new', t: n, data: { n } }))));
      await acc.transaction((tx) => tx.events.ack('crm', 2));

      expect(await b.shared.lastSeq('acc1')).toBe(5);
      expect((await b.shared.readWithGaps('acc1', 3, 10)).events.map((e) => [e.seq, e.data])).toEqual([
        [3, { n: 3 }],
        [4, { n: 4 }],
        [5, { n: 5 }],
      ]);
      expect(await b.shared.firstSeq('acc1')).toBe(1);
      expect(await b.shared.cursor('acc1', 'crm')).toBe(2);

      // B holds no lease on acc1, yet the consumer's ack through it lands (clamped to the last seq).
      expect(await b.shared.ack('acc1', 'crm', 4)).toBe(4);
      expect(await b.shared.ack('acc1', 'crm', 99)).toBe(5);
      expect(await b.shared.ack('acc1', 'other', 0)).toBe(0);
      // A's own view of the cursor is stale (2): its ack of 3 must not move the stored cursor back.
      await acc.transaction((tx) => tx.events.ack('crm', 3));
      expect(await a.shared.cursor('acc1', 'crm')).toBe(5);
      expect(Object.fromEntries(await b.shared.cursors('acc1'))).toEqual({ crm: 5, other: 0 });

      // Anything but a cursor still needs the lease.
      const accB = await b.store.account('acc1');
      await expect(accB.transaction((tx) => tx.creds.set(makeCreds(2)))).rejects.toMatchObject({ code: 'FENCED' });
      await expect(accB.transaction((tx) => tx.events.append([{ type: 'stale', t: 9, data: 9 }]))).rejects.toMatchObject({ code: 'FENCED' });
      expect(await b.shared.lastSeq('acc1')).toBe(5);

      await b.shared.removeSubscriber('acc1', 'other');
      expect([...(await a.shared.cursors('acc1')).keys()]).toEqual(['crm']);
      expect(await b.shared.cursor('acc1', 'other')).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('each committed append is announced with its seqs and writer; a refused one is not; webhook changes are', async () => {
    const s = `shared${schema++}`;
    const a = await member('A', s);
    const b = await member('B', s);
    const ear = await listen(s);
    try {
      await a.keeper.acquire('acc1');
      await b.keeper.acquire('acc2');
      const acc1 = await a.store.account('acc1');
      const acc2 = await b.store.account('acc2');
      await acc1.transaction((tx) => tx.events.append([{ type: 'x', t: 1, data: 1 }, { type: 'x', t: 2, data: 2 }, { type: 'x', t: 3, data: 3 }]));
      expect(await ear.take()).toEqual({ kind: 'events', owner: 'A', account: 'acc1', first: 1, last: 3 });
      // A batch without events (and a cursor write) says nothing.
      await acc1.transaction((tx) => tx.creds.set(makeCreds(1)));
      await b.shared.ack('acc1', 'crm', 2);
      // Refused by the fence: rolled back, not announced.
      await expect((await b.store.account('acc1')).transaction((tx) => tx.events.append([{ type: 'stale', t: 4, data: 4 }]))).rejects.toMatchObject({
        code: 'FENCED',
      });
      await acc2.transaction((tx) => tx.events.append([{ type: 'y', t: 5, data: 5 }]));
      await acc1.transaction((tx) => tx.events.append([{ type: 'x', t: 6, data: 6 }]));
      // Notices come in commit order: had anything else been announced in between, it would come first.
      expect(await ear.take()).toEqual({ kind: 'events', owner: 'B', account: 'acc2', first: 1, last: 1 });
      expect(await ear.take()).toEqual({ kind: 'events', owner: 'A', account: 'acc1', first: 4, last: 4 });

      await a.store.webhooks.put({ id: 'w1', url: 'http://127.0.0.1:1/', events: undefined, accounts: undefined, secret: 's', createdAt: 1, pausedReason: undefined });
      expect(await ear.take()).toEqual({ kind: 'webhooks' });
      expect(ear.heard).toEqual([]);
    } finally {
      await ear.listener.close();
      await Promise.all([a.close(), b.close()]);
    }
  });
});
