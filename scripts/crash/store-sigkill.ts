/**
 * SIGKILL the store writer at random moments, many times, and check after each
 * kill that the store opens, no committed transaction is lost and none is
 * half there (CONTRACTS §6, field lesson 7).
 *
 *   npx tsx scripts/crash/store-sigkill.ts [cycles=60] [seed]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashCycle, writerCommand } from './store-cycles.js';

const cycles = Number(process.argv[2] ?? 60);
let seed = Number(process.argv[3] ?? Date.now()) >>> 0 || 1;
const random = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};

const dataDir = await mkdtemp(join(tmpdir(), 'wad-sigkill-'));
console.log(`store-sigkill: ${cycles} cycles, seed ${process.argv[3] ?? '(time)'} , data in ${dataDir}`);
const cmd = await writerCommand();
let failures = 0;
let startupKills = 0;
let last = 0;
for (let i = 1; i <= cycles; i++) {
  try {
    const r = await crashCycle(cmd, dataDir, random, 300);
    if (r.phase === 'startup') startupKills++;
    console.log(`cycle ${i}: killed while ${r.phase}; writer reported ${r.reported}, store holds ${r.found} (+${r.found - last})`);
    last = r.found;
  } catch (err) {
    failures++;
    console.error(`cycle ${i}: FAILED: ${(err as Error).message}`);
    break;
  }
}
console.log(`${failures === 0 ? 'OK' : 'FAILED'}: ${cycles} cycles (${startupKills} during start-up), ${last} transactions committed`);
await rm(dataDir, { recursive: true, force: true });
await cmd.dispose();
process.exitCode = failures === 0 ? 0 : 1;
