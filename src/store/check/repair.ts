/**
 * `wad store check` and `wad store repair` (the daemon stopped: LevelDB's lock
 * refuses a second opener).
 *
 * check: opens the store as it is (nothing created, stamped or marked) and
 * reports, per account, what does not decode and whether the daemon would
 * load the account or quarantine it.
 *
 * repair: when LevelDB cannot open the database (a lost CURRENT or MANIFEST,
 * a corrupt table), or a read fails part-way, LevelDB's repair rebuilds it
 * from the files it finds. Then, per account, in one batch each, and every
 * step in the report (never silently):
 *  - a damaged registry entry is rewritten minimal (id, now, no settings); an
 *    account with records but no entry gets one;
 *  - a damaged event seq is rebuilt from the highest event and cursor;
 *  - every other record that does not decode is moved under
 *    `quarantine/<time>/<its key>` (kept, out of the account's way): damaged
 *    credentials leave the account to be linked again, a session is rebuilt
 *    by the next retry or bundle fetch;
 *  - damaged events stay where they are: subscribers get them as an `error`
 *    event naming the gap, and retention deletes them in time.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { LevelBackend } from '../backend/level.js';
import type { BatchOp, KVBackend } from '../backend/types.js';
import { StoreError } from '../errors.js';
import { ACCOUNTS_PREFIX, accountPrefix, key, u64 } from '../keys.js';
import { inspectStore, readMarker, STORE_DIR, STORE_ID_KEY, stampStoreId, writeMarker, type InspectedStore } from '../opening.js';
import { encodeAccount } from '../store.js';
import { EVENT_SEQ } from '../families/events.js';
import { loads, printableKey, QUARANTINE_PREFIX, scanStore, type AccountFindings, type ScanResult } from './scan.js';

export interface AccountCheck {
  readonly id: string;
  /** `ok`: nothing damaged; `damaged`: some records do not decode, the account still loads; `failed`: the daemon quarantines it; `orphan`: records without a registry entry (not listed by the daemon). */
  readonly status: 'ok' | 'damaged' | 'failed' | 'orphan';
  readonly records: number;
  readonly damaged: ReadonlyArray<{ key: string; what: string; reason: string; loadCritical: boolean }>;
}

export interface CheckReport {
  readonly ok: boolean;
  readonly storeId: string | undefined;
  /** The data dir's marker against the store's id; `none` for a PostgreSQL store (no data dir of its own). */
  readonly marker: 'ok' | 'missing' | 'mismatch' | 'no-id' | 'none';
  readonly accounts: AccountCheck[];
  readonly unknownKeys: string[];
  readonly quarantined: number;
  readonly readError: string | undefined;
}

export interface RepairAction {
  readonly account: string | undefined;
  readonly key: string;
  readonly action: 'leveldb-repair' | 'identity' | 'rewritten' | 'quarantined' | 'registry-created' | 'kept';
  readonly detail: string;
}

export interface RepairReport {
  readonly actions: RepairAction[];
  /** The store as check sees it after the repair. */
  readonly after: CheckReport;
}

function accountCheck(a: AccountFindings): AccountCheck {
  const status = a.registry === 'missing' ? 'orphan' : !loads(a) ? 'failed' : a.damaged.length > 0 ? 'damaged' : 'ok';
  return { id: a.id, status, records: a.records, damaged: a.damaged.map((d) => ({ key: printableKey(d.key), what: d.what, reason: d.reason, loadCritical: d.loadCritical })) };
}

/** What check says of a scan; a PostgreSQL store has no data dir, so no marker. */
export function report(scan: ScanResult, opened: Pick<InspectedStore, 'marker' | 'storeId'>, postgres = false): CheckReport {
  const marker = postgres ? 'none' : !opened.marker ? 'missing' : opened.storeId === undefined ? 'no-id' : opened.storeId !== opened.marker.id ? 'mismatch' : 'ok';
  const accounts = scan.accounts.map(accountCheck);
  const ok = (marker === 'ok' || marker === 'none') && scan.readError === undefined && scan.unknown.length === 0 && accounts.every((a) => a.status === 'ok');
  return { ok, storeId: opened.storeId, marker, accounts, unknownKeys: scan.unknown, quarantined: scan.quarantined, readError: scan.readError };
}

/**
 * Reports what is damaged, per account. Read-only.
 * @throws StoreError STORE_MISSING, STORE_DAMAGED (LevelDB cannot open it: repair), OPEN_FAILED (the daemon runs), NO_SPACE
 */
export async function checkStore(dataDir: string): Promise<CheckReport> {
  const opened = await inspectStore(dataDir);
  try {
    return report(await scanStore(opened.backend), opened);
  } finally {
    await opened.backend.close();
  }
}

/**
 * Repairs what can be repaired and reports every step.
 * @throws StoreError STORE_MISSING (nothing to repair), OPEN_FAILED (the daemon runs), STORE_DAMAGED (another
 *   data dir's store, or LevelDB's repair could not make it readable), NO_SPACE
 */
export async function repairStore(dataDir: string, now = Date.now()): Promise<RepairReport> {
  const actions: RepairAction[] = [];
  const location = join(dataDir, STORE_DIR);
  const levelRepair = async (why: string): Promise<void> => {
    await LevelBackend.repair(location);
    actions.push({ account: undefined, key: location, action: 'leveldb-repair', detail: `LevelDB repair (${why}): every record it could read is kept; what sat in a block it could not read is lost (compare the accounts' record counts with check's), files it could not use are in ${join(location, 'lost')}` });
  };
  let opened: InspectedStore;
  try {
    opened = await inspectStore(dataDir);
  } catch (err) {
    if (!(err instanceof StoreError) || err.code !== 'STORE_DAMAGED') throw err;
    await levelRepair(err.message);
    opened = await inspectStore(dataDir);
  }
  let scan = await scanStore(opened.backend);
  if (scan.readError !== undefined) {
    await opened.backend.close();
    await levelRepair(`a read failed: ${scan.readError}`);
    opened = await inspectStore(dataDir);
    scan = await scanStore(opened.backend);
  }
  try {
    if (scan.readError !== undefined) throw new StoreError('STORE_DAMAGED', `the store is still unreadable after LevelDB's repair: ${scan.readError}`);
    await repairIdentity(dataDir, opened, actions);
    const stamp = new Date(now).toISOString();
    for (const a of scan.accounts) await repairAccount(opened.backend, a, stamp, now, actions);
    const id = await opened.backend.get(STORE_ID_KEY);
    const after = report(await scanStore(opened.backend), { marker: await readMarker(dataDir), storeId: id && new TextDecoder().decode(id) });
    return { actions, after };
  } finally {
    await opened.backend.close();
  }
}

async function repairIdentity(dataDir: string, opened: InspectedStore, actions: RepairAction[]): Promise<void> {
  const { marker, storeId } = opened;
  if (marker && storeId !== undefined && storeId !== marker.id) {
    throw new StoreError(
      'STORE_DAMAGED',
      `the store in ${dataDir} has id ${storeId} but the data dir's marker says ${marker.id}: it belongs to another data dir; if it is this one's, delete ${join(dataDir, 'store.json')} and run repair again`,
    );
  }
  if (marker && storeId === undefined) {
    await stampStoreId(opened.backend, marker.id);
    actions.push({ account: undefined, key: 'meta/store-id', action: 'identity', detail: `the store's id record was lost: written again from the marker (${marker.id})` });
  } else if (!marker) {
    const id = storeId ?? randomUUID();
    if (storeId === undefined) await stampStoreId(opened.backend, id);
    await writeMarker(dataDir, { id, createdAt: Date.now() });
    actions.push({ account: undefined, key: 'store.json', action: 'identity', detail: `marker written (store id ${id})` });
  }
}

/** One account's repair, in one batch; every step in `actions`. */
export async function repairAccount(backend: KVBackend, a: AccountFindings, stamp: string, now: number, actions: RepairAction[]): Promise<void> {
  const ops: BatchOp[] = [];
  const act = (k: Uint8Array | string, action: RepairAction['action'], detail: string): void => {
    actions.push({ account: a.id, key: typeof k === 'string' ? k : printableKey(k), action, detail });
  };
  const registry = key(ACCOUNTS_PREFIX, a.id);
  const minimalEntry = encodeAccount({ id: a.id, createdAt: now, config: {} });
  if (a.registry === 'missing') {
    ops.push({ type: 'put', key: registry, value: minimalEntry });
    act(registry, 'registry-created', `the account had ${a.records} records but no registry entry: entry created (no settings)`);
  }
  const events: typeof a.damaged = [];
  for (const d of a.damaged) {
    const value = await backend.get(d.key);
    if (d.family === 'ev') {
      events.push(d);
      continue;
    }
    if (value) ops.push({ type: 'put', key: quarantineKey(stamp, d.key), value });
    if (d.family === 'registry') {
      ops.push({ type: 'put', key: registry, value: minimalEntry });
      act(d.key, 'rewritten', `registry entry did not decode (${d.reason}): rewritten without settings (phone, autoStart); the old bytes are quarantined`);
    } else if (d.family === 'evseq') {
      const seq = Math.max(a.lastEventSeq, a.maxCursor);
      ops.push({ type: 'put', key: key(accountPrefix(a.id), EVENT_SEQ), value: u64(seq) });
      act(d.key, 'rewritten', `event seq did not decode (${d.reason}): rebuilt as ${seq} from the newest event and cursor`);
    } else {
      ops.push({ type: 'del', key: d.key });
      act(d.key, 'quarantined', `${d.what} did not decode (${d.reason}): moved to quarantine${consequence(d.family)}`);
    }
  }
  if (events.length > 0) {
    act(`${events.length} event(s)`, 'kept', `damaged events left in place: subscribers are told the gap (an error event) when they reach them; retention deletes them`);
  }
  if (ops.length > 0) await backend.batch(ops);
}

function consequence(family: string): string {
  switch (family) {
    case 'creds':
      return '; the account has no credentials now and must be linked again (`wad account add <id>`)';
    case 'evc':
      return '; that subscriber starts again from the `since` it subscribes with';
    case 'ses':
      return '; the session is rebuilt at the next message (retry receipt or a fetched prekey bundle)';
    case 'sk':
      return '; the group sender key is asked for again at the next group message';
    default:
      return '';
  }
}

function quarantineKey(stamp: string, original: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`${new TextDecoder().decode(QUARANTINE_PREFIX)}${stamp}/`);
  const out = new Uint8Array(prefix.length + original.length);
  out.set(prefix);
  out.set(original, prefix.length);
  return out;
}
