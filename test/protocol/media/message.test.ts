// Media Message shapes: every kind's field, the fields left out when absent,
// and the download reference read back from under wrappers.
import { describe, expect, it } from 'vitest';
import { buildMediaMessage, mediaRefOf, type UploadedFile } from '../../../src/protocol/media/index.js';
import { proto } from '../../../src/protocol/proto/index.js';

const file: UploadedFile = {
  mediaKey: new Uint8Array(32).fill(1),
  directPath: '/v/t62/x.enc?ccb=1',
  url: 'https://mmg.whatsapp.net/v/t62/x.enc?ccb=1',
  fileSha256: new Uint8Array(32).fill(2),
  fileEncSha256: new Uint8Array(32).fill(3),
  fileLength: 1234,
};

describe('buildMediaMessage', () => {
  it('puts each kind in its field with the type’s default mime', () => {
    const field = (m: proto.IMessage) => Object.keys(m)[0];
    expect(field(buildMediaMessage('image', file, {}, 1))).toBe('imageMessage');
    expect(field(buildMediaMessage('ptv', file, {}, 1))).toBe('ptvMessage');
    expect(buildMediaMessage('gif', file, {}, 1).videoMessage?.gifPlayback).toBe(true);
    expect(buildMediaMessage('ptt', file, {}, 1).audioMessage).toMatchObject({ ptt: true, mimetype: 'audio/ogg; codecs=opus' });
    expect(buildMediaMessage('document', file, {}, 1).documentMessage).toMatchObject({ fileName: 'file', mimetype: 'application/octet-stream' });
    expect(buildMediaMessage('sticker', file, {}, 1).stickerMessage?.mimetype).toBe('image/webp');
  });

  it('leaves out what was not given and survives the wire', () => {
    const m = buildMediaMessage('video', file, { caption: '', width: -1, seconds: 2.5 }, 99);
    expect(Object.keys(m.videoMessage!).sort()).toEqual(['directPath', 'fileEncSha256', 'fileLength', 'fileSha256', 'mediaKey', 'mediaKeyTimestamp', 'mimetype', 'url']);
    const back = proto.Message.decode(proto.Message.encode(buildMediaMessage('document', file, { fileName: 'a.pdf', pageCount: 3 }, 99)).finish());
    expect(back.documentMessage).toMatchObject({ fileName: 'a.pdf', title: 'a.pdf', mimetype: 'application/pdf', pageCount: 3, fileLength: 1234, mediaKeyTimestamp: 99 });
  });
});

describe('mediaRefOf', () => {
  it('reads the download fields under wrappers, with the key type of the kind', () => {
    const inner = buildMediaMessage('ptt', file, {}, 1);
    const wrapped: proto.IMessage = { ephemeralMessage: { message: { viewOnceMessageV2: { message: inner } } } };
    const ref = mediaRefOf(proto.Message.decode(proto.Message.encode(wrapped).finish()))!;
    expect(ref).toMatchObject({ kind: 'ptt', type: 'ptt', directPath: file.directPath, url: file.url, fileLength: 1234 });
    expect(Buffer.from(ref.mediaKey!).equals(Buffer.from(file.mediaKey!))).toBe(true);
    expect(mediaRefOf(buildMediaMessage('gif', file, {}, 1))?.type).toBe('gif');
  });

  it('is undefined without media, a media key or a location', () => {
    expect(mediaRefOf({ conversation: 'x' })).toBeUndefined();
    expect(mediaRefOf({ imageMessage: { directPath: '/v/x' } })).toBeUndefined();
    expect(mediaRefOf({ imageMessage: { mediaKey: new Uint8Array(32) } })).toBeUndefined();
  });
});
