/**
 * The daemon's data dir is owner-only, whatever existed before: the dir and
 * every dir under it 0700, every file 0600 (the key store, the marker, spool
 * files, the socket). A data dir made 0755 by hand or by an older version
 * would otherwise let any local user read every account's keys.
 *
 * The process umask is set to 077 first, so that what is created later —
 * LevelDB's new tables and logs after a compaction, spool files, the socket —
 * is born owner-only too; the walk fixes what existed before. Partial
 * uploads and spool files a crash left in `<data-dir>/tmp` are deleted.
 *
 * Owns modes and the temp dir; must not read or write the store's records.
 */
import { chmod, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { isNoSpace, StoreError } from '../store/index.js';

/** Under the data dir: spooled media and partial uploads, deleted at every start. */
export const TMP_DIR = 'tmp';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Bounds the walk: a data dir is a few dozen files; a runaway tree must not stall the start. */
const MAX_WALK_ENTRIES = 100_000;

/**
 * Makes files created from now on owner-only. Worker threads cannot change
 * the umask (it is the process's): there the walk at start is all there is.
 */
export function restrictUmask(): void {
  if (isMainThread) process.umask(0o077);
}

/**
 * Creates the data dir (0700) or takes an existing one to 0700.
 * @throws StoreError NO_SPACE, OPEN_FAILED
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  restrictUmask();
  await fsStep(dataDir, async () => {
    await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
    await chmod(dataDir, DIR_MODE);
  });
}

/**
 * Deletes what a crash left in the temp dir (partial uploads, spool files)
 * and makes it again. Only once the store's lock is held: a second daemon
 * started by mistake must not delete the running one's uploads.
 * @throws StoreError NO_SPACE, OPEN_FAILED
 */
export async function resetTempDir(dataDir: string): Promise<void> {
  await fsStep(dataDir, async () => {
    await rm(join(dataDir, TMP_DIR), { recursive: true, force: true });
    await mkdir(join(dataDir, TMP_DIR, 'uploads'), { recursive: true, mode: DIR_MODE });
  });
}

/**
 * Sets 0700 on every directory and 0600 on every other entry under `dataDir`
 * (symbolic links are left alone: their targets are not ours). Returns how
 * many modes it had to change.
 * @throws StoreError OPEN_FAILED when a mode cannot be set
 */
export async function restrictModes(dataDir: string): Promise<number> {
  let changed = 0;
  let seen = 0;
  const visit = async (path: string): Promise<void> => {
    if (++seen > MAX_WALK_ENTRIES) return;
    let st;
    try {
      st = await lstat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed meanwhile (a spool file, LevelDB's old log)
      throw err;
    }
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? DIR_MODE : FILE_MODE;
    if ((st.mode & 0o7777) !== want) {
      await chmod(path, want).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      changed++;
    }
    if (st.isDirectory()) for (const name of await readdir(path).catch(() => [] as string[])) await visit(join(path, name));
  };
  await fsStep(dataDir, () => visit(dataDir));
  return changed;
}

async function fsStep(dataDir: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (isNoSpace(err)) throw new StoreError('NO_SPACE', `cannot prepare the data dir ${dataDir}: the disk is full (ENOSPC)`, { cause: err });
    throw new StoreError('OPEN_FAILED', `cannot prepare the data dir ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
}
