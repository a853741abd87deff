/**
 * SIGKILL the daemon at random moments — while it starts, while accounts pair
 * by QR or by code, while they are online — at least 50 times, and check
 * after each restart that the store opens, every account that finished
 * linking comes back online with no re-link, and nothing unlinked is online.
 *
 *   npx tsx scripts/crash/account-sigkill.ts [cycles=50] [seed]
 */
import { runAccountCycles } from './account-cycles.js';

const cycles = Number(process.argv[2] ?? 50);
const seed = Number(process.argv[3] ?? Date.now()) >>> 0;
console.log(`account-sigkill: ${cycles} cycles, seed ${seed}`);
const t0 = Date.now();
const r = await runAccountCycles({ cycles, seed, log: (l) => console.log(l) });
console.log(`kills by moment: ${JSON.stringify(r.kills)}; accounts linked ${r.linked}, never finished linking ${r.notLinked}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
for (const f of r.failures) console.error(`FAILED: ${f}`);
console.log(r.failures.length === 0 ? `OK: ${cycles} SIGKILL cycles, no corrupt store, no re-link` : 'FAILED');
process.exitCode = r.failures.length === 0 ? 0 : 1;
