/**
 * File name → mime type → WhatsApp media kind, for `sendFile` and `wad send
 * --file`. The table and the rules are the protocol core's
 * (src/protocol/media/mime.ts): one place decides what goes out as what.
 */
import type { MediaKind } from '../contract/api.js';
import { mediaTypeForMime, mimeFromFileName } from '../protocol/media/mime.js';

/** The mime type of a file name's extension; application/octet-stream when unknown. */
export function mimeFromName(name: string): string {
  return mimeFromFileName(name) ?? 'application/octet-stream';
}

/** JPEG/PNG as images, WebP as stickers, playable video and audio as themselves; anything else (GIF, HEIC, QuickTime) as a document. */
export function kindFromMime(mime: string): MediaKind {
  return mediaTypeForMime(mime);
}
