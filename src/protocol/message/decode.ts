/**
 * proto.Message → what a consumer receives in `message:new` (the control contract:
 * `type`, `content` = the text or caption, `quoted`, `media`, `raw`) with the
 * kind-specific fields. Every field is JSON-safe (bytes as base64). Unknown
 * kinds are never dropped: they come out as `type: "unknown"` with the whole
 * Message as `raw` (base64). Protocol messages come out as their action
 * (revoke, edit, disappearing) so the account can turn them into
 * `message:deleted` / `message:updated`. Pure.
 */
import { proto } from '../proto/index.js';
import { unwrap } from './kind.js';

export type DecodedType =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'live-location'
  | 'contact'
  | 'contacts'
  | 'poll'
  | 'poll-vote'
  | 'group-invite'
  | 'reaction'
  | 'edit'
  | 'revoke'
  | 'disappearing'
  | 'sender-key'
  | 'protocol'
  | 'unknown';

export interface DecodedRef {
  id: string;
  chat?: string;
  fromMe?: boolean;
  participant?: string;
}

/** JSON-safe (no Uint8Array, no undefined values once serialised). */
export interface DecodedContent {
  type: DecodedType;
  /** Text or caption. */
  content?: string;
  quoted?: { id: string; participant?: string; chat?: string; type?: DecodedType; content?: string };
  mentions?: string[];
  linkPreview?: { matchedText?: string; title?: string; description?: string };
  /** Disappearing timer the sender's content carried (seconds). */
  expiration?: number;
  viewOnce?: boolean;
  /** Wrapper names passed through (ephemeralMessage, viewOnceMessageV2…). */
  wrappers?: string[];
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  contacts?: Array<{ displayName: string; vcard: string }>;
  poll?: { name: string; options: string[]; selectableCount: number; secret?: string };
  vote?: { poll: DecodedRef; encPayload: string; encIv: string; senderTimestampMs?: number };
  reaction?: { target: DecodedRef; emoji: string; senderTimestampMs?: number };
  edit?: { target: DecodedRef; content?: string; timestampMs?: number };
  revoke?: { target: DecodedRef };
  disappearing?: { expiration: number };
  /** A group invite an admin sent to us in particular: group:join takes its code with group, sender (admin) and expiration. */
  groupInvite?: { group: string; code: string; expiration: number; name?: string };
  media?: {
    mimetype?: string;
    fileLength?: number;
    fileName?: string;
    url?: string;
    directPath?: string;
    mediaKey?: string;
    fileSha256?: string;
    fileEncSha256?: string;
    seconds?: number;
    ptt?: boolean;
    width?: number;
    height?: number;
  };
  /** The senderKeyDistributionMessage a message carried (group key delivery; handled by the account). */
  senderKey?: { groupId: string };
  /** The whole Message (base64) for kinds wad does not decode, so nothing is lost. */
  raw?: string;
}

const b64 = (b: Uint8Array | null | undefined): string | undefined => (b && b.length > 0 ? Buffer.from(b).toString('base64') : undefined);
const num = (n: number | null | undefined): number | undefined => (typeof n === 'number' ? n : undefined);
const str = (s: string | null | undefined): string | undefined => (typeof s === 'string' ? s : undefined);

function ref(k: proto.IMessageKey | null | undefined): DecodedRef {
  const out: DecodedRef = { id: k?.id ?? '' };
  if (k?.remoteJid) out.chat = k.remoteJid;
  if (typeof k?.fromMe === 'boolean') out.fromMe = k.fromMe;
  if (k?.participant) out.participant = k.participant;
  return out;
}

function applyContext(out: DecodedContent, ctx: proto.IContextInfo | null | undefined): void {
  if (!ctx) return;
  if (ctx.stanzaId) {
    const q: NonNullable<DecodedContent['quoted']> = { id: ctx.stanzaId };
    if (ctx.participant) q.participant = ctx.participant;
    if (ctx.remoteJid) q.chat = ctx.remoteJid;
    if (ctx.quotedMessage) {
      const inner = decodeContent(ctx.quotedMessage);
      q.type = inner.type;
      if (inner.content !== undefined) q.content = inner.content;
    }
    out.quoted = q;
  }
  if (ctx.mentionedJid && ctx.mentionedJid.length > 0) out.mentions = [...ctx.mentionedJid];
  if (ctx.expiration) out.expiration = ctx.expiration;
}

type MediaFields = {
  mimetype?: string | null;
  fileLength?: number | null;
  url?: string | null;
  directPath?: string | null;
  mediaKey?: Uint8Array | null;
  fileSha256?: Uint8Array | null;
  fileEncSha256?: Uint8Array | null;
  contextInfo?: proto.IContextInfo | null;
  caption?: string | null;
  fileName?: string | null;
  seconds?: number | null;
  ptt?: boolean | null;
  width?: number | null;
  height?: number | null;
  viewOnce?: boolean | null;
};

function media(out: DecodedContent, type: DecodedType, m: MediaFields): DecodedContent {
  out.type = type;
  const md: NonNullable<DecodedContent['media']> = {};
  const set = <K extends keyof typeof md>(k: K, v: (typeof md)[K] | undefined): void => {
    if (v !== undefined) md[k] = v;
  };
  set('mimetype', str(m.mimetype));
  set('fileLength', num(m.fileLength));
  set('fileName', str(m.fileName));
  set('url', str(m.url));
  set('directPath', str(m.directPath));
  set('mediaKey', b64(m.mediaKey));
  set('fileSha256', b64(m.fileSha256));
  set('fileEncSha256', b64(m.fileEncSha256));
  set('seconds', num(m.seconds));
  if (m.ptt) md.ptt = true;
  set('width', num(m.width));
  set('height', num(m.height));
  out.media = md;
  if (m.caption) out.content = m.caption;
  if (m.viewOnce) out.viewOnce = true;
  applyContext(out, m.contextInfo);
  return out;
}

/**
 * Decodes one Message (already unpadded and parsed). Never throws. `rawBytes`
 * are the bytes it was parsed from: `raw` carries them as they came, so that
 * fields this schema lacks reach the consumer too (re-encoding would drop them).
 */
export function decodeContent(message: proto.IMessage, rawBytes?: Uint8Array): DecodedContent {
  const { message: m, wrappers } = unwrap(message);
  const out: DecodedContent = { type: 'unknown' };
  if (wrappers.length > 0) out.wrappers = [...wrappers];
  if (wrappers.some((w) => w.startsWith('viewOnce'))) out.viewOnce = true;
  const skdm = m.senderKeyDistributionMessage ?? message.senderKeyDistributionMessage;
  if (skdm?.groupId) out.senderKey = { groupId: skdm.groupId };

  if (typeof m.conversation === 'string' && m.conversation.length > 0) {
    out.type = 'text';
    out.content = m.conversation;
    return out;
  }
  if (m.extendedTextMessage) {
    const e = m.extendedTextMessage;
    out.type = 'text';
    out.content = e.text ?? '';
    if (e.matchedText || e.title || e.description) {
      const lp: NonNullable<DecodedContent['linkPreview']> = {};
      if (e.matchedText) lp.matchedText = e.matchedText;
      if (e.title) lp.title = e.title;
      if (e.description) lp.description = e.description;
      out.linkPreview = lp;
    }
    applyContext(out, e.contextInfo);
    return out;
  }
  if (m.imageMessage) return media(out, 'image', m.imageMessage);
  if (m.videoMessage) return media(out, 'video', m.videoMessage);
  if (m.ptvMessage) return media(out, 'video', m.ptvMessage);
  if (m.audioMessage) return media(out, 'audio', m.audioMessage);
  if (m.documentMessage) return media(out, 'document', m.documentMessage);
  if (m.stickerMessage) return media(out, 'sticker', m.stickerMessage);
  if (m.locationMessage || m.liveLocationMessage) {
    const l = (m.locationMessage ?? m.liveLocationMessage)!;
    out.type = m.locationMessage ? 'location' : 'live-location';
    const loc: NonNullable<DecodedContent['location']> = { latitude: l.degreesLatitude ?? 0, longitude: l.degreesLongitude ?? 0 };
    if (m.locationMessage?.name) loc.name = m.locationMessage.name;
    if (m.locationMessage?.address) loc.address = m.locationMessage.address;
    if (m.locationMessage?.url) loc.url = m.locationMessage.url;
    out.location = loc;
    if (m.liveLocationMessage?.caption) out.content = m.liveLocationMessage.caption;
    applyContext(out, l.contextInfo);
    return out;
  }
  if (m.contactMessage) {
    out.type = 'contact';
    out.contacts = [{ displayName: m.contactMessage.displayName ?? '', vcard: m.contactMessage.vcard ?? '' }];
    out.content = m.contactMessage.displayName ?? '';
    applyContext(out, m.contactMessage.contextInfo);
    return out;
  }
  if (m.contactsArrayMessage) {
    out.type = 'contacts';
    out.contacts = (m.contactsArrayMessage.contacts ?? []).map((c) => ({ displayName: c.displayName ?? '', vcard: c.vcard ?? '' }));
    out.content = m.contactsArrayMessage.displayName ?? '';
    applyContext(out, m.contactsArrayMessage.contextInfo);
    return out;
  }
  const poll = m.pollCreationMessage ?? m.pollCreationMessageV2 ?? m.pollCreationMessageV3 ?? m.pollCreationMessageV5;
  if (poll) {
    out.type = 'poll';
    out.content = poll.name ?? '';
    out.poll = {
      name: poll.name ?? '',
      options: (poll.options ?? []).map((o) => o.optionName ?? ''),
      selectableCount: poll.selectableOptionsCount ?? 0,
    };
    const secret = b64(message.messageContextInfo?.messageSecret ?? m.messageContextInfo?.messageSecret);
    if (secret) out.poll.secret = secret;
    applyContext(out, poll.contextInfo);
    return out;
  }
  if (m.pollUpdateMessage?.vote) {
    const u = m.pollUpdateMessage;
    out.type = 'poll-vote';
    out.vote = { poll: ref(u.pollCreationMessageKey), encPayload: b64(u.vote!.encPayload) ?? '', encIv: b64(u.vote!.encIv) ?? '' };
    const ts = num(u.senderTimestampMs);
    if (ts !== undefined) out.vote.senderTimestampMs = ts;
    return out;
  }
  if (m.reactionMessage) {
    const r = m.reactionMessage;
    out.type = 'reaction';
    out.content = r.text ?? '';
    out.reaction = { target: ref(r.key), emoji: r.text ?? '' };
    const ts = num(r.senderTimestampMs);
    if (ts !== undefined) out.reaction.senderTimestampMs = ts;
    return out;
  }
  if (m.groupInviteMessage) {
    const g = m.groupInviteMessage;
    out.type = 'group-invite';
    out.content = g.caption ?? '';
    out.groupInvite = { group: g.groupJid ?? '', code: g.inviteCode ?? '', expiration: num(g.inviteExpiration) ?? 0 };
    if (g.groupName) out.groupInvite.name = g.groupName;
    applyContext(out, g.contextInfo);
    return out;
  }
  if (m.protocolMessage) return protocol(out, m.protocolMessage, message, rawBytes);
  if (out.senderKey && Object.keys(m).every((k) => k === 'senderKeyDistributionMessage' || k === 'messageContextInfo')) {
    out.type = 'sender-key';
    return out;
  }
  out.raw = rawOf(message, rawBytes);
  return out;
}

function rawOf(message: proto.IMessage, rawBytes: Uint8Array | undefined): string {
  return Buffer.from(rawBytes ?? proto.Message.encode(message).finish()).toString('base64');
}

function protocol(out: DecodedContent, p: proto.Message.IProtocolMessage, whole: proto.IMessage, rawBytes: Uint8Array | undefined): DecodedContent {
  const T = proto.Message.ProtocolMessage.Type;
  switch (p.type ?? T.REVOKE) {
    case T.REVOKE:
      out.type = 'revoke';
      out.revoke = { target: ref(p.key) };
      return out;
    case T.MESSAGE_EDIT: {
      out.type = 'edit';
      const edited = p.editedMessage ? decodeContent(p.editedMessage) : undefined;
      out.edit = { target: ref(p.key) };
      if (edited?.content !== undefined) {
        out.edit.content = edited.content;
        out.content = edited.content;
      }
      const ts = num(p.timestampMs);
      if (ts !== undefined) out.edit.timestampMs = ts;
      return out;
    }
    case T.EPHEMERAL_SETTING:
      out.type = 'disappearing';
      out.disappearing = { expiration: p.ephemeralExpiration ?? 0 };
      return out;
    default:
      out.type = 'protocol';
      out.raw = rawOf(whole, rawBytes);
      return out;
  }
}

/** Parses plaintext bytes (unpadded) into a Message; undefined when they are not one. */
export function parseMessage(bytes: Uint8Array): proto.Message | undefined {
  try {
    return proto.Message.decode(bytes);
  } catch {
    return undefined;
  }
}
