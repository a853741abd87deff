// The store's backends side by side: a received message's batch (session, event, message
// record) committed per account, many accounts at once, on LevelDB and on PostgreSQL
// (a private server on 127.0.0.1, test/support/postgres.ts; with fencing, as a cluster runs it).
//   node --import tsx scripts/bench/store-backends.ts [--accounts 50] [--n 200]
// Prints messages/s over all accounts and the p50/p99 commit latency per message.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import { LeaseKeeper } from '../../src/store/cluster/leases.js';
import { Store } from '../../src/store/index.js';
import { unsafeSignalAddress } from '../../src/store/families/address.js';
import { startPostgres } from '../../test/support/postgres.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ACCOUNTS = arg('accounts', 50);
const N = arg('n', 200);
const SESSION = new Uint8Array(1200).fill(7);
const peer = unsafeSignalAddress('15550001111', 's.whatsapp.net', 0);

async function run(name: string, store: Store): Promise<void> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: ACCOUNTS }, async (_, a) => {
      const account = await store.account(`bench${a}`);
      for (let i = 0; i < N; i++) {
        const t0 = performance.now();
        await account.transaction((tx) => {
          tx.sessions.put(peer, SESSION);
          tx.messages.put('15550001111@s.whatsapp.net', `m${i}`, { type: 'text', t: i });
          tx.events.append([{ type: 'message:new', t: i, data: { d: { id: `m${i}`, text: 'hello there' } } }]);
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2);
  console.log(`${name}: ${ACCOUNTS} accounts × ${N} messages: ${Math.round((ACCOUNTS * N) / seconds)} messages/s, commit p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`);
}

const dir = await mkdtemp(join(tmpdir(), 'wad-bench-backends-'));
const pg = await startPostgres();
try {
  const level = await Store.open(dir);
  await run('LevelDB', level);
  await level.close();

  const keeper = new LeaseKeeper({ url: pg.url, daemonId: 'bench', leaseMs: 600_000 });
  const backend = await PostgresBackend.open({ url: pg.url, fence: keeper });
  for (let a = 0; a < ACCOUNTS; a++) await keeper.acquire(`bench${a}`);
  const postgres = new Store(backend);
  await run('PostgreSQL (fenced)', postgres);
  await postgres.close();
  await keeper.close();
} finally {
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
