/**
 * With --data-dir the simulator keeps a JSON snapshot (`sim-state.json`) of
 * its keys (so the root public key a daemon pinned stays valid), users,
 * devices, prekeys, groups, offline queues, app state collections and each
 * phone's own snapshot.
 * Writes are debounced and atomic (temp file + rename); a restarted simulator
 * starts from the last snapshot. Without a data dir nothing is written.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNode, encodeNode, type BinaryNode } from '../protocol/binary/index.js';
import type { AppStateStoreSnapshot } from './app-state/store.js';
import type { GroupSnapshot } from './groups.js';
import type { UserSnapshot } from './state.js';

export const SNAPSHOT_FILE = 'sim-state.json';
const SNAPSHOT_VERSION = 1;
const DEBOUNCE_MS = 250;

export interface KeySnapshot {
  public: string;
  private: string;
}

export interface SimSnapshot {
  version: number;
  keys: { root: KeySnapshot; intermediate: KeySnapshot; noise: KeySnapshot };
  users: UserSnapshot[];
  prekeys: Record<string, Array<[number, string]>>;
  groups: GroupSnapshot[];
  phones: Record<string, unknown>;
  /** device jid → queued stanzas, each encodeNode() as base64 */
  queues: Record<string, string[]>;
  /** Every user's app state collections (absent in snapshots from before app state sync). */
  appState?: AppStateStoreSnapshot;
}

/** @throws Error when the file exists but is not a snapshot this version can read */
export function loadSnapshot(dataDir: string): SimSnapshot | undefined {
  const path = join(dataDir, SNAPSHOT_FILE);
  if (!existsSync(path)) return undefined;
  const snap = JSON.parse(readFileSync(path, 'utf8')) as SimSnapshot;
  if (snap.version !== SNAPSHOT_VERSION) throw new Error(`${path}: snapshot version ${snap.version} is not ${SNAPSHOT_VERSION}`);
  return snap;
}

export function encodeQueued(node: BinaryNode): string {
  return Buffer.from(encodeNode(node)).toString('base64');
}

export function decodeQueued(b64: string): BinaryNode {
  return decodeNode(new Uint8Array(Buffer.from(b64, 'base64')));
}

export class Persister {
  readonly #dir: string;
  readonly #build: () => Omit<SimSnapshot, 'version'>;
  #timer: NodeJS.Timeout | undefined;

  constructor(dataDir: string, build: () => Omit<SimSnapshot, 'version'>) {
    this.#dir = dataDir;
    this.#build = build;
    mkdirSync(dataDir, { recursive: true });
  }

  markDirty(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, DEBOUNCE_MS);
    this.#timer.unref();
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const path = join(this.#dir, SNAPSHOT_FILE);
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: SNAPSHOT_VERSION, ...this.#build() }));
    renameSync(tmp, path);
  }
}
