/**
 * The frame payload around a node: one flag byte, then the node bytes, zlib-
 * deflated when flag bit 0x02 is set. Owns the flag byte and inflation (sync,
 * bounded); must not parse nodes itself.
 */
import { inflateSync } from 'node:zlib';
import { decodeNodeInner, resolveLimits } from './decode.js';
import { DecodeError } from './errors.js';
import type { BinaryNode, DecodeLimits } from './types.js';

/** Flag bit: the rest of the payload is zlib-compressed. */
export const FLAG_COMPRESSED = 0x02;

/**
 * The node bytes of a frame payload: the payload after its flag byte,
 * inflated when the flag says so (never beyond `maxBytes`).
 * @throws DecodeError EMPTY_FRAME, TOO_LARGE, INFLATE_FAILED, INVALID_INPUT.
 */
export function unpackFrame(payload: Uint8Array, limits?: Partial<DecodeLimits>): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new DecodeError('INVALID_INPUT', 'frame payload must be a Uint8Array');
  if (payload.length === 0) throw new DecodeError('EMPTY_FRAME', 'frame payload has no flag byte');
  const { maxBytes } = resolveLimits(limits);
  if (payload.length - 1 > maxBytes) {
    throw new DecodeError('TOO_LARGE', `${payload.length - 1} bytes is over the ${maxBytes}-byte limit`);
  }
  const body = payload.subarray(1);
  if ((payload[0]! & FLAG_COMPRESSED) === 0) return body;
  try {
    return inflateSync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    const tooLarge = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new DecodeError(
      tooLarge ? 'TOO_LARGE' : 'INFLATE_FAILED',
      tooLarge ? `inflated payload is over the ${maxBytes}-byte limit` : 'compressed payload is not valid zlib',
      undefined,
      { cause: err },
    );
  }
}

/**
 * Decodes a frame payload (flag byte, then the node, zlib-compressed if flag bit 0x02 is set).
 * Binary content in the result is a view of `payload` (or of the inflated copy).
 * @throws DecodeError (only) for malformed bytes or bytes over the limits.
 */
export function decodeNode(payload: Uint8Array, limits?: Partial<DecodeLimits>): BinaryNode {
  return decodeNodeInner(unpackFrame(payload, limits), limits);
}
