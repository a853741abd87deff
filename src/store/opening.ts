/**
 * Finding, creating and refusing the daemon's database at `<data-dir>/store`.
 *
 * A data dir that never had a store gets a new one, and a marker file
 * (`<data-dir>/store.json`, with a random store id that is also written into
 * the database) says from then on that a store was created here. With the
 * marker present the database is only ever opened, never created: a lost
 * CURRENT file or a deleted store directory is refused with a typed error
 * instead of being replaced by an empty store, which would start "ready" with
 * no accounts while every account's keys sit unreadable beside it. A store
 * whose id does not match the marker's (another data dir's, or one that was
 * recreated) is refused the same way. A data dir from before the marker
 * existed is adopted: opened (never created), then marked.
 *
 * Owns the marker and the open/create decision; record layouts are not its business.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LevelBackend, type LevelBackendOptions } from './backend/level.js';
import type { KVBackend } from './backend/types.js';
import { isNoSpace, StoreError } from './errors.js';
import { utf8 } from './keys.js';

export const STORE_DIR = 'store';
export const MARKER_FILE = 'store.json';
/** The store's id inside the database (outside every account's namespace). */
export const STORE_ID_KEY = utf8('meta/store-id');

export interface StoreMarker {
  readonly id: string;
  /** Unix ms. */
  readonly createdAt: number;
}

export interface OpenedBackend {
  readonly backend: LevelBackend;
  readonly marker: StoreMarker;
  /** What opening did: made a new store, adopted one from before markers, or opened the marked one. */
  readonly how: 'created' | 'adopted' | 'opened';
}

/** LevelDB's own files that mean "a database lives here" (LOCK and LOG alone do not). */
function isDataFile(name: string): boolean {
  return name === 'CURRENT' || name.startsWith('MANIFEST-') || /^\d+\.(ldb|sst|log)$/.test(name);
}

/**
 * Without a marker, what counts as a database: CURRENT, a table, or a log
 * with records. A MANIFEST and an empty log alone are a creation that a crash
 * interrupted before anything was stored in it (the marker comes after).
 */
async function holdsRecords(dataDir: string, files: readonly string[]): Promise<boolean> {
  if (files.some((f) => f === 'CURRENT' || /^\d+\.(ldb|sst)$/.test(f))) return true;
  for (const f of files.filter((name) => /^\d+\.log$/.test(name))) {
    if ((await stat(join(dataDir, STORE_DIR, f)).catch(() => undefined))?.size) return true;
  }
  return false;
}

/** The names in the store directory, or undefined when there is none. */
export async function storeFiles(dataDir: string): Promise<string[] | undefined> {
  try {
    return await readdir(join(dataDir, STORE_DIR));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError('OPEN_FAILED', `cannot read ${join(dataDir, STORE_DIR)}: ${(err as Error).message}`, { cause: err });
  }
}

/** @throws StoreError STORE_DAMAGED (unreadable marker), OPEN_FAILED */
export async function readMarker(dataDir: string): Promise<StoreMarker | undefined> {
  const path = join(dataDir, MARKER_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError('OPEN_FAILED', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as Partial<StoreMarker>;
    if (typeof v.id === 'string' && v.id.length > 0 && typeof v.createdAt === 'number') return { id: v.id, createdAt: v.createdAt };
  } catch {
    // Reported below with the path.
  }
  throw new StoreError('STORE_DAMAGED', `${path} is not a store marker (run \`wad store repair\` to write it again)`);
}

/** Writes the marker whole or not at all (temp file, fsync, rename, fsync of the directory). */
export async function writeMarker(dataDir: string, marker: StoreMarker): Promise<void> {
  const path = join(dataDir, MARKER_FILE);
  const tmp = `${path}.tmp`;
  try {
    const f = await open(tmp, 'w', 0o600);
    try {
      await f.writeFile(JSON.stringify({ ...marker, note: 'wad: a store was created in this data dir; it is never recreated silently' }) + '\n');
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, path);
    const dir = await open(dataDir, 'r');
    await dir.sync().finally(() => dir.close());
  } catch (err) {
    if (isNoSpace(err)) throw new StoreError('NO_SPACE', `cannot write ${path}: the disk is full`, { cause: err });
    throw new StoreError('OPEN_FAILED', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}

async function readStoreId(backend: KVBackend): Promise<string | undefined> {
  const v = await backend.get(STORE_ID_KEY);
  return v && new TextDecoder().decode(v);
}

export async function stampStoreId(backend: KVBackend, id: string): Promise<void> {
  await backend.batch([{ type: 'put', key: STORE_ID_KEY, value: utf8(id) }]);
}

/**
 * Opens the data dir's store, creating it only in a data dir that never had one.
 * @throws StoreError STORE_MISSING, STORE_DAMAGED, NO_SPACE, OPEN_FAILED
 */
export async function openStoreBackend(dataDir: string, options: LevelBackendOptions = {}): Promise<OpenedBackend> {
  const location = join(dataDir, STORE_DIR);
  const marker = await readMarker(dataDir);
  const files = await storeFiles(dataDir);
  const hasData = files?.some(isDataFile) ?? false;
  if (!marker && !(files && (await holdsRecords(dataDir, files)))) return create(dataDir, location, options);
  if (marker && !hasData) {
    throw new StoreError(
      'STORE_MISSING',
      `this data dir had a store (created ${new Date(marker.createdAt).toISOString()}) but ${location} ${files ? 'holds no database' : 'is gone'}: restore it from a backup, or move ${dataDir} away to start afresh`,
    );
  }
  const backend = await openExisting(location, options);
  try {
    const id = await readStoreId(backend);
    if (marker) {
      if (id !== marker.id) {
        throw new StoreError(
          'STORE_DAMAGED',
          id === undefined
            ? `the store at ${location} lost its identity record (recreated or damaged): run \`wad store repair\``
            : `the store at ${location} is not the one created for this data dir (id ${id}, marker ${marker.id})`,
        );
      }
      return { backend, marker, how: 'opened' };
    }
    // A data dir from before the marker: adopt what is there.
    const adopted = { id: id ?? randomUUID(), createdAt: Date.now() };
    if (id === undefined) await stampStoreId(backend, adopted.id);
    await writeMarker(dataDir, adopted);
    return { backend, marker: adopted, how: 'adopted' };
  } catch (err) {
    await backend.close();
    throw err;
  }
}

/** What `wad store check` and `repair` open: the database as it is, nothing created or stamped. */
export interface InspectedStore {
  readonly backend: LevelBackend;
  readonly marker: StoreMarker | undefined;
  /** The id inside the database (undefined: none recorded). */
  readonly storeId: string | undefined;
}

/**
 * Opens an existing store without creating, adopting or marking anything.
 * @throws StoreError STORE_MISSING (no database here), STORE_DAMAGED, NO_SPACE, OPEN_FAILED (locked: the daemon runs)
 */
export async function inspectStore(dataDir: string, options: LevelBackendOptions = {}): Promise<InspectedStore> {
  const marker = await readMarker(dataDir);
  const files = await storeFiles(dataDir);
  if (!files?.some(isDataFile)) {
    throw new StoreError('STORE_MISSING', marker ? `this data dir had a store but ${join(dataDir, STORE_DIR)} holds no database` : `no store in ${dataDir}`);
  }
  const backend = await openExisting(join(dataDir, STORE_DIR), options);
  try {
    return { backend, marker, storeId: await readStoreId(backend) };
  } catch (err) {
    await backend.close();
    throw err;
  }
}

/** True when the store directory holds LevelDB files (a database lives there, damaged or not). */
export async function hasDatabase(dataDir: string): Promise<boolean> {
  return (await storeFiles(dataDir))?.some(isDataFile) ?? false;
}

/** @throws StoreError STORE_DAMAGED (CURRENT lost: repair), NO_SPACE, OPEN_FAILED */
async function openExisting(location: string, options: LevelBackendOptions): Promise<LevelBackend> {
  try {
    return await LevelBackend.open(location, { ...options, createIfMissing: false });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'STORE_MISSING') {
      throw new StoreError('STORE_DAMAGED', `the store at ${location} has its tables but lost its CURRENT file: run \`wad store repair\` (with the daemon stopped)`, { cause: err });
    }
    if (err instanceof StoreError && err.code === 'STORE_DAMAGED') {
      throw new StoreError('STORE_DAMAGED', `${err.message}: run \`wad store repair\` (with the daemon stopped)`, { cause: err });
    }
    throw err;
  }
}

async function create(dataDir: string, location: string, options: LevelBackendOptions): Promise<OpenedBackend> {
  try {
    await mkdir(location, { recursive: true, mode: 0o700 });
  } catch (err) {
    if (isNoSpace(err)) throw new StoreError('NO_SPACE', `cannot create ${location}: the disk is full`, { cause: err });
    throw new StoreError('OPEN_FAILED', `cannot create ${location}: ${(err as Error).message}`, { cause: err });
  }
  const backend = await LevelBackend.open(location, { ...options, createIfMissing: true });
  const marker = { id: randomUUID(), createdAt: Date.now() };
  try {
    // The id goes into the database first: a crash before the marker is written leaves a store that is adopted next time.
    await stampStoreId(backend, marker.id);
    await writeMarker(dataDir, marker);
  } catch (err) {
    await backend.close();
    throw err;
  }
  return { backend, marker, how: 'created' };
}
