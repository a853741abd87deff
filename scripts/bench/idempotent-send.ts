/**
 * What an idempotency key costs a send: texts through the whole daemon
 * (WadClient on the control socket, messaging, the store, the simulator's
 * server and phone), 4 in flight, in rounds that alternate sends without a
 * key and sends with a fresh key each (the key's record rides in the send's
 * first batch; the ack adds one small batch). Reports sends/s per round and
 * the median of each kind.
 *
 *   npx tsx scripts/bench/idempotent-send.ts [--sends 400] [--rounds 5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { WadClient } from '../../src/client/index.js';
import { configForSimulator } from '../../src/config/index.js';
import { createDaemon } from '../../src/daemon/index.js';
import { startSim } from '../../src/sim/index.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SENDS = arg('--sends', 400);
const ROUNDS = arg('--rounds', 5);
const FAST = { perSecond: 10_000, burst: 10_000 };

const sim = await startSim();
const dir = await mkdtemp(join(tmpdir(), 'wad-bench-idem-'));
const d = await createDaemon(configForSimulator(sim, dir, 'bench', [['accounts.sendRate', FAST], ['ipc.rateLimit', FAST], ['ipc.accountRateLimit', FAST]]), {
  logger: pino({ level: 'silent' }),
  pool: { inline: 'all' },
});
const post = (p: string, b: unknown) => fetch(`${sim.adminUrl}${p}`, { method: 'POST', body: JSON.stringify(b) }).then((r) => r.json());
await post('/phones', { phone: '15550007001', name: 'w' });
await post('/phones', { phone: '15550007002', name: 'r' });
const client = await WadClient.connect({ socket: d.socketPath });
let qr: string | undefined;
await client.addAccount('w', { onUpdate: (e) => typeof e.data.qr === 'string' && (qr ??= e.data.qr) });
while (!qr) await new Promise((r) => setTimeout(r, 20));
await post('/phones/15550007001/link', { qr });
await client.waitForState('w');

async function round(keyed: boolean, r: number): Promise<number> {
  const t = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < SENDS / 4; i++) await client.send('w', '15550007002', { type: 'text', content: `m${i}`, ...(keyed ? { idempotencyKey: `r${r}-w${w}-${i}` } : {}) });
    }),
  );
  return SENDS / ((performance.now() - t) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await round(false, -1); // warm-up: sessions, device lists, JIT
const plain: number[] = [];
const keyed: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  plain.push(await round(false, r));
  keyed.push(await round(true, r));
  console.log(`round ${r + 1}: without key ${plain.at(-1)!.toFixed(0)} sends/s, with key ${keyed.at(-1)!.toFixed(0)} sends/s`);
}
console.log(`median of ${ROUNDS} rounds of ${SENDS}: without key ${median(plain).toFixed(0)} sends/s, with key ${median(keyed).toFixed(0)} sends/s (${((median(keyed) / median(plain) - 1) * 100).toFixed(1)} %)`);
await client.close();
await d.stop();
await sim.close();
await rm(dir, { recursive: true, force: true });
