/**
 * The bytes of a Message as they came, for `raw`: protobufjs drops fields
 * its schema lacks when it decodes, so re-encoding a decoded Message would
 * lose exactly the new kinds a consumer most needs raw. Pure.
 */
import protobuf from 'protobufjs/minimal.js';

/** Message.deviceSentMessage (31) → DeviceSentMessage.message (2), as in proto/message.proto. */
const DEVICE_SENT_MESSAGE = 31;
const DEVICE_SENT_INNER = 2;
const LENGTH_DELIMITED = 2;

/** The bytes of length-delimited field `field` at the top level of `bytes` (the last one wins, as in protobuf). */
function fieldBytes(bytes: Uint8Array, field: number): Uint8Array | undefined {
  const reader = protobuf.Reader.create(bytes);
  let found: Uint8Array | undefined;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === LENGTH_DELIMITED) found = reader.bytes();
    else reader.skipType(tag & 7);
  }
  return found;
}

/**
 * The original bytes of the Message inside a deviceSentMessage (the copy of
 * what one of our own devices sent). undefined when there is none or the
 * bytes are not a Message.
 */
export function deviceSentInnerBytes(bytes: Uint8Array): Uint8Array | undefined {
  try {
    const dsm = fieldBytes(bytes, DEVICE_SENT_MESSAGE);
    return dsm && fieldBytes(dsm, DEVICE_SENT_INNER);
  } catch {
    return undefined;
  }
}
