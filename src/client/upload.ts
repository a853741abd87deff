/**
 * Sends a file or bytes as binary UPLOAD_CHUNK frames (the contract's layout,
 * src/contract/binary.ts), one chunk in memory at a time: each chunk waits until
 * the socket took the previous one.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type WebSocket from 'ws';
import { encodeBinaryFrame } from '../contract/binary.js';
import { BINARY_TYPE, type BinaryChunkHeader } from '../contract/frames.js';
import { WadClientError } from './errors.js';

const CHUNK_BYTES = 256 << 10;

/**
 * @throws WadClientError UNAVAILABLE when the connection drops mid-upload;
 *   INVALID_PAYLOAD (details.errno, field "file") for a file that cannot be read
 */
export async function sendChunks(ws: WebSocket, seq: number, source: Uint8Array | { path: string }, header: Omit<BinaryChunkHeader, 'chunkIndex' | 'totalChunks'>): Promise<void> {
  const fh = source instanceof Uint8Array ? undefined : await openFile(source.path);
  try {
    const size = fh === undefined ? (source as Uint8Array).length : (await fh.stat()).size;
    const total = Math.max(1, Math.ceil(size / CHUNK_BYTES));
    for (let i = 0; i < total; i++) {
      let chunk: Uint8Array;
      if (source instanceof Uint8Array) chunk = source.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
      else {
        const buf = Buffer.alloc(Math.min(CHUNK_BYTES, size - i * CHUNK_BYTES));
        const { bytesRead } = await fh!.read(buf, 0, buf.length, i * CHUNK_BYTES);
        chunk = buf.subarray(0, bytesRead);
      }
      const frame = encodeBinaryFrame(BINARY_TYPE.UPLOAD_CHUNK, seq, { ...header, chunkIndex: i, totalChunks: total }, chunk);
      await new Promise<void>((resolve, reject) =>
        ws.send(frame, { binary: true, compress: frame.length > 1024 }, (err) => (err ? reject(new WadClientError('UNAVAILABLE', `upload interrupted: ${err.message}`, undefined, { cause: err })) : resolve())),
      );
    }
  } finally {
    await fh?.close();
  }
}

/** Opens a regular file to upload; what cannot be sent is the caller's mistake, said with the path. */
async function openFile(path: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const why = errno === 'ENOENT' ? 'no such file' : errno === 'EACCES' ? 'permission denied' : errno === 'EISDIR' ? 'a directory' : errno;
    throw new WadClientError('INVALID_PAYLOAD', `cannot send ${path}: ${why}`, { field: 'file', errno }, { cause: err });
  }
  if (!(await fh.stat()).isFile()) {
    await fh.close();
    throw new WadClientError('INVALID_PAYLOAD', `cannot send ${path}: not a regular file`, { field: 'file', errno: 'EINVAL' });
  }
  return fh;
}
