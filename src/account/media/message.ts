/**
 * Media messages for the messaging layer: `createMediaBuilder(service)`
 * uploads what a `message:send` carries and returns the image/video/audio/
 * document/sticker Message (thumbnail and dimensions of images and stickers
 * made when a library allows, else only what the caller gave) — to a
 * channel unencrypted, with the host's handle for the post; and
 * `downloadMessageMedia` fetches and verifies the file of a received media
 * Message or of a `message:new` event's `media` fields.
 */
import { Readable } from 'node:stream';
import {
  buildMediaMessage,
  mediaRefOf,
  type MediaMessageKind,
  type MediaMeta,
  type MediaType,
} from '../../protocol/media/index.js';
import { isNewsletter } from '../../protocol/jid/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { MediaContent } from '../../contract/api.js';
import type { DownloadOptions, MediaRef } from './download.js';
import type { DownloadedMedia } from './downloaded.js';
import { isMediaFile, type MediaSource } from './encrypt-source.js';
import { MediaError } from './errors.js';
import type { MediaService } from './service.js';
import { sharpInspector, type ImageInspector } from './thumbnails.js';

export interface MediaBuilderOptions {
  /** Unix ms; Date.now when absent. */
  now?: () => number;
  /** Thumbnails and dimensions of images and stickers; `false`: never inspect. Default: sharp when installed. */
  inspect?: ImageInspector | false;
  signal?: AbortSignal;
}

export function kindOf(c: Pick<MediaContent, 'type' | 'ptt' | 'gifPlayback' | 'ptv'>): MediaMessageKind {
  if (c.type === 'audio' && c.ptt) return 'ptt';
  if (c.type === 'video' && c.ptv) return 'ptv';
  if (c.type === 'video' && c.gifPlayback) return 'gif';
  return c.type;
}

/** A media Message ready to send; `mediaHandle`, a channel post's upload handle (its `media_id`). */
export interface BuiltMedia {
  message: proto.IMessage;
  mediaHandle?: string | undefined;
}

/**
 * The messaging layer's MediaBuilder over a MediaService.
 * @throws MediaError from the upload (the message is not sent)
 */
export function createMediaBuilder(service: MediaService, opts: MediaBuilderOptions = {}): (content: MediaContent, chat: string) => Promise<BuiltMedia> {
  const now = opts.now ?? Date.now;
  const inspect = opts.inspect === false ? undefined : (opts.inspect ?? sharpInspector);
  return async (c, chat) => {
    const kind = kindOf(c);
    const meta: MediaMeta = {
      mimetype: c.mimeType,
      caption: c.caption,
      fileName: c.fileName,
      width: c.width,
      height: c.height,
      seconds: c.seconds,
      jpegThumbnail: c.jpegThumbnail,
      waveform: c.waveform,
      viewOnce: c.viewOnce,
    };
    if ((kind === 'image' || kind === 'sticker') && inspect && (!meta.jpegThumbnail || !meta.width || !meta.height)) {
      // Only re-readable sources are inspected: a stream is read once, by the upload.
      const image = await inspectable(c.media);
      const facts = image && (await inspect(image));
      meta.width ??= facts?.width;
      meta.height ??= facts?.height;
      if (kind === 'image') meta.jpegThumbnail ??= facts?.jpegThumbnail;
    }
    if (kind === 'document' && !meta.fileName) meta.fileName = nameOf(c.media);
    const upload = opts.signal ? { signal: opts.signal } : {};
    if (isNewsletter(chat)) {
      const { handle, ...file } = await service.uploadUnencrypted(c.media, kind, upload);
      return { message: buildMediaMessage(kind, file, meta, Math.floor(now() / 1000)), mediaHandle: handle };
    }
    const uploaded = await service.upload(c.media, kind, upload);
    return { message: buildMediaMessage(kind, uploaded, meta, Math.floor(now() / 1000)) };
  };
}

/** Images larger than this are sent without a thumbnail made here (an opened file is read into memory to make one). */
const INSPECT_MAX_BYTES = 16 << 20;

async function inspectable(media: MediaSource): Promise<Uint8Array | { path: string } | undefined> {
  if (media instanceof Uint8Array) return media;
  if (media instanceof Readable) return undefined;
  if (isMediaFile(media)) {
    if (media.size > INSPECT_MAX_BYTES) return undefined;
    const parts: Uint8Array[] = [];
    for await (const part of media.read()) parts.push(part);
    return Buffer.concat(parts);
  }
  return 'path' in media ? media : undefined;
}

function nameOf(media: MediaSource): string | undefined {
  if (media instanceof Uint8Array || media instanceof Readable) return undefined;
  if (isMediaFile(media)) return media.name;
  return 'path' in media ? media.path.split(/[\\/]/).pop() : undefined;
}

/** The `media` fields of a `message:new` event (base64 byte fields), as src/protocol/message decodes them. */
export interface EventMedia {
  mediaKey?: string;
  directPath?: string;
  url?: string;
  fileSha256?: string;
  fileEncSha256?: string;
  fileLength?: number;
  ptt?: boolean;
}

const unb64 = (s: string | undefined): Uint8Array | undefined => (s ? new Uint8Array(Buffer.from(s, 'base64')) : undefined);

/**
 * A download reference from an event's `type` and `media`. A channel's media
 * is not encrypted: no media key, its fileSha256 what checks it.
 * @throws MediaError BAD_KEY when there is neither a media key nor a fileSha256, NO_HOSTS when there is no location
 */
export function mediaRefFromEvent(type: string, media: EventMedia): MediaRef {
  const mediaKey = unb64(media.mediaKey);
  if (!mediaKey && unb64(media.fileSha256)?.length !== 32) throw new MediaError('BAD_KEY', 'the message carries no media key');
  if (!media.directPath && !media.url) throw new MediaError('NO_HOSTS', 'the message carries no media location');
  const keyType: MediaType = type === 'audio' && media.ptt ? 'ptt' : type === 'image' || type === 'video' || type === 'audio' || type === 'document' || type === 'sticker' ? type : 'document';
  const ref: MediaRef = { type: keyType, ...(mediaKey ? { mediaKey } : {}) };
  if (media.directPath) ref.directPath = media.directPath;
  if (media.url) ref.url = media.url;
  const sha = unb64(media.fileSha256);
  const enc = unb64(media.fileEncSha256);
  if (sha) ref.fileSha256 = sha;
  if (enc) ref.fileEncSha256 = enc;
  if (media.fileLength !== undefined) ref.fileLength = media.fileLength;
  return ref;
}

/**
 * Downloads and verifies the file of a received media Message.
 * @throws MediaError NO_HOSTS when the message has no downloadable media, else as MediaService.download
 */
export function downloadMessageMedia(service: MediaService, message: proto.IMessage, opts?: DownloadOptions): Promise<DownloadedMedia> {
  const ref = mediaRefOf(message);
  if (!ref) return Promise.reject(new MediaError('NO_HOSTS', 'not a downloadable media message'));
  const { kind: _kind, mimetype: _m, fileName: _f, ...download } = ref;
  return service.download(download, opts);
}
