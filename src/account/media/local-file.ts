/**
 * Files that a caller names by path for a send (`message:send` `path`),
 * opened so that neither a hostile path nor a sick file system can hurt the
 * daemon:
 *
 * - only regular files, judged on the opened descriptor (fstat), never by a
 *   stat of the path before the open (a FIFO or a device could be swapped in
 *   between); a FIFO is opened non-blocking, so it cannot stall the open;
 * - only inside the allowed roots, judged on the path with every symlink
 *   resolved, before the open (so no device is ever opened: some act on
 *   open) and again, on Linux, on the path the kernel gives for the open
 *   descriptor (a directory swapped for a symlink in between is caught);
 *   /proc, /sys, /dev and the daemon's own data dir are never allowed;
 * - at most `maxBytes`, checked on the descriptor before anything is read;
 * - every call (realpath, open, fstat, each read, close) through one IoGate,
 *   so a hung mount holds at most its slots of libuv's thread pool and the
 *   caller gets TIMEOUT instead of waiting for ever.
 *
 * Owns opening and reading such files; what is sent is message.ts's.
 */
import { constants, type Stats } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { basename, isAbsolute, resolve as resolvePath } from 'node:path';
import type { MediaFile } from '../../contract/api.js';
import { MediaError, type PathRefusal } from './errors.js';
import { IoGate, type IoGateOptions } from './io-gate.js';

/** Never readable through a path, whatever the allowed roots say: kernel state, devices. */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];
const CHUNK = 64 * 1024;
// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer. O_NOCTTY: a terminal never becomes ours.
// O_NOFOLLOW: the last component was resolved just before; a symlink there now means it was swapped.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0) | (constants.O_NOFOLLOW ?? 0);

export interface LocalFilePolicy {
  /** Directories whose files may be sent (resolved at create; missing ones are dropped). */
  readonly allowedRoots: readonly string[];
  /** Directories refused besides /proc, /sys and /dev (the data dir). */
  readonly deniedRoots?: readonly string[];
  /** Largest file accepted. */
  readonly maxBytes: number;
}

/** The fs calls used, replaceable in tests (a hung file system cannot be made on demand). */
export interface LocalFileIo {
  realpath(path: string): Promise<string>;
  open(path: string, flags: number): Promise<Pick<FileHandle, 'fd' | 'stat' | 'read' | 'close'>>;
  /** The kernel's path of an open descriptor; undefined where the platform has no /proc. */
  fdPath(fd: number): Promise<string | undefined>;
}

const NODE_IO: LocalFileIo = {
  realpath: (p) => realpath(p),
  open: (p, flags) => open(p, flags),
  fdPath: (fd) => readlink(`/proc/self/fd/${fd}`).catch(() => undefined),
};

export class LocalFiles {
  readonly #allowed: readonly string[];
  readonly #denied: readonly string[];
  readonly #maxBytes: number;
  readonly #gate: IoGate;
  readonly #io: LocalFileIo;

  private constructor(allowed: string[], denied: string[], maxBytes: number, gate: IoGate, io: LocalFileIo, unresolved: string[]) {
    this.#allowed = allowed;
    this.#denied = denied;
    this.#maxBytes = maxBytes;
    this.#gate = gate;
    this.#io = io;
    this.unresolved = unresolved;
  }

  /** Allowed roots that could not be resolved at create (missing, or on a file system that did not answer): they allow nothing. */
  readonly unresolved: readonly string[];

  /** Resolves the roots through the gate too: a root on a hung mount must not hang the daemon's start. */
  static async create(policy: LocalFilePolicy, opts: { gate?: IoGateOptions; io?: LocalFileIo } = {}): Promise<LocalFiles> {
    const io = opts.io ?? NODE_IO;
    const gate = new IoGate(opts.gate);
    const real = (root: string): Promise<string | undefined> => gate.run(`resolving ${root}`, () => io.realpath(resolvePath(root))).catch(() => undefined);
    const allowed = await Promise.all(policy.allowedRoots.map(real));
    const denied = await Promise.all((policy.deniedRoots ?? []).map(real));
    return new LocalFiles(
      allowed.filter((r): r is string => r !== undefined),
      [...SYSTEM_ROOTS, ...denied.filter((r): r is string => r !== undefined), ...(policy.deniedRoots ?? []).map((r) => resolvePath(r))],
      policy.maxBytes,
      gate,
      io,
      policy.allowedRoots.filter((_, i) => allowed[i] === undefined),
    );
  }

  /** The roots in force, as resolved. */
  get allowedRoots(): readonly string[] {
    return this.#allowed;
  }

  /**
   * Opens `path` for a send. Close the result when done.
   * @throws MediaError PATH_REFUSED (see `reason`), TIMEOUT (the file system did not answer), IO
   */
  async open(path: string): Promise<LocalFile> {
    if (!isAbsolute(path) || path.includes('\0')) throw refused(path, 'NOT_ABSOLUTE', 'must be an absolute path');
    const real = await this.#gate.run(`resolving ${path}`, () => this.#io.realpath(path)).catch((e: unknown) => Promise.reject(fsRefusal(path, e)));
    this.#checkPlace(path, real);
    const fh = await this.#gate.run(`opening ${path}`, () => this.#io.open(real, OPEN_FLAGS)).catch((e: unknown) => Promise.reject(fsRefusal(path, e, 'CHANGED')));
    try {
      const st: Stats = await this.#gate.run(`reading the status of ${path}`, () => fh.stat());
      if (!st.isFile()) throw refused(path, 'NOT_REGULAR', `is ${kindOf(st)}, not a regular file`);
      if (st.size > this.#maxBytes) throw refused(path, 'TOO_LARGE', `holds ${st.size} bytes; at most ${this.#maxBytes} are sent`);
      if (st.size === 0) throw refused(path, 'EMPTY', 'is empty');
      const opened = await this.#gate.run(`locating ${path}`, () => this.#io.fdPath(fh.fd));
      // What the kernel says was opened; a directory swapped for a symlink after the first check shows here.
      if (opened !== undefined) this.#checkPlace(path, opened.replace(/ \(deleted\)$/, ''));
      return new LocalFile(fh, this.#gate, st.size, basename(path));
    } catch (err) {
      void this.#gate.run(`closing ${path}`, () => fh.close()).catch(() => undefined);
      throw err;
    }
  }

  #checkPlace(asked: string, real: string): void {
    if (this.#denied.some((root) => within(real, root))) throw refused(asked, 'SYSTEM_PATH', `resolves to ${real}, where the daemon never reads (system or its own data)`);
    if (!this.#allowed.some((root) => within(real, root))) {
      throw refused(asked, 'OUTSIDE_ROOTS', `resolves to ${real}, outside media.allowedRoots (${this.#allowed.join(', ') || 'none: path sends are off'})`);
    }
  }
}

/** An open, checked file: `size` bytes read on demand through the gate. */
export class LocalFile implements MediaFile {
  readonly #fh: Pick<FileHandle, 'read' | 'close'>;
  readonly #gate: IoGate;
  #closed = false;

  constructor(
    fh: Pick<FileHandle, 'read' | 'close'>,
    gate: IoGate,
    readonly size: number,
    readonly name: string,
  ) {
    this.#fh = fh;
    this.#gate = gate;
  }

  /** The file's first `size` bytes (what it held when checked; growth since is not sent). @throws MediaError TIMEOUT, IO */
  async *read(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < this.size; ) {
      if (this.#closed) throw new MediaError('IO', `${this.name} was closed while being read`);
      // A fresh buffer per read: one that timed out may still be written into later.
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, this.size - at));
      const { bytesRead } = await this.#gate.run(`reading ${this.name}`, () => this.#fh.read(buf, 0, buf.length, at));
      if (bytesRead === 0) throw new MediaError('IO', `${this.name} shrank while being read (${at} of ${this.size} bytes)`);
      at += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  }

  /** Never throws; a close the file system does not answer is left to finish on its own. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#gate.run(`closing ${this.name}`, () => this.#fh.close()).catch(() => undefined);
  }
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

function refused(path: string, reason: PathRefusal, why: string): MediaError {
  return new MediaError('PATH_REFUSED', `data.path ${JSON.stringify(path)} ${why}`, { reason });
}

function fsRefusal(path: string, e: unknown, loop: PathRefusal = 'NOT_FOUND'): MediaError {
  if (e instanceof MediaError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return refused(path, 'NOT_FOUND', 'does not exist');
  if (code === 'EACCES' || code === 'EPERM') return refused(path, 'NO_ACCESS', 'cannot be read by the daemon');
  if (code === 'ELOOP') return refused(path, loop, loop === 'CHANGED' ? 'was replaced by a symlink while being opened' : 'is a symlink loop');
  if (code === 'ENXIO' || code === 'EISDIR') return refused(path, 'NOT_REGULAR', 'is not a regular file');
  return new MediaError('IO', `data.path ${JSON.stringify(path)}: ${(e as Error).message}`, { cause: e });
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a file';
}
