/**
 * The media types WhatsApp knows, and per type: the HKDF info string its keys
 * are derived with, the upload path on a media host, and the mime type used
 * when the sender names none. One table, so the three never disagree.
 *
 * Sources: Baileys 7 `Defaults/index.js` (MEDIA_HKDF_KEY_MAPPING,
 * MEDIA_PATH_MAP, MIMETYPE_MAP) and whatsmeow `download.go`. Where they
 * differ, whatsmeow's paths are taken (history sync uploads to
 * /mms/md-msg-hist, app state to /mms/md-app-state; Baileys sends history to
 * the app-state path and app state to the host root).
 */

export type MediaType =
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  /** Voice note: audio keys and path, an audioMessage with ptt set. */
  | 'ptt'
  /** A video played as a GIF. */
  | 'gif'
  /** A round "video note". */
  | 'ptv'
  | 'thumbnail-link'
  | 'thumbnail-image'
  | 'thumbnail-video'
  | 'thumbnail-document'
  | 'product-catalog-image'
  /** History sync blobs (HistorySyncNotification). */
  | 'md-msg-hist'
  /** App state snapshots and patches too large to inline (ExternalBlobReference). */
  | 'md-app-state';

export interface MediaTypeInfo {
  /** HKDF info: `WhatsApp <name> Keys`. */
  readonly hkdfInfo: string;
  /** Upload path on a media host, before `/<token>`. */
  readonly uploadPath: string;
  readonly defaultMime: string;
}

const info = (name: string, uploadPath: string, defaultMime: string): MediaTypeInfo =>
  Object.freeze({ hkdfInfo: `WhatsApp ${name} Keys`, uploadPath, defaultMime });

const OPUS = 'audio/ogg; codecs=opus';
const BINARY = 'application/octet-stream';

export const MEDIA_TYPES: Readonly<Record<MediaType, MediaTypeInfo>> = Object.freeze({
  image: info('Image', '/mms/image', 'image/jpeg'),
  video: info('Video', '/mms/video', 'video/mp4'),
  audio: info('Audio', '/mms/audio', OPUS),
  document: info('Document', '/mms/document', BINARY),
  sticker: info('Image', '/mms/image', 'image/webp'),
  ptt: info('Audio', '/mms/audio', OPUS),
  gif: info('Video', '/mms/video', 'video/mp4'),
  ptv: info('Video', '/mms/video', 'video/mp4'),
  'thumbnail-link': info('Link Thumbnail', '/mms/image', 'image/jpeg'),
  'thumbnail-image': info('Image Thumbnail', '/mms/image', 'image/jpeg'),
  'thumbnail-video': info('Video Thumbnail', '/mms/image', 'image/jpeg'),
  'thumbnail-document': info('Document Thumbnail', '/mms/image', 'image/jpeg'),
  'product-catalog-image': info('Image', '/product/image', 'image/jpeg'),
  'md-msg-hist': info('History', '/mms/md-msg-hist', BINARY),
  'md-app-state': info('App State', '/mms/md-app-state', BINARY),
});

export function isMediaType(value: string): value is MediaType {
  return Object.hasOwn(MEDIA_TYPES, value);
}

/**
 * The `<token>` of an upload URL (also repeated as `&token=`): the blob's
 * SHA-256 in unpadded base64url, which the server checks against the body.
 */
export function uploadToken(fileEncSha256: Uint8Array): string {
  return Buffer.from(fileEncSha256.buffer, fileEncSha256.byteOffset, fileEncSha256.byteLength).toString('base64url');
}

/**
 * `https://<host><path>/<token>?auth=<auth>&token=<token>` as WhatsApp Web
 * builds it. `hostname` may carry a port (the simulator's does).
 */
export function uploadUrl(hostname: string, type: MediaType, fileEncSha256: Uint8Array, auth: string): string {
  const token = uploadToken(fileEncSha256);
  return `https://${hostname}${MEDIA_TYPES[type].uploadPath}/${token}?auth=${encodeURIComponent(auth)}&token=${token}`;
}

/**
 * Channel (newsletter) media is not encrypted: the file goes as is to
 * `/newsletter/newsletter-<type>` (WhatsApp Web's and whatsmeow's path), with
 * the file's own SHA-256 as the token. Undefined for types a channel post
 * cannot carry.
 */
const CHANNEL_UPLOAD_KINDS: ReadonlySet<MediaType> = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker', 'gif', 'ptv']);

export function channelUploadPath(type: MediaType): string | undefined {
  return CHANNEL_UPLOAD_KINDS.has(type) ? `/newsletter/newsletter-${type}` : undefined;
}

/** `https://<host>/newsletter/newsletter-<type>/<token>?auth=<auth>&token=<token>`, token = the plaintext's SHA-256. */
export function channelUploadUrl(hostname: string, type: MediaType, fileSha256: Uint8Array, auth: string): string {
  const path = channelUploadPath(type);
  if (path === undefined) throw new RangeError(`a channel post cannot carry ${type} media`);
  const token = uploadToken(fileSha256);
  return `https://${hostname}${path}/${token}?auth=${encodeURIComponent(auth)}&token=${token}`;
}

/** The download URL of a direct path on a host (`/v/t62.7118-24/…?ccb=…`). */
export function downloadUrl(hostname: string, directPath: string): string {
  return `https://${hostname}${directPath.startsWith('/') ? '' : '/'}${directPath}`;
}
