/**
 * First pass of an upload: plaintext from a file, a buffer or a stream goes
 * through EncryptStream into a Spool, so the blob's hash (the upload token)
 * is known before the upload starts, in constant memory for any size. A
 * channel's media is not encrypted: it goes through HashStream instead, the
 * file's own hash the token (it is public, so spooling it exposes nothing).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MediaFile } from '../../contract/api.js';
import type { MediaType } from '../../protocol/media/index.js';
import { toMediaError } from './errors.js';
import { Spool, type SpoolOptions } from './spool.js';
import { EncryptStream, HashStream } from './streams.js';

/** Plaintext to send: bytes, an opened file, a trusted path (the daemon's own files), or a stream of bytes. */
export type MediaSource = Uint8Array | MediaFile | { path: string } | Readable | AsyncIterable<Uint8Array>;

/** An opened file (re-readable), as opposed to a stream or a path. */
export function isMediaFile(source: unknown): source is MediaFile {
  return typeof source === 'object' && source !== null && !(source instanceof Readable) && typeof (source as MediaFile).read === 'function' && typeof (source as MediaFile).size === 'number';
}

/** An encrypted blob waiting in its spool, with everything a message needs. */
export interface EncryptedMedia {
  type: MediaType;
  mediaKey: Uint8Array;
  fileSha256: Uint8Array;
  fileEncSha256: Uint8Array;
  /** Plaintext bytes. */
  fileLength: number;
  /** Blob bytes (what is uploaded). */
  encLength: number;
  spool: Spool;
}

export interface EncryptOptions extends SpoolOptions {
  /** A fresh random key when absent. */
  mediaKey?: Uint8Array;
  signal?: AbortSignal;
  /** Refuse plaintext over this many bytes (TOO_LARGE). */
  maxBytes?: number;
}

/**
 * Encrypts `source` into a spool. The caller disposes the spool (upload()
 * does). @throws MediaError IO (source unreadable), TOO_LARGE, ABORTED, BAD_KEY
 */
export async function encryptToSpool(source: MediaSource, type: MediaType, opts: EncryptOptions): Promise<EncryptedMedia> {
  let enc: EncryptStream;
  try {
    enc = new EncryptStream(type, { ...(opts.mediaKey ? { mediaKey: opts.mediaKey } : {}), ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}) });
  } catch (e) {
    throw toMediaError(e, 'BAD_KEY', 'media key');
  }
  const spool = new Spool(opts);
  const input = toReadable(source);
  try {
    await pipeline(input, enc, spool, ...(opts.signal ? [{ signal: opts.signal }] : []));
  } catch (e) {
    await spool.dispose();
    throw toMediaError(e, 'IO', 'reading media to send');
  }
  const r = enc.result!;
  return {
    type,
    mediaKey: enc.mediaKey,
    fileSha256: r.fileSha256,
    fileEncSha256: r.fileEncSha256,
    fileLength: r.fileLength,
    encLength: r.encLength,
    spool,
  };
}

/** An unencrypted file (a channel's media) waiting in its spool. */
export interface PlainMedia {
  type: MediaType;
  fileSha256: Uint8Array;
  fileLength: number;
  spool: Spool;
}

/** Hashes `source` into a spool, as is. @throws MediaError IO, TOO_LARGE, ABORTED */
export async function spoolUnencrypted(source: MediaSource, type: MediaType, opts: Omit<EncryptOptions, 'mediaKey'>): Promise<PlainMedia> {
  const hash = new HashStream(opts.maxBytes ? { maxBytes: opts.maxBytes } : {});
  const spool = new Spool(opts);
  try {
    await pipeline(toReadable(source), hash, spool, ...(opts.signal ? [{ signal: opts.signal }] : []));
  } catch (e) {
    await spool.dispose();
    throw toMediaError(e, 'IO', 'reading media to send');
  }
  return { type, ...hash.result!, spool };
}

const PIECE = 64 * 1024;

function toReadable(source: MediaSource): Readable {
  if (source instanceof Readable) return source;
  if (source instanceof Uint8Array) return Readable.from(pieces(source), { objectMode: false });
  if (isMediaFile(source)) return Readable.from(source.read(), { objectMode: false });
  if ('path' in source) return createReadStream(source.path, { highWaterMark: 64 * 1024 });
  return Readable.from(source, { objectMode: false });
}

/** A buffer in 64 KiB views, so its blob is produced piece by piece too. */
function* pieces(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += PIECE) yield bytes.subarray(at, Math.min(at + PIECE, bytes.length));
}
