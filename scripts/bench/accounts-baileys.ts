/**
 * The reference for scripts/bench/accounts.ts: N unmodified Baileys 7
 * sockets linked by QR against the same simulator (in-memory auth state,
 * the test harness's), memory per idle online account measured the same way.
 * Prints one JSON line. Run by accounts.ts --baileys N.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient } from '../../test/sim/baileys-harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const sim = JSON.parse(process.argv[2]!) as SimHandle;
const n = Number(process.argv[3] ?? 20);

async function measure() {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage();
}

const base = await measure();
const clients: BaileysClient[] = [];
for (let i = 0; i < n; i++) {
  const phone = `1333${String(i).padStart(7, '0')}`;
  await fetch(`${sim.adminUrl}/phones`, { method: 'POST', body: JSON.stringify({ phone, name: `b${i}` }) });
  const c = new BaileysClient(sim, `b${i}`);
  await c.linkByQr(phone);
  clients.push(c);
  process.stderr.write(`baileys linked ${i + 1}\n`);
}
// Baileys waits up to 20 s for a history sync after its first login.
await new Promise((r) => setTimeout(r, 22_000));
const m = await measure();
process.stdout.write(
  JSON.stringify({ n, heapPer: (m.heapUsed - base.heapUsed) / n, externalPer: (m.external - base.external) / n, rssPer: (m.rss - base.rss) / n, heap: m.heapUsed, rss: m.rss }) + '\n',
);
for (const c of clients) c.kill();
process.exit(0);
