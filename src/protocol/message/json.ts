/**
 * A Message given as protobuf JSON (field names as in proto/message.proto,
 * bytes as base64, enums by name or number, 64-bit numbers as numbers or
 * strings) and back: what a caller may name for kinds wad has no shape of
 * its own for. Pure.
 */
import { proto } from '../proto/index.js';
import { MessageContentError } from './errors.js';

/** Protobuf JSON of a Message: enum names, numbers for 64-bit, base64 for bytes. */
export function messageToJson(message: proto.IMessage): Record<string, unknown> {
  return proto.Message.toObject(proto.Message.fromObject(message), { enums: String, longs: Number, bytes: String, defaults: false });
}

/**
 * @throws MessageContentError BAD_CONTENT when it is not a Message, names a
 *   field the schema lacks (protobufjs would drop it without a word), or is empty
 */
export function messageFromJson(json: unknown): proto.Message {
  if (!isObject(json)) throw new MessageContentError('BAD_CONTENT', 'message must be a JSON object (a proto Message)');
  let message: proto.Message;
  try {
    message = proto.Message.fromObject(json);
  } catch (cause) {
    throw new MessageContentError('BAD_CONTENT', `not a proto Message: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  // protobufjs drops unknown fields and turns a bad number into NaN without a word: compare the round trip.
  const lost = lostPath(json, messageToJson(message), 'message');
  if (lost) throw new MessageContentError('BAD_CONTENT', `${lost} is not a field of this schema or has the wrong type`);
  if (proto.Message.encode(message).len === 0) throw new MessageContentError('BAD_CONTENT', 'message is empty');
  return message;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first path of `given` that the converted message lost (unknown field, or a number that became NaN). */
function lostPath(given: unknown, kept: unknown, path: string): string | undefined {
  // Absent, and empty repeated fields (protobuf JSON leaves those out), are nothing to lose.
  if (given === null || given === undefined || (Array.isArray(given) && given.length === 0)) return undefined;
  if (kept === undefined || (typeof kept === 'number' && Number.isNaN(kept))) return path;
  if (Array.isArray(given)) {
    if (!Array.isArray(kept)) return path;
    for (let i = 0; i < given.length; i++) {
      const lost = lostPath(given[i], kept[i], `${path}[${i}]`);
      if (lost) return lost;
    }
    return undefined;
  }
  if (isObject(given)) {
    if (!isObject(kept)) return path;
    for (const [k, v] of Object.entries(given)) {
      const lost = lostPath(v, kept[k], `${path}.${k}`);
      if (lost) return lost;
    }
  }
  return undefined;
}
