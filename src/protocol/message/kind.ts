/**
 * What a Message is, seen from the stanza: the `type` attribute of
 * `<message>` (text, media, reaction, poll, event), the enc's `mediatype`,
 * the `edit` attribute, and the content under the wrappers
 * (device sent, ephemeral, view once, document with caption, edited).
 * Mirrors WhatsApp Web as Baileys 7 reproduces it (getMessageType,
 * getMediaType, normalizeMessageContent). Pure.
 */
import type { proto } from '../proto/index.js';

type Wrapper = 'deviceSentMessage' | 'ephemeralMessage' | 'viewOnceMessage' | 'viewOnceMessageV2' | 'viewOnceMessageV2Extension' | 'documentWithCaptionMessage' | 'editedMessage' | 'groupMentionedMessage' | 'botInvokeMessage' | 'lottieStickerMessage' | 'associatedChildMessage' | 'statusMentionMessage' | 'groupStatusMessage' | 'groupStatusMessageV2';

const WRAPPERS: readonly Wrapper[] = [
  'deviceSentMessage',
  'ephemeralMessage',
  'viewOnceMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'documentWithCaptionMessage',
  'editedMessage',
  'groupMentionedMessage',
  'botInvokeMessage',
  'lottieStickerMessage',
  'associatedChildMessage',
  'statusMentionMessage',
  'groupStatusMessage',
  'groupStatusMessageV2',
];

export interface Unwrapped {
  readonly message: proto.IMessage;
  /** The wrappers passed through, outermost first. */
  readonly wrappers: readonly string[];
}

/** The content under the FutureProof wrappers (at most 5 levels: WhatsApp nests 2 at most). */
export function unwrap(message: proto.IMessage): Unwrapped {
  let m = message;
  const wrappers: string[] = [];
  for (let depth = 0; depth < 5; depth++) {
    const w = WRAPPERS.find((name) => m[name]?.message);
    if (!w) break;
    wrappers.push(w);
    m = m[w]!.message!;
  }
  return { message: m, wrappers };
}

/** The `type` attribute of the `<message>` stanza. */
export function stanzaType(message: proto.IMessage): 'text' | 'media' | 'reaction' | 'poll' | 'event' {
  const m = unwrap(message).message;
  if (m.reactionMessage || m.encReactionMessage) return 'reaction';
  if (m.pollCreationMessage || m.pollCreationMessageV2 || m.pollCreationMessageV3 || m.pollUpdateMessage) return 'poll';
  if (m.eventMessage || m.encEventResponseMessage) return 'event';
  return mediaType(m) ? 'media' : 'text';
}

/** The enc's `mediatype` attribute, or undefined for non-media. */
export function mediaType(message: proto.IMessage): string | undefined {
  const m = unwrap(message).message;
  if (m.imageMessage) return 'image';
  if (m.videoMessage) return m.videoMessage.gifPlayback ? 'gif' : 'video';
  if (m.audioMessage) return m.audioMessage.ptt ? 'ptt' : 'audio';
  if (m.contactMessage) return 'vcard';
  if (m.documentMessage) return 'document';
  if (m.contactsArrayMessage) return 'contact_array';
  if (m.liveLocationMessage) return 'livelocation';
  if (m.stickerMessage) return 'sticker';
  if (m.groupInviteMessage) return 'url';
  return undefined;
}

/** The stanza's `edit` attribute: 7 sender revoke, 8 admin revoke, 1 edit, 2 pin. */
export function editAttribute(message: proto.IMessage, ownRevoke: boolean): string | undefined {
  const m = unwrap(message).message;
  const p = m.protocolMessage;
  if (p?.type === 0 /* REVOKE */ && p.key) return ownRevoke ? '7' : '8';
  if (p?.type === 14 /* MESSAGE_EDIT */) return '1';
  if (m.pinInChatMessage) return '2';
  return undefined;
}

/** Messages about another message (reactions, pins, keeps, event answers) ask receivers to hide the "waiting for this message" placeholder on failure. */
export function hideOnDecryptFail(message: proto.IMessage): boolean {
  const m = unwrap(message).message;
  return Boolean(m.reactionMessage || m.pinInChatMessage || m.keepInChatMessage || m.encEventResponseMessage);
}
