/**
 * `wad store check|repair [--data-dir DIR] [--config FILE] [--json]`: looks
 * at the daemon's store directly: the LevelDB store of the data dir (the
 * daemon stopped: LevelDB's lock refuses a second opener, and the command
 * says so), or the PostgreSQL store the config names (check reads a snapshot
 * beside running daemons; repair refuses while any daemon uses it). check is
 * read-only; repair changes the store and prints every step it took.
 * Exit codes: check 0 when nothing is damaged; repair 0 when every account
 * loads afterwards; 1 otherwise; 2 bad usage.
 */
import { loadConfig, type ConfigOverride } from '../config/index.js';
import { checkPostgresStore, checkStore, postgresStoreName, repairPostgresStore, repairStore, StoreError, type CheckReport, type RepairReport } from '../store/index.js';
import { UsageError, jsonLine, parse, run } from './common.js';

const USAGE = `usage: wad store check|repair [--data-dir DIR] [--config FILE] [--json]

The store of the config: LevelDB in the data dir, or PostgreSQL (store.backend
"postgres", store.url, store.schema).
  check    reports, per account, which records do not decode and whether the
           daemon would load the account or quarantine it (state "failed").
           Read-only. Exits 1 when anything is damaged. LevelDB: with the
           daemon stopped. PostgreSQL: may run beside the daemons (one snapshot).
  repair   LevelDB's repair when the database cannot be opened or read (a lost
           CURRENT file, a damaged table), then per account: a damaged registry
           entry or event seq is rewritten, other records that do not decode
           are moved under quarantine/ (kept, out of the way), damaged events
           stay and reach subscribers as a reported gap. Prints every step.
           With every daemon on the store stopped (PostgreSQL: it refuses while
           a daemon holds leases, beats a heartbeat or has connections open).

options:
  --data-dir DIR   the daemon's data directory (default: from the config, $WAD_DATA_DIR, else ~/.local/share/wad)
  --config FILE    the daemon's config file (for its dataDir, or its store.* on PostgreSQL;
                   $WAD_STORE_BACKEND and $WAD_STORE_URL work too)
  --json           machine output: one JSON object
  -h, --help       this text`;

export async function runStore(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  return run(`store ${sub}`, async () => {
    const { values, positionals } = parse(rest, { config: { type: 'string' } });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`usage: wad store ${sub} [--data-dir DIR]`);
    if (sub !== 'check' && sub !== 'repair') throw new UsageError(`unknown command 'store ${sub}' (see wad store --help)`);
    const overrides: ConfigOverride[] = values['data-dir'] !== undefined ? [{ key: 'dataDir', value: values['data-dir'], source: '--data-dir' }] : [];
    const config = loadConfig({ configPath: values.config, overrides });
    const { dataDir } = config;
    if (config.store.backend === 'postgres' && config.store.url) {
      const at = { url: config.store.url, schema: config.store.schema ?? undefined, leaseMs: config.cluster.leaseMs };
      const name = postgresStoreName(at);
      if (sub === 'check') {
        const report = await checkPostgresStore(at);
        if (values.json) jsonLine({ store: name, ...report });
        else printCheck(name, report);
        return report.ok ? 0 : 1;
      }
      const repaired = await repairPostgresStore(at);
      if (values.json) jsonLine({ store: name, ...repaired });
      else printRepair(name, repaired);
      return loadable(repaired) ? 0 : 1;
    }
    try {
      if (sub === 'check') {
        const report = await checkStore(dataDir);
        if (values.json) jsonLine({ dataDir, ...report });
        else printCheck(dataDir, report);
        return report.ok ? 0 : 1;
      }
      const repaired = await repairStore(dataDir);
      if (values.json) jsonLine({ dataDir, ...repaired });
      else printRepair(dataDir, repaired);
      return loadable(repaired) ? 0 : 1;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'OPEN_FAILED' && /locked/.test(err.message)) {
        throw new Error(`the store in ${dataDir} is in use: stop the daemon first`);
      }
      if (err instanceof StoreError && err.code === 'STORE_DAMAGED' && sub === 'check') {
        throw new Error(`${err.message.replace(/: run `wad store repair`.*$/, '')} (LevelDB cannot open it: run \`wad store repair\`)`);
      }
      throw err;
    }
  });
}

const STATUS_TEXT = {
  ok: 'ok',
  damaged: 'damaged (runs; the damaged records are skipped or rebuilt)',
  failed: 'FAILED (the daemon quarantines it)',
  orphan: 'orphan (records without a registry entry: not listed by the daemon)',
} as const;

function printCheck(store: string, r: CheckReport): void {
  const out: string[] = [r.marker === 'none' ? `store ${store}: id ${r.storeId ?? '(none)'}` : `store ${store}: id ${r.storeId ?? '(none)'}, marker ${r.marker}`];
  if (r.readError) out.push(`  the database refused a read (the scan stopped there): ${r.readError}`);
  if (r.accounts.length === 0) out.push('  no accounts');
  for (const a of r.accounts) {
    out.push(`account ${a.id}: ${STATUS_TEXT[a.status]}, ${a.records} records`);
    for (const d of a.damaged.slice(0, 20)) out.push(`  ${d.what} ${d.key}: ${d.reason}`);
    if (a.damaged.length > 20) out.push(`  … and ${a.damaged.length - 20} more (--json lists all)`);
  }
  for (const k of r.unknownKeys.slice(0, 20)) out.push(`unknown key ${k}`);
  if (r.quarantined > 0) out.push(`${r.quarantined} record(s) kept in quarantine by an earlier repair`);
  out.push(r.ok ? 'nothing damaged' : 'damage found: `wad store repair` (with the daemon stopped) deals with it and reports each step');
  process.stdout.write(out.join('\n') + '\n');
}

function printRepair(store: string, r: RepairReport): void {
  const out: string[] = [`repair of ${store}:`];
  if (r.actions.length === 0) out.push('  nothing to repair');
  for (const a of r.actions) out.push(`  ${a.account ? `account ${a.account}: ` : ''}${a.action} ${a.key}: ${a.detail}`);
  const bad = r.after.accounts.filter((a) => a.status === 'failed' || a.status === 'orphan');
  out.push(loadable(r) ? 'every account loads now' : `still not loadable: ${bad.map((a) => a.id).join(', ') || r.after.readError}`);
  process.stdout.write(out.join('\n') + '\n');
}

/** Repair succeeded when the daemon will load every account (damaged events may remain: they are reported as gaps). */
function loadable(r: RepairReport): boolean {
  return !r.after.readError && r.after.accounts.every((a) => a.status === 'ok' || a.status === 'damaged');
}
