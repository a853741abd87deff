// Cross-daemon event latency in a cluster: daemon A (a fenced store holding every account's lease)
// appends `message:new` events at a steady rate over many accounts; daemon B (its event hub and the
// cluster feed, following every account) publishes them live. Prints how long after its append began
// each event was committed at A and published at B (p50/p99/max), the feed's reads per event, and
// checks that B published every event once, in seq order per account.
//   node --import tsx scripts/bench/cluster-events.ts [--accounts 300] [--rate 500] [--seconds 10]
// PostgreSQL is a private server on 127.0.0.1 (test/support/postgres.ts, fsync off).
import pino from 'pino';
import type { WadEvent } from '../../src/contract/api.js';
import { ClusterEvents } from '../../src/daemon/cluster-events.js';
import { EventHub, toWadEvent } from '../../src/daemon/event-sink.js';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import { LeaseKeeper } from '../../src/store/cluster/leases.js';
import { SharedEventLog, Store } from '../../src/store/index.js';
import { startPostgres } from '../../test/support/postgres.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ACCOUNTS = arg('accounts', 300);
const RATE = arg('rate', 500);
const SECONDS = arg('seconds', 10);
const ids = Array.from({ length: ACCOUNTS }, (_, i) => `bench${i}`);
const logger = pino({ level: 'warn' });

const pg = await startPostgres();
const keeper = new LeaseKeeper({ url: pg.url, daemonId: 'A', leaseMs: 600_000 });
const backendA = await PostgresBackend.open({ url: pg.url, fence: keeper });
const storeA = new Store(backendA);
const backendB = await PostgresBackend.open({ url: pg.url });
const shared = new SharedEventLog(backendB);
const hub = new EventHub(logger);
let reads = 0;
const feed = new ClusterEvents({
  url: pg.url,
  daemonId: 'B',
  hub,
  read: async (account, from, limit) => {
    reads++;
    return (await shared.readWithGaps(account, from, limit)).events.map((e) => toWadEvent(account, e));
  },
  lastSeqs: (accounts) => shared.lastSeqs(accounts),
  accounts: () => ids,
  onWebhooksChanged: () => {},
  logger,
});
try {
  for (const id of ids) await keeper.acquire(id);
  const stores = await Promise.all(ids.map((id) => storeA.account(id)));
  await feed.start();
  feed.follow();

  const started = new Map<string, number>();
  const committed: number[] = [];
  const published: number[] = [];
  const lastSeq = new Map<string, number>();
  let outOfOrder = 0;
  let doubled = 0;
  hub.onEvent((ev: WadEvent) => {
    const key = `${ev.account}:${ev.seq}`;
    const t0 = started.get(key);
    if (t0 === undefined) return;
    if (ev.seq <= (lastSeq.get(ev.account) ?? 0)) (ev.seq === lastSeq.get(ev.account) ? doubled++ : outOfOrder++);
    lastSeq.set(ev.account, ev.seq);
    published.push(performance.now() - t0);
  });

  // A steady rate: every tick, the next accounts in turn append one event each.
  const total = RATE * SECONDS;
  const tickMs = 10;
  const perTick = (RATE * tickMs) / 1000;
  let sent = 0;
  let owed = 0;
  const inFlight = new Set<Promise<void>>();
  const began = performance.now();
  while (sent < total) {
    owed += perTick;
    for (; owed >= 1 && sent < total; owed--, sent++) {
      const i = sent % ACCOUNTS;
      const store = stores[i]!;
      const seq = Math.floor(sent / ACCOUNTS) + 1;
      started.set(`${ids[i]}:${seq}`, performance.now());
      const t0 = performance.now();
      const p = store
        .transaction((tx) => void tx.events.append([{ type: 'message:new', t: Date.now(), data: { d: { id: `m${sent}`, text: 'hello there' } } }]))
        .then(() => void committed.push(performance.now() - t0));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    const next = began + ((sent / RATE) * 1000);
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all(inFlight);
  const deadline = Date.now() + 60_000;
  while (published.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(1);
  const max = (xs: number[]) => Math.max(...xs).toFixed(1);
  console.log(`${ACCOUNTS} accounts, ${RATE} events/s for ${SECONDS} s (${total} events; ${Math.round(total / ((performance.now() - began) / 1000))} /s achieved)`);
  console.log(`committed at A: p50 ${q(committed, 0.5)} ms, p99 ${q(committed, 0.99)} ms, max ${max(committed)} ms`);
  console.log(`published at B: p50 ${q(published, 0.5)} ms, p99 ${q(published, 0.99)} ms, max ${max(published)} ms (from the append's start)`);
  console.log(`B: ${published.length}/${total} published, ${doubled} doubled, ${outOfOrder} out of order, ${reads} reads (${(reads / total).toFixed(2)} per event)`);
  if (published.length !== total || doubled > 0 || outOfOrder > 0) process.exitCode = 1;
} finally {
  await feed.stop();
  await storeA.close();
  await backendB.close();
  await keeper.close();
  await pg.stop();
}
