/**
 * Child process of the store crash tests: opens the store in argv[2], pairs if
 * needed, then commits workload transactions until it is killed, printing
 * `C <n>` after each commit resolves. Argument 3 seeds the random sizes.
 */
import { ACCOUNT, openStore, pair, step } from './store-workload.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: store-writer <data-dir> [seed]');
let seed = Number(process.argv[3] ?? 1) >>> 0 || 1;
const random = (): number => {
  // xorshift32: reproducible sizes for a given seed.
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};

const store = await openStore(dataDir);
const account = await store.account(ACCOUNT);
await pair(account);
process.stdout.write('R\n');
for (let n = account.creds!.accountSyncCounter + 1; ; n++) {
  await step(account, n, random);
  process.stdout.write(`C ${n}\n`);
}
