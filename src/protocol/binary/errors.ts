/**
 * Errors of the binary node codec. Decoding untrusted bytes throws only
 * DecodeError; encoding a malformed node throws only EncodeError.
 */

export type DecodeErrorCode =
  | 'INVALID_INPUT' // not a Uint8Array
  | 'EMPTY_FRAME' // no flag byte
  | 'TRUNCATED' // a length or item runs past the end
  | 'INVALID_TAG' // a byte that cannot start the item expected here
  | 'INVALID_NODE' // a node with an empty list or an empty tag
  | 'INVALID_PACKED' // a nibble that NIBBLE_8 does not define
  | 'INVALID_JID' // a JID_PAIR without a server
  | 'TOO_LARGE' // the frame, or its inflated payload, is over maxBytes
  | 'TOO_DEEP' // nodes or strings nested deeper than allowed
  | 'TOO_MANY_NODES' // more nodes than maxNodes
  | 'TOO_MUCH_WORK' // pathological input that re-reads itself (interop JID backtracking)
  | 'INFLATE_FAILED'; // the compressed payload is not valid zlib

export type EncodeErrorCode =
  | 'INVALID_NODE' // not an object, or tag not a non-empty string
  | 'INVALID_ATTRS' // attrs not an object, or a value that is not a string
  | 'INVALID_CONTENT' // content not a string, Uint8Array or array of nodes
  | 'TOO_MANY_ITEMS' // a list longer than 65535 items (LIST_16 limit)
  | 'TOO_LARGE' // bytes or a string of 2^32 bytes or more
  | 'TOO_DEEP'; // nested deeper than the encoder allows (or a cycle)

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code: DecodeErrorCode;
  /** Offset in the (inflated) node bytes where decoding stopped, when known. */
  readonly offset: number | undefined;

  constructor(code: DecodeErrorCode, message: string, offset?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.offset = offset;
  }
}

export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  readonly code: EncodeErrorCode;

  constructor(code: EncodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
