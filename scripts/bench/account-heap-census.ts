/**
 * Where an idle online account's heap goes: heap snapshots of the daemon with
 * no account and with N idle online accounts (the simulator in a child
 * process), self sizes summed per constructor (or string, closure, array…)
 * and the difference per account, largest first. The compiled build, as users
 * run it.
 *
 *   npx tsx scripts/bench/account-heap-census.ts [--accounts 100] [--top 40]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { productionDaemon } from './production-daemon.js';
import { admin, benchConfig, inPool, linkAccount, startSimProcess } from './sim-process.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--accounts', 100);
const TOP = arg('--top', 40);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self bytes and counts per "type:name" of every node in a snapshot file. */
async function census(file: string): Promise<Map<string, { bytes: number; count: number }>> {
  const snap = JSON.parse(await readFile(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [t, n, s] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + t]!]!;
    const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + n]!]! : '';
    const key = `${type}${name ? `:${name.slice(0, 60)}` : ''}`;
    const e = out.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += snap.nodes[i + s]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

async function snapshot(dir: string, name: string): Promise<string> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return writeHeapSnapshot(join(dir, name));
}

const phone = (i: number) => `1445${String(i).padStart(7, '0')}`;
const { createDaemon } = await productionDaemon();
const { child, info: sim } = await startSimProcess();
const dir = await mkdtemp(join(tmpdir(), 'wad-heap-census-'));
try {
  await inPool(Array.from({ length: N }, (_, i) => i), 16, async (i) => void (await admin(sim, 'POST', '/phones', { phone: phone(i), name: `u${i}` })));
  const d = await createDaemon(benchConfig(sim, dir, [['accounts.maxAccounts', Math.max(1000, N)]]), { logger: pino({ level: 'silent' }), ipc: false });
  const before = await census(await snapshot(dir, 'before.heapsnapshot'));
  await inPool(Array.from({ length: N }, (_, i) => i), 8, (i) => linkAccount(d, sim, `a${i}`, phone(i)));
  await new Promise((r) => setTimeout(r, 2000));
  const after = await census(await snapshot(dir, 'after.heapsnapshot'));
  await d.stop();
  const rows = [...after].map(([key, a]) => {
    const b = before.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: (a.bytes - b.bytes) / N, count: (a.count - b.count) / N };
  });
  rows.sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`Heap self size per idle online account, ${N} accounts: ${(total / 1024).toFixed(1)} KiB\n`);
  console.log('| what | bytes / account | objects / account |\n|---|---:|---:|');
  for (const r of rows.slice(0, TOP)) console.log(`| ${r.key.replace(/\|/g, '\\|')} | ${r.bytes.toFixed(0)} | ${r.count.toFixed(1)} |`);
} finally {
  child.kill('SIGTERM');
  if (process.env.KEEP_SNAPSHOTS) console.error(`snapshots kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
