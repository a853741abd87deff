/**
 * Mime types for outgoing media: the caller's when given, else one guessed
 * from the file name's extension, else the media type's default. Only the
 * types WhatsApp clients render specially are listed; anything else is sent
 * as a document with application/octet-stream.
 */
import { MEDIA_TYPES, type MediaType } from './types.js';

const BY_EXTENSION: Readonly<Record<string, string>> = Object.freeze({
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  '3gp': 'video/3gpp',
  mov: 'video/quicktime',
  webm: 'video/webm',
  ogg: 'audio/ogg; codecs=opus',
  opus: 'audio/ogg; codecs=opus',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  amr: 'audio/amr',
  wav: 'audio/wav',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  apk: 'application/vnd.android.package-archive',
  vcf: 'text/vcard',
});

/** The mime type of a file name's extension, or undefined. */
export function mimeFromFileName(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0 || dot === fileName.length - 1) return undefined;
  return BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()];
}

/** Caller's mime type, else the file name's, else the type's default. */
export function mediaMime(type: MediaType, opts: { mimeType?: string; fileName?: string } = {}): string {
  return opts.mimeType || (opts.fileName && mimeFromFileName(opts.fileName)) || MEDIA_TYPES[type].defaultMime;
}

/**
 * The message kind for a file when the caller did not say (`wad send --file`):
 * by mime type, with everything unrecognised sent as a document.
 */
export function mediaTypeForMime(mime: string): 'image' | 'video' | 'audio' | 'sticker' | 'document' {
  if (mime === 'image/webp') return 'sticker';
  if (mime === 'image/jpeg' || mime === 'image/png') return 'image';
  if (mime.startsWith('video/') && mime !== 'video/quicktime') return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
}
