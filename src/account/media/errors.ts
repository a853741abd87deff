/**
 * Errors of media transfer (src/account/media). Every public call here rejects
 * with a MediaError; crypto failures keep the code the decryptor gave them
 * (BAD_MAC, HASH_MISMATCH, TRUNCATED…) with the MediaCryptoError as cause, so
 * callers switch on one `code`.
 */
import { MediaCryptoError, type MediaCryptoErrorCode } from '../../protocol/media/index.js';

export type MediaErrorCode =
  | MediaCryptoErrorCode
  /** The host answered 404 or 410: the file expired there; ask the sender to re-upload (media retry). */
  | 'GONE'
  /** The host refused the media_conn auth (401/403) even after a refresh. */
  | 'AUTH'
  /** Any other status that is not success (see `status`). */
  | 'HTTP_STATUS'
  /** The upload answer was not JSON with a url or direct_path. */
  | 'BAD_RESPONSE'
  /** No media host to try (media_conn listed none, the message has no url or direct path). */
  | 'NO_HOSTS'
  /** media_conn could not be fetched. */
  | 'MEDIA_CONN'
  /** Connection refused or reset, TLS failure, DNS… (see `cause`). */
  | 'NETWORK'
  /** No bytes moved for the idle timeout. */
  | 'TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** Reading the source or the temp file failed. */
  | 'IO'
  /** The media was disposed (its temp file removed) before it was read. */
  | 'DISPOSED'
  /** The sender's phone could not re-upload the file (see `cause`). */
  | 'REUPLOAD_FAILED'
  /** A local file named for a send is not one the daemon may read (see `reason`): the caller's mistake. */
  | 'PATH_REFUSED'
  /** A download names a message the account does not have. */
  | 'NO_MESSAGE'
  /** A download names a message that carries no downloadable file. */
  | 'NOT_MEDIA';

/** Why a local file was refused (PATH_REFUSED). */
export type PathRefusal =
  | 'NOT_ABSOLUTE'
  | 'NOT_FOUND'
  | 'NO_ACCESS'
  /** Under /proc, /sys, /dev or the daemon's data dir. */
  | 'SYSTEM_PATH'
  /** Outside media.allowedRoots (after symlinks were resolved). */
  | 'OUTSIDE_ROOTS'
  /** A FIFO, a device, a socket or a directory. */
  | 'NOT_REGULAR'
  | 'TOO_LARGE'
  | 'EMPTY'
  /** Replaced while it was being opened (a symlink swapped in). */
  | 'CHANGED';

export class MediaError extends Error {
  override readonly name = 'MediaError';
  /** The HTTP status, when the error comes from one. */
  readonly status?: number;
  /** PATH_REFUSED: why. */
  readonly reason?: PathRefusal;

  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; reason?: PathRefusal },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.status !== undefined) this.status = options.status;
    if (options?.reason !== undefined) this.reason = options.reason;
  }
}

/** Any failure as a MediaError: crypto errors keep their code, aborts become ABORTED, the rest `fallback`. */
export function toMediaError(e: unknown, fallback: MediaErrorCode, message: string): MediaError {
  if (e instanceof MediaError) return e;
  if (e instanceof MediaCryptoError) return new MediaError(e.code, e.message, { cause: e });
  if (e instanceof Error && (e.name === 'AbortError' || (e as NodeJS.ErrnoException).code === 'ABORT_ERR')) {
    return new MediaError('ABORTED', 'media transfer aborted', { cause: e });
  }
  return new MediaError(fallback, `${message}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
