/**
 * Puts a server on a Unix socket that only its owner can connect to (mode
 * 0600) with no window in which it is open to others: the socket is bound
 * inside a fresh 0700 directory, chmod-ed, then renamed into place (a rename
 * keeps the bound inode). A live socket at the path means another daemon:
 * refuse; a dead one is replaced. Owns the socket file; must not speak HTTP.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { IpcStartError } from './errors.js';

const MAX_PATH_BYTES = 107;

export interface BoundSocket {
  path: string;
  /** Removes the socket file if it is still the one bound here. */
  unlink(): void;
}

/** @throws IpcStartError SOCKET_IN_USE, SOCKET_PATH, LISTEN_FAILED */
export async function listenUnix(server: Server, path: string): Promise<BoundSocket> {
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw new IpcStartError('SOCKET_PATH', `socket path ${path} is longer than ${MAX_PATH_BYTES} bytes`);
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new IpcStartError('SOCKET_PATH', `cannot create ${dir}: ${(err as Error).message}`, { cause: err });
  }
  await clearStale(path);

  let priv: string | undefined;
  try {
    priv = mkdtempSync(join(dir, '.wad-'));
  } catch (err) {
    throw new IpcStartError('SOCKET_PATH', `cannot write in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const tmpPath = join(priv, 's');
  try {
    if (Buffer.byteLength(tmpPath) <= MAX_PATH_BYTES) {
      await listen(server, () => server.listen(tmpPath));
      chmodSync(tmpPath, 0o600);
      renameSync(tmpPath, path);
    } else {
      // No room for the private directory in sun_path: bind with a umask
      // instead (the bind is synchronous, so nothing else runs in between).
      const old = process.umask(0o177);
      try {
        await listen(server, () => server.listen(path));
      } finally {
        process.umask(old);
      }
      chmodSync(path, 0o600);
    }
  } catch (err) {
    server.close();
    if (err instanceof IpcStartError) throw err;
    throw new IpcStartError('LISTEN_FAILED', `cannot listen on ${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    try {
      rmdirSync(priv);
    } catch {
      // Only left behind if the rename failed; harmless and private.
    }
  }
  const st = statSync(path);
  if ((st.mode & 0o077) !== 0) {
    server.close();
    throw new IpcStartError('SOCKET_PATH', `socket ${path} has mode ${(st.mode & 0o777).toString(8)}, expected 600`);
  }
  const ino = st.ino;
  return {
    path,
    unlink() {
      try {
        if (lstatSync(path).ino === ino) unlinkSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}

function listen(server: Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    start();
  });
}

async function clearStale(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new IpcStartError('SOCKET_PATH', `${path} exists and is not a socket; not touching it`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    const done = (v: boolean): void => {
      s.destroy();
      resolve(v);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(2000, () => done(true));
  });
  if (alive) throw new IpcStartError('SOCKET_IN_USE', `another process is listening on ${path} (is a wad daemon already running?)`);
  unlinkSync(path);
}
