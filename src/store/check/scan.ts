/**
 * One read-only pass over the whole database for `wad store check` and
 * `repair`: every record is decoded with its family's validator and the
 * ones that do not decode are listed per account, with what an account
 * needs to be loadable (registry entry, creds, event seq, cursors). Keys
 * outside the known namespaces are listed too. Never writes.
 */
import type { KVBackend } from '../backend/types.js';
import { decodeAccount } from '../store.js';
import { ACCOUNTS_PREFIX, ACCOUNT_ID_PATTERN, readU64 } from '../keys.js';
import { STORE_ID_KEY } from '../opening.js';
import { FAMILY_RULES, recordProblem } from './validators.js';
import { WEBHOOKS_PREFIX, decodeWebhook } from '../webhooks.js';

const SLASH = 0x2f;
const ACCOUNT_NS = new TextEncoder().encode('a/');
export const QUARANTINE_PREFIX = new TextEncoder().encode('quarantine/');
const latin1 = new TextDecoder('latin1');

export interface DamagedRecord {
  /** The record's key as stored (repair moves or rewrites it). */
  readonly key: Uint8Array;
  /** The family tag (`creds`, `ev`, `ses`…), or `registry` for `accounts/<id>`. */
  readonly family: string;
  /** What a person calls it. */
  readonly what: string;
  readonly reason: string;
  /** Read when the account opens: the daemon quarantines the account for it. */
  readonly loadCritical: boolean;
}

export interface AccountFindings {
  readonly id: string;
  registry: 'ok' | 'damaged' | 'missing';
  records: number;
  readonly damaged: DamagedRecord[];
  hasCreds: boolean;
  /** Highest event seq with a record (0: none), and the highest cursor: what a lost event seq is rebuilt from. */
  lastEventSeq: number;
  maxCursor: number;
}

export interface ScanResult {
  readonly accounts: AccountFindings[];
  /** Keys outside every known namespace. */
  readonly unknown: string[];
  /** Records repair moved aside earlier (kept under `quarantine/`). */
  quarantined: number;
  /** The database refused a read part-way (LevelDB found corruption): the scan is incomplete. */
  readError: string | undefined;
}

/** A key as text a person can read: printable ASCII as is, other bytes as \xNN. */
export function printableKey(k: Uint8Array): string {
  let out = '';
  for (const b of k) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

function startsWith(k: Uint8Array, prefix: Uint8Array): boolean {
  if (k.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (k[i] !== prefix[i]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && startsWith(a, b);
}

export async function scanStore(backend: KVBackend): Promise<ScanResult> {
  const byId = new Map<string, AccountFindings>();
  const result: ScanResult = { accounts: [], unknown: [], quarantined: 0, readError: undefined };
  const account = (id: string): AccountFindings => {
    let a = byId.get(id);
    if (!a) byId.set(id, (a = { id, registry: 'missing', records: 0, damaged: [], hasCreds: false, lastEventSeq: 0, maxCursor: 0 }));
    return a;
  };
  try {
    for await (const [k, v] of backend.iterate({})) {
      if (startsWith(k, QUARANTINE_PREFIX)) result.quarantined++;
      else if (sameBytes(k, STORE_ID_KEY)) continue;
      else if (startsWith(k, ACCOUNTS_PREFIX)) registryEntry(k, v, account, result);
      else if (startsWith(k, ACCOUNT_NS)) accountRecord(k, v, account, result);
      else if (startsWith(k, WEBHOOKS_PREFIX) && decodes(v)) continue;
      else result.unknown.push(printableKey(k));
    }
  } catch (err) {
    result.readError = err instanceof Error ? err.message : String(err);
  }
  result.accounts.push(...[...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
  return result;
}

/** A webhook's record is the daemon's, not an account's: one that does not decode is listed with the unknown keys. */
function decodes(v: Uint8Array): boolean {
  try {
    decodeWebhook(v);
    return true;
  } catch {
    return false;
  }
}

function registryEntry(k: Uint8Array, v: Uint8Array, account: (id: string) => AccountFindings, result: ScanResult): void {
  const id = latin1.decode(k.subarray(ACCOUNTS_PREFIX.length));
  if (!ACCOUNT_ID_PATTERN.test(id)) {
    result.unknown.push(printableKey(k));
    return;
  }
  const a = account(id);
  try {
    const record = decodeAccount(v);
    if (record.id !== id) throw new Error(`names account ${JSON.stringify(record.id)}`);
    a.registry = 'ok';
  } catch (err) {
    a.registry = 'damaged';
    a.damaged.push({ key: k, family: 'registry', what: 'registry entry', reason: (err as Error).message, loadCritical: true });
  }
}

function accountRecord(k: Uint8Array, v: Uint8Array, account: (id: string) => AccountFindings, result: ScanResult): void {
  const idEnd = k.indexOf(SLASH, ACCOUNT_NS.length);
  const id = idEnd > 0 ? latin1.decode(k.subarray(ACCOUNT_NS.length, idEnd)) : '';
  if (!ACCOUNT_ID_PATTERN.test(id)) {
    result.unknown.push(printableKey(k));
    return;
  }
  const a = account(id);
  a.records++;
  const famEnd = k.indexOf(SLASH, idEnd + 1);
  const family = latin1.decode(k.subarray(idEnd + 1, famEnd < 0 ? k.length : famEnd));
  const tail = famEnd < 0 ? new Uint8Array(0) : k.subarray(famEnd + 1);
  const reason = recordProblem(family, v, tail);
  if (family === 'creds') a.hasCreds = true;
  if (family === 'ev' && tail.length === 8) a.lastEventSeq = Math.max(a.lastEventSeq, readU64(tail, 0));
  if (family === 'evc' && reason === undefined) a.maxCursor = Math.max(a.maxCursor, readU64(v, 0));
  if (reason === undefined) return;
  const rule = FAMILY_RULES[family];
  a.damaged.push({ key: k, family, what: rule?.name ?? family, reason, loadCritical: rule?.loadCritical ?? false });
}

/** True when the daemon would load the account (it would not be quarantined). */
export function loads(a: AccountFindings): boolean {
  return a.registry === 'ok' && !a.damaged.some((d) => d.loadCritical);
}
