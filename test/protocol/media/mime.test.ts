// Outgoing mime types: caller's, else the extension's, else the type default;
// the message kind `wad send --file` picks from a mime type.
import { describe, expect, it } from 'vitest';
import { mediaMime, mediaTypeForMime, mimeFromFileName, MEDIA_TYPES, isMediaType } from '../../../src/protocol/media/index.js';

describe('media mime types', () => {
  it('prefers the caller, then the file name, then the type default', () => {
    expect(mediaMime('image', { mimeType: 'image/png', fileName: 'a.jpg' })).toBe('image/png');
    expect(mediaMime('document', { fileName: 'Report.PDF' })).toBe('application/pdf');
    expect(mediaMime('document', { fileName: 'noext' })).toBe('application/octet-stream');
    expect(mediaMime('ptt')).toBe('audio/ogg; codecs=opus');
    expect(mediaMime('sticker')).toBe('image/webp');
    expect(mediaMime('video', { fileName: 'x.' })).toBe('video/mp4');
  });

  it('maps mime types to message kinds', () => {
    expect(mediaTypeForMime(mimeFromFileName('a.jpeg')!)).toBe('image');
    expect(mediaTypeForMime(mimeFromFileName('a.webp')!)).toBe('sticker');
    expect(mediaTypeForMime(mimeFromFileName('a.mp4')!)).toBe('video');
    expect(mediaTypeForMime(mimeFromFileName('a.opus')!)).toBe('audio');
    expect(mediaTypeForMime(mimeFromFileName('a.zip')!)).toBe('document');
    expect(mediaTypeForMime('image/gif')).toBe('document');
  });

  it('knows upload paths for every type, sticker and thumbnails on the image path', () => {
    expect(MEDIA_TYPES.sticker.uploadPath).toBe('/mms/image');
    expect(MEDIA_TYPES.ptt.uploadPath).toBe('/mms/audio');
    expect(MEDIA_TYPES['thumbnail-link'].uploadPath).toBe('/mms/image');
    for (const t of Object.values(MEDIA_TYPES)) expect(t.uploadPath).toMatch(/^\/[a-z]+\/[a-z-]+$/);
    expect(isMediaType('image')).toBe(true);
    expect(isMediaType('toString')).toBe(false);
  });
});
