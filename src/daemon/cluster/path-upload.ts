/**
 * A send that names a file by `data.path`, for an account another daemon
 * runs: the file is on this daemon's machine (its caller's), so it is
 * checked and opened here, exactly as a path send of an account run here
 * (the Unix socket's callers only; this daemon's media.allowedRoots, never
 * its data dir nor /proc, /sys, /dev; a regular file of at most
 * ipc.maxUploadBytes; every file system call bounded in time), and its
 * bytes go to the owner as an upload, read on demand while they are sent.
 * The forwarded request names the upload instead of the path, and keeps
 * what the path told: a document's file name, the type its name suggests.
 * Owns that rewrite; the sending is the router's.
 */
import { Readable } from 'node:stream';
import { MediaError } from '../../account/media/errors.js';
import type { LocalFile } from '../../account/media/local-file.js';
import { IpcError } from '../../ipc/errors.js';
import type { Request } from '../../ipc/requests.js';
import { mimeFromFileName } from '../../protocol/media/mime.js';
import { mediaToDaemonError } from '../error-map.js';
import type { PeerUpload } from './peer-client.js';

/** Opens files for path sends under this daemon's policy (LocalFiles). */
export interface PathFiles {
  open(path: string): Promise<LocalFile>;
}

/** The one upload a forwarded request carries (the owner takes any number as it). */
const UPLOAD_SEQ = 1;

export interface PathUpload {
  /** The request's data, naming the upload instead of the path. */
  readonly data: Record<string, unknown>;
  readonly upload: PeerUpload;
  /** Closes the file; never throws. */
  close(): Promise<void>;
}

/**
 * @throws IpcError FORBIDDEN when the caller may not name paths; DaemonError
 *   INVALID_PAYLOAD (details.media PATH_REFUSED, details.reason) or
 *   UNAVAILABLE as a path send of a local account would
 */
export async function openPathUpload(req: Request, files: PathFiles | undefined, allowPaths: boolean): Promise<PathUpload> {
  if (!allowPaths) throw new IpcError('FORBIDDEN', 'data.path is accepted only on the Unix socket; upload the bytes in binary frames', { field: 'data.path' });
  const { path, ...data } = req.data as Record<string, unknown> & { path: string };
  let file: LocalFile;
  try {
    if (!files) throw new MediaError('PATH_REFUSED', 'this daemon reads no local files for sends', { reason: 'OUTSIDE_ROOTS' });
    file = await files.open(path);
  } catch (err) {
    throw err instanceof MediaError ? mediaToDaemonError(err) : err;
  }
  const out: Record<string, unknown> = { ...data, upload: UPLOAD_SEQ };
  if (req.type === 'message:send') {
    const mimeType = data['mimeType'] ?? mimeFromFileName(file.name);
    if (mimeType !== undefined) out['mimeType'] = mimeType;
    // A local path send names a document after its file.
    if (data['type'] === 'document' && data['fileName'] === undefined) out['fileName'] = file.name;
  }
  return {
    data: out,
    upload: { bytes: file.size, open: () => Readable.from(file.read(), { objectMode: false }) },
    close: () => file.close(),
  };
}
