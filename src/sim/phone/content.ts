/**
 * The plaintext of what the phone sends and receives: proto.Message bytes
 * with WhatsApp's random padding (1–16 bytes). Owns the few message kinds a
 * phone builds itself (text, own-device copy, sender-key distribution), the
 * protobuf JSON the admin API speaks, and reading an incoming message: its
 * content (any kind) and the sender key it carries. Knows nothing
 * of sessions or stanzas.
 */
import { proto } from '../../protocol/proto/index.js';
import { padMessage, unpadMessage } from '../../protocol/signal/index.js';
import { PhoneError } from './errors.js';

export function textMessage(text: string): proto.IMessage {
  return { conversation: text };
}

/** The copy for the sender's own other devices (Baileys' deviceSentMessage). */
export function deviceSentMessage(destinationJid: string, message: proto.IMessage): proto.IMessage {
  return { deviceSentMessage: { destinationJid, message } };
}

/** Gives a group member our sender key (sent inside its 1:1 session, before the skmsg). */
export function senderKeyDistributionMessage(groupId: string, distribution: Uint8Array): proto.IMessage {
  return { senderKeyDistributionMessage: { groupId, axolotlSenderKeyDistributionMessage: distribution } };
}

export function encodePadded(message: proto.IMessage): Uint8Array {
  return padMessage(proto.Message.encode(message).finish());
}

/** Protobuf JSON of a Message as the admin API shows it: enum names, numbers for 64-bit, base64 for bytes. */
export function messageToJson(message: proto.IMessage): Record<string, unknown> {
  return proto.Message.toObject(proto.Message.fromObject(message), { enums: String, longs: Number, bytes: String, defaults: false });
}

/**
 * A Message from protobuf JSON (field names as in proto/message.proto, bytes
 * as base64, enums by name or number), as an admin API caller gives it.
 * @throws PhoneError BAD_MESSAGE when it is not one, or is empty
 */
export function messageFromJson(json: unknown): proto.IMessage {
  if (!isObject(json)) throw new PhoneError('BAD_MESSAGE', 'message must be a JSON object (a proto Message)');
  let message: proto.Message;
  try {
    message = proto.Message.fromObject(json);
  } catch (cause) {
    throw new PhoneError('BAD_MESSAGE', `not a proto Message: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  // protobufjs drops unknown fields and turns a bad number into NaN without a word: compare the round trip.
  const lost = lostPath(json, messageToJson(message), 'message');
  if (lost) throw new PhoneError('BAD_MESSAGE', `${lost} is not a field of this schema or has the wrong type`);
  if (proto.Message.encode(message).len === 0) throw new PhoneError('BAD_MESSAGE', 'message is empty');
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

export interface DecodedContent {
  /** The content (under deviceSentMessage, without the sender key), if the message carries more than a sender key. */
  message?: proto.IMessage;
  /** A sender key the author distributed for group `groupId`. */
  senderKey?: { groupId: string; distribution: Uint8Array };
  /** Set when this was a copy of what one of our own devices sent to `destinationJid`. */
  sentTo?: string;
}

/** @throws PhoneError DECRYPT_FAILED when the bytes are not a padded proto.Message */
export function decodePadded(padded: Uint8Array): DecodedContent {
  let message: proto.Message;
  try {
    message = proto.Message.decode(unpadMessage(padded));
  } catch (cause) {
    throw new PhoneError('DECRYPT_FAILED', 'plaintext is not a padded Message', { cause });
  }
  const out: DecodedContent = {};
  let inner: proto.IMessage = message;
  if (message.deviceSentMessage?.message) {
    inner = message.deviceSentMessage.message;
    out.sentTo = message.deviceSentMessage.destinationJid ?? '';
  }
  const skdm = inner.senderKeyDistributionMessage ?? message.senderKeyDistributionMessage;
  if (skdm?.groupId && skdm.axolotlSenderKeyDistributionMessage?.length) {
    out.senderKey = { groupId: skdm.groupId, distribution: skdm.axolotlSenderKeyDistributionMessage };
  }
  // Own properties are the fields that were set (protobufjs keeps defaults on the prototype).
  const content: proto.IMessage = { ...inner };
  delete content.senderKeyDistributionMessage;
  if (Object.keys(content).length > 0) out.message = content;
  return out;
}
