/**
 * Where the file of a stored message is: our own sends from the sent cache
 * (the Message protobuf we encrypted), received messages from the record the
 * receive path keeps (`media`, the fields `message:new` carried; a text's
 * `linkThumbnail`, its link preview's high-quality thumbnail). Gives the
 * download reference, the re-upload target (who to ask when the file
 * expired) and what a consumer is told about the file. Reads the store only;
 * must not download (download.ts) nor decide what a message means.
 */
import { isGroup } from '../../protocol/jid/index.js';
import { mediaRefOf, type MediaRetryTarget } from '../../protocol/media/index.js';
import { proto } from '../../protocol/proto/index.js';
import type { AccountStore, ValueMap } from '../../store/index.js';
import type { MediaRef } from './download.js';
import { mediaRefFromEvent, type EventMedia } from './message.js';

/** What a consumer is told about a stored file. */
export interface StoredMediaInfo {
  /** image, video, audio, document, sticker (a voice note is audio; a link preview's high-quality thumbnail is an image). */
  type: string;
  mimeType?: string;
  /** Plaintext bytes, as the message declares them. */
  fileLength?: number;
  fileName?: string;
}

export interface StoredMedia {
  ref: MediaRef;
  target: MediaRetryTarget;
  info: StoredMediaInfo;
}

export type StoredMediaLookup =
  | { found: true; media: StoredMedia }
  /** `absent`: no such message; `not-media`: the message has no downloadable file. */
  | { found: false; why: 'absent' | 'not-media' };

const KIND_TYPE: Readonly<Record<string, string>> = { gif: 'video', ptv: 'video', ptt: 'audio' };

/**
 * Looks a message up: first among our sends (any chat), then among the
 * messages received in `chat` (the canonical chat id, as events carry it).
 * @throws MediaError BAD_KEY / NO_HOSTS when a received record's media fields are unusable
 */
export async function findStoredMedia(store: AccountStore, chat: string, messageId: string): Promise<StoredMediaLookup> {
  const sent = await store.sent.get(messageId);
  if (sent) {
    const message = proto.Message.decode(sent.message);
    const r = mediaRefOf(message);
    const thumb = r ? undefined : sentLinkThumbnail(message);
    if (thumb) return { found: true, media: { ref: thumb, target: { messageId, chat: sent.to, fromMe: true }, info: LINK_THUMBNAIL_INFO } };
    if (!r) return { found: false, why: 'not-media' };
    const ref: MediaRef = { type: r.type, mediaKey: r.mediaKey };
    if (r.directPath) ref.directPath = r.directPath;
    if (r.url) ref.url = r.url;
    if (r.fileSha256) ref.fileSha256 = r.fileSha256;
    if (r.fileEncSha256) ref.fileEncSha256 = r.fileEncSha256;
    if (r.fileLength !== undefined) ref.fileLength = r.fileLength;
    const info: StoredMediaInfo = { type: KIND_TYPE[r.kind] ?? r.kind };
    if (r.mimetype) info.mimeType = r.mimetype;
    if (r.fileLength !== undefined) info.fileLength = r.fileLength;
    if (r.fileName) info.fileName = r.fileName;
    return { found: true, media: { ref, target: { messageId, chat: sent.to, fromMe: true }, info } };
  }
  // Received live (the receive path's record), else from history sync (the message store).
  const rec = (await store.messages.get(chat, messageId)) ?? (await store.chatMessages.get(chat, messageId));
  if (!rec) return { found: false, why: 'absent' };
  const media = rec.media as (ValueMap & EventMedia) | undefined;
  const thumb = rec.linkThumbnail as (ValueMap & EventMedia) | undefined;
  if (!media && thumb && typeof thumb.directPath === 'string') {
    const target: MediaRetryTarget = { messageId, chat, fromMe: rec.fromMe === true };
    if (isGroup(chat) && typeof rec.sender === 'string') target.participant = rec.sender;
    return { found: true, media: { ref: { ...mediaRefFromEvent('document', thumb), type: 'thumbnail-link' }, target, info: LINK_THUMBNAIL_INFO } };
  }
  if (!media || typeof rec.type !== 'string') return { found: false, why: 'not-media' };
  const ref = mediaRefFromEvent(rec.type, media);
  const fromMe = rec.fromMe === true;
  const target: MediaRetryTarget = { messageId, chat, fromMe };
  if (isGroup(chat) && typeof rec.sender === 'string') target.participant = rec.sender;
  const info: StoredMediaInfo = { type: rec.type };
  if (typeof media.mimetype === 'string') info.mimeType = media.mimetype;
  if (typeof media.fileLength === 'number') info.fileLength = media.fileLength;
  if (typeof media.fileName === 'string') info.fileName = media.fileName;
  return { found: true, media: { ref, target, info } };
}

/** A text's link preview thumbnail, downloaded like a file: a JPEG (an image to the consumer) under the link-thumbnail keys. */
const LINK_THUMBNAIL_INFO: StoredMediaInfo = { type: 'image', mimeType: 'image/jpeg' };

/** The high-quality thumbnail of a link preview we sent, if it has one. */
function sentLinkThumbnail(message: proto.IMessage): MediaRef | undefined {
  const e = message.extendedTextMessage;
  if (!e?.thumbnailDirectPath || !e.mediaKey?.length) return undefined;
  const ref: MediaRef = { type: 'thumbnail-link', mediaKey: e.mediaKey, directPath: e.thumbnailDirectPath };
  if (e.thumbnailSha256?.length) ref.fileSha256 = e.thumbnailSha256;
  if (e.thumbnailEncSha256?.length) ref.fileEncSha256 = e.thumbnailEncSha256;
  return ref;
}
