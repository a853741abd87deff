/**
 * With --data-dir the simulator keeps a JSON snapshot (`sim-state.json`) of
 * its keys (so the root public key a daemon pinned stays valid), users,
 * devices, prekeys, groups, offline queues, app state collections and each
 * phone's own snapshot.
 * Writes are debounced and atomic (temp file + rename); a restarted simulator
 * starts from the last snapshot. Without a data dir nothing is written.
 *
 * A phone's chat history is larger and changes less often than the rest, so
 * it lives beside the snapshot (`sim-history/<phone>.json`) and is written
 * only when its version moved. The two files are not one atomic write: a
 * crash between them can lose the history's last changes, never the keys.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNode, encodeNode, type BinaryNode } from '../protocol/binary/index.js';
import type { AppStateStoreSnapshot } from './app-state/store.js';
import type { GroupSnapshot } from './groups.js';
import type { NewsletterSnapshot } from './newsletters.js';
import type { UserSnapshot } from './state.js';

export const SNAPSHOT_FILE = 'sim-state.json';
export const HISTORY_DIR = 'sim-history';
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
  /** Channels (absent in snapshots from before channels). */
  newsletters?: NewsletterSnapshot[];
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

/** A file kept beside the snapshot, rewritten only when `version` changed since it was last written. */
export interface SideFile {
  /** A plain file name (a phone number). */
  name: string;
  version: number;
  build(): unknown;
}

/** The side files a previous run wrote, by name; one that does not parse is left out (that phone starts empty). */
export function loadSideFiles(dataDir: string): Map<string, unknown> {
  const dir = join(dataDir, HISTORY_DIR);
  const out = new Map<string, unknown>();
  if (!existsSync(dir)) return out;
  for (const file of readdirSync(dir)) {
    const m = /^([0-9]+)\.json$/.exec(file);
    if (!m) continue;
    try {
      out.set(m[1]!, JSON.parse(readFileSync(join(dir, file), 'utf8')));
    } catch {
      // A torn or foreign file: that phone's history starts empty.
    }
  }
  return out;
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
  readonly #sideFiles: () => SideFile[];
  /** Side file name → the version last written. */
  readonly #written = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(dataDir: string, build: () => Omit<SimSnapshot, 'version'>, sideFiles: () => SideFile[] = () => []) {
    this.#dir = dataDir;
    this.#build = build;
    this.#sideFiles = sideFiles;
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
    writeAtomically(join(this.#dir, SNAPSHOT_FILE), JSON.stringify({ version: SNAPSHOT_VERSION, ...this.#build() }));
    for (const side of this.#sideFiles()) {
      if (this.#written.get(side.name) === side.version) continue;
      mkdirSync(join(this.#dir, HISTORY_DIR), { recursive: true });
      writeAtomically(join(this.#dir, HISTORY_DIR, `${side.name}.json`), JSON.stringify(side.build()));
      this.#written.set(side.name, side.version);
    }
  }
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
