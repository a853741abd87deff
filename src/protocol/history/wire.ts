/**
 * Protobuf field walking over complete byte ranges (one conversation, one
 * message), with protobufjs' Reader: the history decoder uses it to keep a
 * conversation's messages as undecoded slices (views, no copies) and to find
 * a Message's own bytes inside a WebMessageInfo for `raw`. Throws whatever the
 * Reader throws on malformed bytes; callers turn that into a skipped entry.
 */
import protobuf from 'protobufjs/minimal.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** The tag of a length-delimited field. */
export const lenTag = (field: number): number => ((field << 3) | WIRE_LEN) >>> 0;

/** The bytes of length-delimited field `field` (the last occurrence wins, as protobuf merges), or undefined. */
export function lastFieldBytes(bytes: Uint8Array, field: number): Uint8Array | undefined {
  const reader = protobuf.Reader.create(bytes);
  let found: Uint8Array | undefined;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === WIRE_LEN) found = reader.bytes();
    else reader.skipType(tag & 7);
  }
  return found;
}

export interface SplitFields {
  /** Every length-delimited occurrence of the field, in order, as views into the input. */
  readonly occurrences: Uint8Array[];
  /** All other fields, re-joined in order: a valid message of the same type without that field. */
  readonly rest: Uint8Array;
}

/**
 * Separates one repeated field from the rest of a message without decoding
 * either, so the (small) rest can be decoded whole while the (large) repeated
 * field is decoded one element at a time.
 */
export function splitField(bytes: Uint8Array, field: number): SplitFields {
  const reader = protobuf.Reader.create(bytes);
  const occurrences: Uint8Array[] = [];
  const ranges: Array<[number, number]> = [];
  let restLength = 0;
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === WIRE_LEN) {
      occurrences.push(reader.bytes());
      continue;
    }
    reader.skipType(tag & 7);
    const last = ranges[ranges.length - 1];
    if (last && last[1] === start) last[1] = reader.pos;
    else ranges.push([start, reader.pos]);
    restLength += reader.pos - start;
  }
  // A Buffer, so protobufjs decodes its strings natively (see the framing's queue).
  const rest = Buffer.allocUnsafe(restLength);
  let at = 0;
  for (const [from, to] of ranges) {
    rest.set(bytes.subarray(from, to), at);
    at += to - from;
  }
  return { occurrences, rest };
}
