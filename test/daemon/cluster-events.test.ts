/**
 * The cluster's event feed on a real PostgreSQL: daemon A appends to an
 * account it holds, and daemon B's hub publishes those events live, once each
 * and in order, while a subscription at B follows them; what came before B
 * listened is not published (it is the log's); while nobody follows, nothing
 * is read; and after B's listening connection is cut, or its server side
 * stops answering, what was appended meanwhile is read from the log once it
 * listens again; an account removed and added anew starts over at seq 1.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WadEvent } from '../../src/contract/api.js';
import { ClusterEvents } from '../../src/daemon/cluster-events.js';
import { EventHub, toWadEvent } from '../../src/daemon/event-sink.js';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import { LeaseKeeper } from '../../src/store/cluster/leases.js';
import { SharedEventLog } from '../../src/store/shared-event-log.js';
import { Store } from '../../src/store/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let postgres: TestPostgres;

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

async function until(what: string, fn: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the cluster event feed', () => {
  it("publishes another daemon's appends once, in order, while followed; reads nothing unfollowed; catches up after a lost connection", async () => {
    const schema = 'feed';
    const keeper = new LeaseKeeper({ url: postgres.url, schema, daemonId: 'A', leaseMs: 30_000 });
    const backendA = await PostgresBackend.open({ url: postgres.url, schema, fence: keeper, maxConnections: 2 });
    const storeA = new Store(backendA);
    const backendB = await PostgresBackend.open({ url: postgres.url, schema, maxConnections: 2 });
    const shared = new SharedEventLog(backendB);
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const hub = new EventHub(logger);
    const published: WadEvent[] = [];
    hub.onEvent((ev) => published.push(ev));
    let reads = 0;
    const feed = new ClusterEvents({
      url: postgres.url,
      schema,
      daemonId: 'B',
      hub,
      read: async (account, from, limit) => {
        reads++;
        return (await shared.readWithGaps(account, from, limit)).events.map((e) => toWadEvent(account, e));
      },
      lastSeqs: (accounts) => shared.lastSeqs(accounts),
      accounts: () => ['acc1'],
      onWebhooksChanged: () => {},
      logger,
      pingMs: 300,
    });
    try {
      await keeper.acquire('acc1');
      const acc = await storeA.account('acc1');
      const append = (...ns: number[]) => acc.transaction((tx) => tx.events.append(ns.map((n) => ({ type: 'message:new', t: n, data: { d: { n } } }))));
      await append(1, 2);
      await feed.start();
      await until('the feed took the log as it was when it listened', () => hub.highest('acc1') === 2);

      const stop = feed.follow();
      await append(3, 4, 5);
      await append(6);
      await until('events 3..6 published', () => published.length >= 4);
      expect(published.map((e) => [e.seq, e.data])).toEqual([3, 4, 5, 6].map((n) => [n, { n }]));

      // Nobody follows: the notices only move the mark, nothing is read or published.
      stop();
      const readsBefore = reads;
      await append(7, 8);
      await until('the mark moved past 8', () => hub.highest('acc1') === 8);
      expect(reads).toBe(readsBefore);
      expect(published.map((e) => e.seq)).toEqual([3, 4, 5, 6]);

      // Followed again, the listening connection is cut; what is appended around it arrives once.
      feed.follow(['acc1']);
      const cut = await postgres.query<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'wad-notices'`);
      expect(cut.map((r) => r.ok)).toEqual([true]);
      await append(9, 10);
      await until('the connection loss noticed', () => warnings.some((w) => w.includes('listening to the cluster')));
      await append(11);
      await until('events 9..11 published', () => published.length >= 7);
      expect(published.map((e) => e.seq)).toEqual([3, 4, 5, 6, 9, 10, 11]);
      await until('listening again', async () => (await postgres.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'wad-notices'`)).length === 1);
      await append(12);
      await until('event 12 published', () => published.length >= 8);
      expect(published.map((e) => e.seq)).toEqual([3, 4, 5, 6, 9, 10, 11, 12]);

      // The server process behind the listening connection freezes (a cut network looks the same):
      // no error comes, only silence; the check notices it, and a new connection catches up.
      const [frozen] = await postgres.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'wad-notices'`);
      process.kill(frozen!.pid, 'SIGSTOP');
      try {
        await append(13);
        await until('a new listening connection', async () => (await postgres.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'wad-notices' AND pid <> $1`, [frozen!.pid])).length === 1);
        await until('event 13 published', () => published.length >= 9);
        expect(published.map((e) => e.seq)).toEqual([3, 4, 5, 6, 9, 10, 11, 12, 13]);
        expect(warnings.some((w) => w.includes('did not answer'))).toBe(true);
      } finally {
        process.kill(frozen!.pid, 'SIGCONT');
      }

      // The account removed and added again under its id: its new log, from seq 1, is published too.
      await storeA.removeAccount('acc1');
      const fresh = await storeA.account('acc1');
      await fresh.transaction((tx) => tx.events.append([{ type: 'message:new', t: 1, data: { d: { n: 100 } } }]));
      await until('the new log published', () => published.length >= 10);
      expect(published.slice(9).map((e) => [e.seq, e.data])).toEqual([[1, { n: 100 }]]);
    } finally {
      await feed.stop();
      await storeA.close();
      await backendB.close();
      await keeper.close();
    }
  });
});
