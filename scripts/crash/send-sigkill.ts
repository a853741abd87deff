/**
 * SIGKILL the daemon at random moments while a client sends through it, at
 * least 50 times; the client resends each message under its idempotency key
 * after every lost socket. Then count what the simulated phone received, by
 * message id and by payload counter: nothing may be lost, nothing duplicated.
 *
 *   npx tsx scripts/crash/send-sigkill.ts [cycles=50] [seed] [--no-keys]
 *
 * --no-keys is the control run: the client repeats a send without a key, so
 * each attempt is a fresh send; it shows what the counts catch.
 */
import { runSendCycles } from './send-cycles.js';

const args = process.argv.slice(2).filter((a) => a !== '--no-keys');
const keys = !process.argv.includes('--no-keys');
const cycles = Number(args[0] ?? 50);
const seed = Number(args[1] ?? Date.now()) >>> 0;
console.log(`send-sigkill: ${cycles} cycles, seed ${seed}${keys ? '' : ', no idempotency keys (control run)'}`);
const r = await runSendCycles({ cycles, seed, keys, log: (l) => console.log(l) });
console.log(
  `${r.answered} payloads answered, ${r.received} messages at the phone; lost ${r.lost.length}, duplicated by id ${r.duplicatedById.length}, ` +
    `duplicated by payload ${r.duplicatedByPayload.length}, id mismatches ${r.mismatched.length}; ` +
    `same-id copies the phone dropped ${r.redeliveriesDropped}; attempts repeated by the client ${r.retries}; ${r.seconds.toFixed(1)} s`,
);
for (const f of r.failures) console.error(`FAILED: ${f}`);
const clean = r.failures.length === 0 && r.lost.length === 0 && r.duplicatedById.length === 0 && r.duplicatedByPayload.length === 0 && r.mismatched.length === 0 && r.answered > 0;
if (!clean) console.error(`lost ${JSON.stringify(r.lost)}; duplicated by id ${JSON.stringify(r.duplicatedById)}; by payload ${JSON.stringify(r.duplicatedByPayload)}; mismatched ${JSON.stringify(r.mismatched)}`);
console.log(clean ? `OK: ${cycles} SIGKILLs, 0 lost, 0 duplicated` : 'FAILED');
process.exitCode = clean ? 0 : 1;
