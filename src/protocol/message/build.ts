/**
 * Outgoing content → proto.Message, for every kind wad sends: text (plain,
 * with a link preview, with mentions, as a reply), location, contact and
 * contact arrays, polls (with their message secret), reactions, edits,
 * revokes, disappearing-timer changes, and already built messages (media
 * comes from the media pipeline); plus the wrappers (view once, the
 * disappearing timer on the content, our own devices' DeviceSentMessage).
 * Shapes follow WhatsApp Web as Baileys 7 sends them, so Baileys decodes
 * them as its own. Pure: times and secrets come in as arguments.
 */
import { proto } from '../proto/index.js';
import { MessageContentError } from './errors.js';
import { eventMessage, forwardMessage, keepMessage, liveLocationMessage, pinMessage, type EventDetails, type LiveLocation } from './addon-kinds.js';

/** Which message a reaction, edit, revoke, reply or vote points at. */
export interface MessageRef {
  /** The chat the target lives in. */
  readonly chat: string;
  readonly id: string;
  readonly fromMe: boolean;
  /** The target's sender inside a group (its user JID). */
  readonly participant?: string | undefined;
}

export interface Quote {
  readonly id: string;
  /** The quoted message's sender (user JID). */
  readonly participant: string;
  /** Its content, so the receiver can render the quote without looking it up. */
  readonly message?: proto.IMessage | undefined;
  /** Set when quoting from another chat. */
  readonly chat?: string | undefined;
}

export interface LinkPreview {
  readonly matchedText: string;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly jpegThumbnail?: Uint8Array | undefined;
  /** The high-quality thumbnail, uploaded encrypted with the link-thumbnail keys (media type thumbnail-link). */
  readonly thumbnail?: LinkThumbnail | undefined;
}

/** Where a link preview's high-quality thumbnail is and how to decrypt it. */
export interface LinkThumbnail {
  readonly directPath: string;
  readonly sha256: Uint8Array;
  readonly encSha256: Uint8Array;
  readonly mediaKey: Uint8Array;
  /** Unix seconds of the upload. */
  readonly mediaKeyTimestamp: number;
  readonly width: number;
  readonly height: number;
}

export type MessageContent =
  | {
      readonly type: 'text';
      readonly text: string;
      readonly mentions?: readonly string[];
      readonly quote?: Quote;
      readonly linkPreview?: LinkPreview;
      /** A text status's background colour, 0xAARRGGBB. */
      readonly backgroundArgb?: number;
      /** A text status's typeface (WhatsApp's FontType). */
      readonly font?: number;
    }
  | { readonly type: 'location'; readonly latitude: number; readonly longitude: number; readonly name?: string; readonly address?: string; readonly url?: string; readonly quote?: Quote }
  | { readonly type: 'contact'; readonly displayName: string; readonly vcard: string; readonly quote?: Quote }
  | { readonly type: 'contacts'; readonly displayName?: string; readonly contacts: readonly { displayName: string; vcard: string }[] }
  | { readonly type: 'poll'; readonly name: string; readonly options: readonly string[]; readonly selectableCount?: number; readonly messageSecret: Uint8Array }
  | { readonly type: 'reaction'; readonly target: MessageRef; readonly emoji: string; readonly senderTimestampMs: number }
  | { readonly type: 'edit'; readonly target: MessageRef; readonly text: string; readonly timestampMs: number }
  | { readonly type: 'revoke'; readonly target: MessageRef }
  | { readonly type: 'disappearing'; readonly expiration: number }
  | { readonly type: 'message'; readonly message: proto.IMessage }
  | { readonly type: 'pin'; readonly target: MessageRef; readonly pin: boolean; readonly durationSeconds: number; readonly senderTimestampMs: number }
  | { readonly type: 'keep'; readonly target: MessageRef; readonly keep: boolean; readonly timestampMs: number }
  | ({ readonly type: 'live-location' } & LiveLocation)
  | { readonly type: 'event'; readonly event: EventDetails; readonly messageSecret: Uint8Array }
  | { readonly type: 'forward'; readonly original: proto.IMessage; readonly ownMessage: boolean };

export interface BuildOptions {
  /** The chat's disappearing timer (seconds): stamped on the content's contextInfo. */
  readonly expiration?: number | undefined;
  /** Wrap as view once (media). */
  readonly viewOnce?: boolean | undefined;
}

function key(ref: MessageRef): proto.IMessageKey {
  const k: proto.IMessageKey = { remoteJid: ref.chat, fromMe: ref.fromMe, id: ref.id };
  if (ref.participant) k.participant = ref.participant;
  return k;
}

function contextInfo(quote: Quote | undefined, mentions: readonly string[] | undefined): proto.IContextInfo | undefined {
  if (!quote && !(mentions && mentions.length > 0)) return undefined;
  const ctx: proto.IContextInfo = {};
  if (quote) {
    ctx.stanzaId = quote.id;
    ctx.participant = quote.participant;
    if (quote.message) ctx.quotedMessage = stripForQuote(quote.message);
    if (quote.chat) ctx.remoteJid = quote.chat;
  }
  if (mentions && mentions.length > 0) ctx.mentionedJid = [...mentions];
  return ctx;
}

/**
 * The quoted copy without its own quote chain and mentions (WhatsApp Web's
 * prepare_for_quote: quotes never nest).
 */
export function stripForQuote(message: proto.IMessage): proto.IMessage {
  const copy = proto.Message.decode(proto.Message.encode(message).finish());
  copy.messageContextInfo = null;
  for (const value of Object.values(copy)) {
    if (value && typeof value === 'object' && 'contextInfo' in value) {
      (value as { contextInfo?: proto.IContextInfo | null }).contextInfo = null;
    }
  }
  return copy;
}

/**
 * Builds the Message for one piece of content.
 * @throws MessageContentError BAD_CONTENT for impossible content (a poll
 *   without options, selectable count out of range, an empty vCard list)
 */
export function buildMessage(content: MessageContent, options: BuildOptions = {}): proto.IMessage {
  const m = buildInner(content);
  if (options.expiration && options.expiration > 0) applyExpiration(m, options.expiration);
  return options.viewOnce ? { viewOnceMessage: { message: m } } : m;
}

function buildInner(c: MessageContent): proto.IMessage {
  switch (c.type) {
    case 'text': {
      const ctx = contextInfo(c.quote, c.mentions);
      const styled = c.backgroundArgb !== undefined || c.font !== undefined;
      if (!ctx && !c.linkPreview && !styled) return { conversation: c.text };
      const ext: proto.Message.IExtendedTextMessage = { text: c.text };
      if (c.backgroundArgb !== undefined) ext.backgroundArgb = c.backgroundArgb >>> 0;
      if (c.font !== undefined) ext.font = c.font;
      if (c.linkPreview) {
        ext.matchedText = c.linkPreview.matchedText;
        if (c.linkPreview.title !== undefined) ext.title = c.linkPreview.title;
        if (c.linkPreview.description !== undefined) ext.description = c.linkPreview.description;
        if (c.linkPreview.jpegThumbnail) ext.jpegThumbnail = c.linkPreview.jpegThumbnail;
        const hq = c.linkPreview.thumbnail;
        if (hq) {
          ext.thumbnailDirectPath = hq.directPath;
          ext.thumbnailSha256 = hq.sha256;
          ext.thumbnailEncSha256 = hq.encSha256;
          ext.mediaKey = hq.mediaKey;
          ext.mediaKeyTimestamp = hq.mediaKeyTimestamp;
          ext.thumbnailWidth = hq.width;
          ext.thumbnailHeight = hq.height;
        }
        ext.previewType = proto.Message.ExtendedTextMessage.PreviewType.NONE;
      }
      if (ctx) ext.contextInfo = ctx;
      return { extendedTextMessage: ext };
    }
    case 'location': {
      const loc: proto.Message.ILocationMessage = { degreesLatitude: c.latitude, degreesLongitude: c.longitude };
      if (c.name !== undefined) loc.name = c.name;
      if (c.address !== undefined) loc.address = c.address;
      if (c.url !== undefined) loc.url = c.url;
      const ctx = contextInfo(c.quote, undefined);
      if (ctx) loc.contextInfo = ctx;
      return { locationMessage: loc };
    }
    case 'contact': {
      const contact: proto.Message.IContactMessage = { displayName: c.displayName, vcard: c.vcard };
      const ctx = contextInfo(c.quote, undefined);
      if (ctx) contact.contextInfo = ctx;
      return { contactMessage: contact };
    }
    case 'contacts': {
      if (c.contacts.length === 0) throw new MessageContentError('BAD_CONTENT', 'a contacts message needs at least one contact');
      return {
        contactsArrayMessage: {
          displayName: c.displayName ?? `${c.contacts.length} contacts`,
          contacts: c.contacts.map((x) => ({ displayName: x.displayName, vcard: x.vcard })),
        },
      };
    }
    case 'poll': {
      const selectable = c.selectableCount ?? 0;
      if (c.options.length < 2) throw new MessageContentError('BAD_CONTENT', 'a poll needs at least two options');
      if (new Set(c.options).size !== c.options.length) throw new MessageContentError('BAD_CONTENT', 'poll options must be distinct');
      if (!Number.isInteger(selectable) || selectable < 0 || selectable > c.options.length) {
        throw new MessageContentError('BAD_CONTENT', `selectableCount must be 0..${c.options.length}`);
      }
      if (c.messageSecret.length !== 32) throw new MessageContentError('BAD_CONTENT', 'a poll secret is 32 bytes');
      const poll: proto.Message.IPollCreationMessage = {
        name: c.name,
        options: c.options.map((optionName) => ({ optionName })),
        selectableOptionsCount: selectable,
      };
      // WhatsApp Web: single-choice polls are V3.
      return selectable === 1
        ? { pollCreationMessageV3: poll, messageContextInfo: { messageSecret: c.messageSecret } }
        : { pollCreationMessage: poll, messageContextInfo: { messageSecret: c.messageSecret } };
    }
    case 'reaction':
      return { reactionMessage: { key: key(c.target), text: c.emoji, senderTimestampMs: c.senderTimestampMs } };
    case 'edit':
      return {
        protocolMessage: {
          key: key(c.target),
          type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
          editedMessage: { conversation: c.text },
          timestampMs: c.timestampMs,
        },
      };
    case 'revoke':
      return { protocolMessage: { key: key(c.target), type: proto.Message.ProtocolMessage.Type.REVOKE } };
    case 'disappearing':
      return { protocolMessage: { type: proto.Message.ProtocolMessage.Type.EPHEMERAL_SETTING, ephemeralExpiration: c.expiration } };
    case 'message':
      return proto.Message.decode(proto.Message.encode(c.message).finish());
    case 'pin':
      return pinMessage(key(c.target), c.pin, c.durationSeconds, c.senderTimestampMs);
    case 'keep':
      return keepMessage(key(c.target), c.keep, c.timestampMs);
    case 'live-location':
      return liveLocationMessage(c);
    case 'event':
      return eventMessage(c.event, c.messageSecret);
    case 'forward':
      return forwardMessage(c.original, c.ownMessage);
  }
}

/** Stamps the disappearing timer on the content's contextInfo (WhatsApp Web; protocol messages, reactions, pins and keeps excepted). */
function applyExpiration(m: proto.IMessage, expiration: number): void {
  if (m.protocolMessage || m.reactionMessage || m.pinInChatMessage || m.keepInChatMessage || m.encEventResponseMessage) return;
  if (typeof m.conversation === 'string') {
    m.extendedTextMessage = { text: m.conversation, contextInfo: { expiration } };
    m.conversation = null;
    return;
  }
  for (const [name, value] of Object.entries(m)) {
    if (name === 'messageContextInfo' || name === 'senderKeyDistributionMessage' || !value || typeof value !== 'object' || value instanceof Uint8Array) continue;
    const content = value as { contextInfo?: proto.IContextInfo | null };
    content.contextInfo = { ...(content.contextInfo ?? {}), expiration };
    return;
  }
}

/**
 * Kinds that modify another message and so carry no secret of their own
 * (Baileys' shouldIncludeReportingToken: a reaction, an encrypted reaction
 * or event response, a poll vote).
 */
const WITHOUT_SECRET = ['reactionMessage', 'encReactionMessage', 'encEventResponseMessage', 'pollUpdateMessage'] as const;

/**
 * The message with `messageContextInfo.messageSecret` set, as WhatsApp's
 * clients send every message they author: the secret is what later
 * modifications (poll votes, encrypted reactions, edits on some clients) and
 * the server's reporting token are derived from, and a message without one
 * is a shape only third-party clients send. A secret already there (a poll's,
 * a resend of a stored message) is kept; `secret` is 32 random bytes from
 * the caller. Text stays `conversation`: the secret sits beside it.
 * @throws MessageContentError BAD_CONTENT when `secret` is not 32 bytes
 */
export function withMessageSecret(message: proto.IMessage, secret: Uint8Array): proto.IMessage {
  if (secret.length !== 32) throw new MessageContentError('BAD_CONTENT', 'a message secret is 32 bytes');
  if (message.messageContextInfo?.messageSecret?.length) return message;
  if (WITHOUT_SECRET.some((k) => message[k] != null)) return message;
  return { ...message, messageContextInfo: { ...(message.messageContextInfo ?? {}), messageSecret: secret } };
}

/** What our own other devices receive: the message and the chat it went to. */
export function deviceSentCopy(destinationJid: string, message: proto.IMessage): proto.IMessage {
  const out: proto.IMessage = { deviceSentMessage: { destinationJid, message } };
  if (message.messageContextInfo) out.messageContextInfo = message.messageContextInfo;
  return out;
}

export function senderKeyDistribution(groupId: string, distribution: Uint8Array): proto.IMessage {
  return { senderKeyDistributionMessage: { groupId, axolotlSenderKeyDistributionMessage: distribution } };
}

/** Serialized bytes (no padding: the Signal layer pads). */
export function encodeMessage(m: proto.IMessage): Uint8Array {
  return proto.Message.encode(m).finish();
}
