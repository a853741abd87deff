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
import { MessageContentError, messageFromJson as fromJson, messageToJson as toJson } from '../../protocol/message/index.js';

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
  return toJson(message);
}

/**
 * A Message from protobuf JSON (field names as in proto/message.proto, bytes
 * as base64, enums by name or number), as an admin API caller gives it.
 * @throws PhoneError BAD_MESSAGE when it is not one, or is empty
 */
export function messageFromJson(json: unknown): proto.IMessage {
  try {
    return fromJson(json);
  } catch (cause) {
    if (cause instanceof MessageContentError) throw new PhoneError('BAD_MESSAGE', cause.message, { cause });
    throw cause;
  }
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
