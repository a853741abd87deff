/**
 * Binary frames of the control socket: a 16-byte header of big-endian uint32s —
 * total length, JSON header length, message type, sequence number — then the
 * JSON header {type, conversationId, chunkIndex, totalChunks, mimeType} and
 * the payload. wad uses message type 1 (UPLOAD_CHUNK): the sequence number
 * names an upload on that connection, chunks come in order, and a later
 * `message:send` with `data.upload = <sequence number>` sends the assembled
 * file; the daemon answers `media:download` with message type 2
 * (DOWNLOAD_CHUNK) frames numbered by the request's `data.download`. Owns
 * the layout; must not do I/O (src/ipc's uploads.ts writes the file,
 * downloads.ts sends one).
 */
import { IpcError } from './errors.js';
import { BINARY_HEADER_BYTES, BINARY_TYPE, type BinaryChunkHeader } from './frames.js';

/** The layout itself is broken: the connection is closed with 1007. */
export class BinaryLayoutError extends Error {
  override readonly name = 'BinaryLayoutError';
  readonly code = 'BAD_BINARY';
}

export interface BinaryFrame {
  messageType: number;
  seq: number;
  header: BinaryChunkHeader;
  payload: Uint8Array;
}

const MAX_HEADER_BYTES = 4096;
const KINDS = new Set(['image', 'video', 'audio', 'document', 'sticker', 'file_chunk']);

export function encodeBinaryFrame(messageType: number, seq: number, header: BinaryChunkHeader, payload: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(BINARY_HEADER_BYTES + h.length + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length);
  v.setUint32(4, h.length);
  v.setUint32(8, messageType);
  v.setUint32(12, seq);
  out.set(h, BINARY_HEADER_BYTES);
  out.set(payload, BINARY_HEADER_BYTES + h.length);
  return out;
}

/**
 * @throws BinaryLayoutError when lengths disagree or the JSON header is not an object;
 * IpcError INVALID_PAYLOAD when the layout holds but a field is wrong.
 */
export function decodeBinaryFrame(buf: Uint8Array, expectedType: number = BINARY_TYPE.UPLOAD_CHUNK): BinaryFrame {
  if (buf.length < BINARY_HEADER_BYTES) throw new BinaryLayoutError(`binary frame shorter than ${BINARY_HEADER_BYTES} bytes`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const total = v.getUint32(0);
  const headerLength = v.getUint32(4);
  if (total !== buf.length) throw new BinaryLayoutError(`binary frame says ${total} bytes but has ${buf.length}`);
  if (headerLength === 0 || headerLength > MAX_HEADER_BYTES || BINARY_HEADER_BYTES + headerLength > total) {
    throw new BinaryLayoutError(`binary header length ${headerLength} does not fit`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(BINARY_HEADER_BYTES, BINARY_HEADER_BYTES + headerLength)));
  } catch {
    throw new BinaryLayoutError('binary header is not UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BinaryLayoutError('binary header is not a JSON object');
  const messageType = v.getUint32(8);
  const seq = v.getUint32(12);
  if (messageType !== expectedType) throw new IpcError('INVALID_PAYLOAD', `unknown binary message type ${messageType}`, { upload: seq });
  return { messageType, seq, header: checkHeader(parsed as Record<string, unknown>, seq), payload: buf.subarray(BINARY_HEADER_BYTES + headerLength) };
}

function checkHeader(h: Record<string, unknown>, seq: number): BinaryChunkHeader {
  const bad = (field: string, what: string): never => {
    throw new IpcError(h[field] === undefined ? 'MISSING_FIELD' : 'INVALID_PAYLOAD', `binary header ${field} must be ${what}`, { upload: seq, field });
  };
  if (typeof h['type'] !== 'string' || !KINDS.has(h['type'])) bad('type', 'image, video, audio, document, sticker or file_chunk');
  if (typeof h['conversationId'] !== 'string' || h['conversationId'].length > 128) bad('conversationId', 'a string');
  if (!Number.isSafeInteger(h['chunkIndex']) || (h['chunkIndex'] as number) < 0) bad('chunkIndex', 'an integer ≥ 0');
  if (!Number.isSafeInteger(h['totalChunks']) || (h['totalChunks'] as number) < 1) bad('totalChunks', 'an integer ≥ 1');
  if ((h['chunkIndex'] as number) >= (h['totalChunks'] as number)) bad('chunkIndex', 'less than totalChunks');
  if (typeof h['mimeType'] !== 'string' || !/^[\w.+-]+\/[\w.+-]+(;.{0,200})?$/.test(h['mimeType'])) bad('mimeType', 'a mime type');
  return {
    type: h['type'] as BinaryChunkHeader['type'],
    conversationId: h['conversationId'] as string,
    chunkIndex: h['chunkIndex'] as number,
    totalChunks: h['totalChunks'] as number,
    mimeType: h['mimeType'] as string,
  };
}
