/**
 * The plaintext of what the phone sends and receives: proto.Message bytes
 * with WhatsApp's random padding (1–16 bytes). Owns the few message kinds a
 * phone needs (text, own-device copy, sender-key distribution) and reading
 * the text out of an incoming message. Knows nothing of sessions or stanzas.
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

export interface DecodedContent {
  /** conversation or extendedTextMessage.text, if the message carries text. */
  text?: string;
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
  const text = inner.conversation || inner.extendedTextMessage?.text;
  if (typeof text === 'string' && text.length > 0) out.text = text;
  const skdm = inner.senderKeyDistributionMessage ?? message.senderKeyDistributionMessage;
  if (skdm?.groupId && skdm.axolotlSenderKeyDistributionMessage?.length) {
    out.senderKey = { groupId: skdm.groupId, distribution: skdm.axolotlSenderKeyDistributionMessage };
  }
  return out;
}
