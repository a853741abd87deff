/**
 * Sends one media:download to its client: the verified plaintext the daemon
 * hands over, cut into 256 KiB DOWNLOAD_CHUNK binary frames (the contract's
 * layout) numbered by the request's `data.download`, each sent only once the
 * socket took the previous one, so at most one chunk per download waits in
 * memory. The caller acks with the totals after the last chunk. Owns the
 * chunking; must not fetch media (the daemon's) nor parse frames.
 */
import type { MediaDownload } from '../contract/api.js';
import { encodeBinaryFrame } from '../contract/binary.js';
import { IpcError } from './errors.js';
import { BINARY_TYPE, type BinaryChunkHeader, type MediaDownloadResult } from '../contract/frames.js';

export const DOWNLOAD_CHUNK_BYTES = 256 << 10;

const KINDS = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const MIME = /^[\w.+-]+\/[\w.+-]+(;.{0,200})?$/;

/**
 * @param send hands one frame to the socket; resolves when it was taken
 * @throws IpcError INTERNAL_ERROR when the bytes disagree with the declared
 *   length; whatever `media` or `send` throw (the caller answers with it)
 */
export async function sendDownload(media: MediaDownload, seq: number, conversationId: string, send: (frame: Uint8Array) => Promise<void>): Promise<MediaDownloadResult> {
  const type = media.type && KINDS.has(media.type) ? media.type : 'document';
  const mimeType = media.mimeType && MIME.test(media.mimeType) ? media.mimeType : 'application/octet-stream';
  const header: Omit<BinaryChunkHeader, 'chunkIndex'> = { type: type as BinaryChunkHeader['type'], conversationId, totalChunks: 1, mimeType };
  // The header names the chunk count, so the length must be known first; a source that does not say is read whole.
  let source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = media;
  let length = media.fileLength;
  if (length === undefined) {
    const all: Uint8Array[] = [];
    for await (const c of media) all.push(c);
    source = all;
    length = all.reduce((n, c) => n + c.length, 0);
  }
  header.totalChunks = Math.max(1, Math.ceil(length / DOWNLOAD_CHUNK_BYTES));
  let index = 0;
  let sent = 0;
  const emit = async (payload: Uint8Array): Promise<void> => {
    if (index >= header.totalChunks) throw new IpcError('INTERNAL_ERROR', `media ${seq} is longer than its declared ${length} bytes`);
    await send(encodeBinaryFrame(BINARY_TYPE.DOWNLOAD_CHUNK, seq, { ...header, chunkIndex: index++ }, payload));
    sent += payload.length;
  };
  const buf = Buffer.allocUnsafe(DOWNLOAD_CHUNK_BYTES);
  let fill = 0;
  for await (const chunk of source) {
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(chunk.length - at, DOWNLOAD_CHUNK_BYTES - fill);
      buf.set(chunk.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === DOWNLOAD_CHUNK_BYTES) {
        // encodeBinaryFrame copies the payload, so buf is free again once emit() returns.
        await emit(buf);
        fill = 0;
      }
    }
  }
  if (fill > 0 || index === 0) await emit(buf.subarray(0, fill));
  if (index !== header.totalChunks || sent !== length) throw new IpcError('INTERNAL_ERROR', `media ${seq}: sent ${sent} bytes in ${index} chunks, declared ${length}`);
  return { download: seq, type, mimeType, fileLength: sent, totalChunks: index, ...(media.fileName !== undefined ? { fileName: media.fileName } : {}) };
}
