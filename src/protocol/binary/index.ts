/**
 * The WhatsApp binary node codec: stanzas as trees of { tag, attrs, content }
 * ↔ the token-compressed bytes inside each Noise frame. Pure and synchronous.
 */
export { decodeNodeInner, resolveLimits } from './decode.js';
export { nodeToString, type NodeToStringOptions } from './debug.js';
export { encodeNode, encodeNodeInner } from './encode.js';
export { DecodeError, EncodeError, type DecodeErrorCode, type EncodeErrorCode } from './errors.js';
export { FLAG_COMPRESSED, decodeNode, unpackFrame } from './frame.js';
export { DOUBLE_BYTE_TOKENS, SINGLE_BYTE_TOKENS } from './tokens.js';
export { DEFAULT_DECODE_LIMITS, type BinaryNode, type DecodeLimits } from './types.js';
