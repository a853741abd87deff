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
import { applyForwarded, decodeAddonKind, decodeLiveLocation, ref } from './decode-kinds.js';
import type { DecodedContent, DecodedType } from './decoded.js';

export type { DecodedContent, DecodedRef, DecodedType } from './decoded.js';

const b64 = (b: Uint8Array | null | undefined): string | undefined => (b && b.length > 0 ? Buffer.from(b).toString('base64') : undefined);
const num = (n: number | null | undefined): number | undefined => (typeof n === 'number' ? n : undefined);
const str = (s: string | null | undefined): string | undefined => (typeof s === 'string' ? s : undefined);

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
  applyForwarded(out, ctx);
}

function linkThumbnail(e: proto.Message.IExtendedTextMessage): NonNullable<NonNullable<DecodedContent['linkPreview']>['thumbnail']> {
  const t: NonNullable<NonNullable<DecodedContent['linkPreview']>['thumbnail']> = { directPath: e.thumbnailDirectPath ?? '' };
  const set = <K extends keyof typeof t>(k: K, v: (typeof t)[K] | undefined): void => {
    if (v !== undefined) t[k] = v;
  };
  set('mediaKey', b64(e.mediaKey));
  set('fileSha256', b64(e.thumbnailSha256));
  set('fileEncSha256', b64(e.thumbnailEncSha256));
  set('width', num(e.thumbnailWidth));
  set('height', num(e.thumbnailHeight));
  const ts = e.mediaKeyTimestamp;
  set('mediaKeyTimestamp', ts === null || ts === undefined ? undefined : Number(ts));
  return t;
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
    if (e.matchedText || e.title || e.description || e.thumbnailDirectPath) {
      const lp: NonNullable<DecodedContent['linkPreview']> = {};
      if (e.matchedText) lp.matchedText = e.matchedText;
      if (e.title) lp.title = e.title;
      if (e.description) lp.description = e.description;
      const thumb = b64(e.jpegThumbnail);
      if (thumb) lp.jpegThumbnail = thumb;
      if (e.thumbnailDirectPath) lp.thumbnail = linkThumbnail(e);
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
  if (m.liveLocationMessage) {
    decodeLiveLocation(out, m.liveLocationMessage);
    applyContext(out, m.liveLocationMessage.contextInfo);
    return out;
  }
  if (m.locationMessage) {
    const l = m.locationMessage;
    out.type = 'location';
    const loc: NonNullable<DecodedContent['location']> = { latitude: l.degreesLatitude ?? 0, longitude: l.degreesLongitude ?? 0 };
    if (l.name) loc.name = l.name;
    if (l.address) loc.address = l.address;
    if (l.url) loc.url = l.url;
    out.location = loc;
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
  if (decodeAddonKind(out, m, message)) {
    if (m.eventMessage) applyContext(out, m.eventMessage.contextInfo);
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
