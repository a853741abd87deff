/**
 * Media messages: the proto.Message for an uploaded file (image, video, gif,
 * round video, audio, voice note, document, sticker) with the metadata
 * clients render — mimetype, size, caption, file name, dimensions, duration,
 * JPEG thumbnail — and, the other way, the fields a download needs from a
 * received media Message. Shapes follow Baileys 7's prepareWAMessageMedia,
 * which matches WhatsApp Web. Pure: the time comes in as an argument.
 */
import { unwrap } from '../message/index.js';
import type { proto } from '../proto/index.js';
import { mediaMime } from './mime.js';
import type { MediaType } from './types.js';

export type MediaMessageKind = 'image' | 'video' | 'gif' | 'ptv' | 'audio' | 'ptt' | 'document' | 'sticker';

/**
 * What an upload produced (src/account/media UploadedMedia has these). A
 * channel's media is not encrypted: no media key, no blob hash.
 */
export interface UploadedFile {
  mediaKey?: Uint8Array | undefined;
  directPath: string;
  url?: string | undefined;
  fileSha256: Uint8Array;
  fileEncSha256?: Uint8Array | undefined;
  fileLength: number;
}

/** Metadata the sender knows; absent fields are left out of the message. */
export interface MediaMeta {
  mimetype?: string | undefined;
  caption?: string | undefined;
  fileName?: string | undefined;
  /** Document title (defaults to the file name, as WhatsApp shows it). */
  title?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  /** Duration of audio and video, in seconds. */
  seconds?: number | undefined;
  /** A small JPEG (WhatsApp Web sends ~32–100 px wide) for image, video and document. */
  jpegThumbnail?: Uint8Array | undefined;
  /** 64 samples of 0..100 for voice notes. */
  waveform?: Uint8Array | undefined;
  isAnimated?: boolean | undefined;
  pageCount?: number | undefined;
  viewOnce?: boolean | undefined;
}

const uint = (n: number | undefined): number | undefined => (n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined);

/** The key type a kind's media is encrypted with (HKDF info, upload path). */
export function mediaTypeOfKind(kind: MediaMessageKind): MediaType {
  return kind;
}

/**
 * The Message for an uploaded file. `mediaKeyTimestamp`: unix seconds of the upload.
 */
export function buildMediaMessage(kind: MediaMessageKind, file: UploadedFile, meta: MediaMeta, mediaKeyTimestamp: number): proto.IMessage {
  const common: Record<string, unknown> = {
    mimetype: mediaMime(kind, { mimeType: meta.mimetype, fileName: meta.fileName }),
    fileSha256: file.fileSha256,
    fileLength: file.fileLength,
    directPath: file.directPath,
  };
  if (file.mediaKey) Object.assign(common, { fileEncSha256: file.fileEncSha256, mediaKey: file.mediaKey, mediaKeyTimestamp });
  if (file.url) common.url = file.url;
  const put = (o: Record<string, unknown>, k: string, v: unknown): void => {
    if (v !== undefined && v !== '') o[k] = v;
  };
  const visual = (o: Record<string, unknown>): Record<string, unknown> => {
    put(o, 'width', uint(meta.width));
    put(o, 'height', uint(meta.height));
    put(o, 'jpegThumbnail', meta.jpegThumbnail);
    put(o, 'caption', meta.caption);
    if (meta.viewOnce) o.viewOnce = true;
    return o;
  };
  switch (kind) {
    case 'image':
      return { imageMessage: visual({ ...common }) };
    case 'video':
    case 'gif':
    case 'ptv': {
      const v = visual({ ...common });
      put(v, 'seconds', uint(meta.seconds));
      if (kind === 'gif') v.gifPlayback = true;
      return kind === 'ptv' ? { ptvMessage: v } : { videoMessage: v };
    }
    case 'audio':
    case 'ptt': {
      const a: Record<string, unknown> = { ...common };
      put(a, 'seconds', uint(meta.seconds));
      if (kind === 'ptt') {
        a.ptt = true;
        put(a, 'waveform', meta.waveform);
      }
      if (meta.viewOnce) a.viewOnce = true;
      return { audioMessage: a };
    }
    case 'document': {
      const d: Record<string, unknown> = { ...common, fileName: meta.fileName || 'file' };
      put(d, 'title', meta.title ?? meta.fileName);
      put(d, 'caption', meta.caption);
      put(d, 'jpegThumbnail', meta.jpegThumbnail);
      put(d, 'pageCount', uint(meta.pageCount));
      return { documentMessage: d };
    }
    case 'sticker': {
      const s: Record<string, unknown> = { ...common };
      put(s, 'width', uint(meta.width));
      put(s, 'height', uint(meta.height));
      if (meta.isAnimated) s.isAnimated = true;
      return { stickerMessage: s };
    }
  }
}

/** The fields of a media message a download needs. */
export interface MediaRef {
  /** The key type to derive with. */
  type: MediaType;
  /** Absent for a channel's media, which is not encrypted: then fileSha256 is what verifies it. */
  mediaKey?: Uint8Array | undefined;
  directPath?: string;
  url?: string;
  fileSha256?: Uint8Array;
  fileEncSha256?: Uint8Array;
  fileLength?: number;
}

/** What a download needs from a received media message, and what the file is. */
export interface MediaMessageRef extends MediaRef {
  kind: MediaMessageKind;
  mimetype?: string;
  fileName?: string;
}

type Fields = {
  mediaKey?: Uint8Array | null;
  directPath?: string | null;
  url?: string | null;
  fileSha256?: Uint8Array | null;
  fileEncSha256?: Uint8Array | null;
  fileLength?: number | Long | null;
  mimetype?: string | null;
  fileName?: string | null;
};
interface Long {
  toNumber(): number;
}

/**
 * The download fields of a media Message (under its wrappers), or undefined
 * when it has none, or neither a media key nor (unencrypted channel media) the
 * file's SHA-256 to check it by.
 */
export function mediaRefOf(message: proto.IMessage): MediaMessageRef | undefined {
  const m = unwrap(message).message;
  const pick = (): [MediaMessageKind, Fields] | undefined => {
    if (m.imageMessage) return ['image', m.imageMessage];
    if (m.videoMessage) return [m.videoMessage.gifPlayback ? 'gif' : 'video', m.videoMessage];
    if (m.ptvMessage) return ['ptv', m.ptvMessage];
    if (m.audioMessage) return [m.audioMessage.ptt ? 'ptt' : 'audio', m.audioMessage];
    if (m.documentMessage) return ['document', m.documentMessage];
    if (m.stickerMessage) return ['sticker', m.stickerMessage];
    return undefined;
  };
  const found = pick();
  if (!found) return undefined;
  const [kind, f] = found;
  const keyed = f.mediaKey !== null && f.mediaKey !== undefined && f.mediaKey.length > 0;
  if ((!keyed && f.fileSha256?.length !== 32) || (!f.directPath && !f.url)) return undefined;
  const ref: MediaMessageRef = { kind, type: mediaTypeOfKind(kind) };
  if (keyed) ref.mediaKey = f.mediaKey!;
  if (f.directPath) ref.directPath = f.directPath;
  if (f.url) ref.url = f.url;
  if (f.fileSha256?.length) ref.fileSha256 = f.fileSha256;
  if (f.fileEncSha256?.length) ref.fileEncSha256 = f.fileEncSha256;
  if (f.fileLength !== null && f.fileLength !== undefined) ref.fileLength = typeof f.fileLength === 'number' ? f.fileLength : f.fileLength.toNumber();
  if (f.mimetype) ref.mimetype = f.mimetype;
  if (f.fileName) ref.fileName = f.fileName;
  return ref;
}
