// Media messages end to end at the file level, against Baileys 7 over the
// simulator: every kind we build is read by Baileys' own downloadMediaMessage
// (byte-identical) and carries the metadata given (mimetype, size, caption,
// file name, dimensions, duration, ptt, a JPEG thumbnail made from images);
// every kind Baileys builds is downloaded by ours from the Message alone and
// from the event fields src/protocol/message decodes.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // Baileys' fetch takes no CA (see baileys-transfer.test.ts)

import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { downloadMediaMessage, getWAUploadToServer, prepareWAMessageMedia, proto as bproto } from 'baileys';
import { pino } from 'pino';
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaBuilder, downloadMessageMedia, mediaRefFromEvent, MediaService } from '../../../src/account/media/index.js';
import type { MediaContent } from '../../../src/contract/api.js';
import { decodeContent } from '../../../src/protocol/message/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { startSim, type SimHandle } from '../../../src/sim/index.js';
import { simMediaConn, simMediaService } from './support.js';

let sim: SimHandle;
let media: MediaService;

beforeAll(async () => {
  sim = await startSim({ limits: { maxMediaBlobBytes: 8 * 1024 * 1024 } });
  ({ media } = await simMediaService(sim));
});
afterAll(async () => {
  media?.close();
  await sim?.close();
});

/** Through the wire format: what a receiver decodes. */
const reencode = (m: proto.IMessage) => bproto.Message.decode(proto.Message.encode(m).finish());

async function baileysReads(m: proto.IMessage): Promise<Buffer> {
  return (await downloadMediaMessage({ key: { id: 'x' }, message: reencode(m) } as never, 'buffer', {})) as Buffer;
}

describe('media message kinds', () => {
  const build = () => createMediaBuilder(media, { now: () => 1_700_000_000_000 });

  it('an image from a buffer: Baileys reads it; dimensions and a JPEG thumbnail are made', async () => {
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
    const { message: m } = await build()({ type: 'image', media: png, caption: 'red', mimeType: 'image/png' }, 'chat');
    const img = m.imageMessage!;
    expect(img).toMatchObject({ caption: 'red', mimetype: 'image/png', width: 640, height: 480, fileLength: png.length, mediaKeyTimestamp: 1_700_000_000 });
    expect(Buffer.from(img.jpegThumbnail!).subarray(0, 2).toString('hex')).toBe('ffd8');
    expect((await sharp(Buffer.from(img.jpegThumbnail!)).metadata()).width).toBe(32);
    expect((await baileysReads(m)).equals(png)).toBe(true);
  });

  it('video, gif, round video, audio, voice note, document and sticker: metadata as given, bytes as sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wad-kinds-'));
    const file = join(dir, 'Report 2024.pdf');
    const docBytes = randomBytes(70_000);
    writeFileSync(file, docBytes);
    const thumb = randomBytes(200);
    const cases: Array<[MediaContent, string, Record<string, unknown>]> = [
      [{ type: 'video', media: randomBytes(90_000), caption: 'clip', seconds: 12, width: 320, height: 240, jpegThumbnail: thumb }, 'videoMessage', { caption: 'clip', seconds: 12, width: 320, height: 240, mimetype: 'video/mp4' }],
      [{ type: 'video', media: randomBytes(9_000), gifPlayback: true }, 'videoMessage', { gifPlayback: true }],
      [{ type: 'video', media: randomBytes(9_000), ptv: true, seconds: 3 }, 'ptvMessage', { seconds: 3 }],
      [{ type: 'audio', media: randomBytes(30_000), seconds: 7, mimeType: 'audio/mpeg' }, 'audioMessage', { seconds: 7, mimetype: 'audio/mpeg' }],
      [{ type: 'audio', media: randomBytes(30_000), ptt: true, seconds: 4 }, 'audioMessage', { ptt: true, seconds: 4, mimetype: 'audio/ogg; codecs=opus' }],
      [{ type: 'document', media: { path: file } }, 'documentMessage', { fileName: 'Report 2024.pdf', title: 'Report 2024.pdf', mimetype: 'application/pdf' }],
      [{ type: 'document', media: Readable.from([randomBytes(5_000)]), fileName: 'data.bin', caption: 'see' }, 'documentMessage', { fileName: 'data.bin', caption: 'see', mimetype: 'application/octet-stream' }],
      [{ type: 'sticker', media: randomBytes(4_000), width: 512, height: 512 }, 'stickerMessage', { width: 512, height: 512, mimetype: 'image/webp' }],
    ];
    for (const [content, field, expected] of cases) {
      const sent = content.media instanceof Uint8Array ? Buffer.from(content.media) : 'path' in content.media ? docBytes : undefined;
      const { message: m } = await build()(content, 'chat');
      const body = (m as Record<string, Record<string, unknown>>)[field]!;
      expect(body, field).toMatchObject(expected);
      expect(body.directPath).toMatch(/^\/v\//);
      if (field === 'videoMessage' && content.jpegThumbnail) expect(Buffer.from(body.jpegThumbnail as Uint8Array).equals(thumb)).toBe(true);
      const got = await baileysReads(m);
      if (sent) expect(got.equals(sent), field).toBe(true);
      expect(got.length).toBe(Number(body.fileLength));
    }
  });

  it('downloads what Baileys builds, from the Message and from the decoded event fields', async () => {
    const upload = getWAUploadToServer(
      { customUploadHosts: [], fetchAgent: new Agent({ ca: readFileSync(sim.mediaCaPath) }), logger: pino({ level: 'silent' }), options: {} } as never,
      async () => ({ ...simMediaConn(sim), fetchDate: new Date(), hosts: [{ hostname: sim.hub.media!.hostname, maxContentLengthBytes: 0 }] }),
    );
    const kinds: Array<Record<string, unknown>> = [
      { video: randomBytes(50_000), gifPlayback: true },
      { audio: randomBytes(20_000), ptt: true },
      { document: randomBytes(20_000), mimetype: 'application/zip', fileName: 'a.zip' },
      { sticker: randomBytes(3_000) },
    ];
    for (const content of kinds) {
      const bytes = Object.values(content)[0] as Buffer;
      const built = (await prepareWAMessageMedia(content as never, { upload })) as bproto.IMessage;
      const m = proto.Message.decode(bproto.Message.encode(built).finish());
      const a = await downloadMessageMedia(media, m);
      expect((await a.buffer()).equals(bytes)).toBe(true);
      await a.dispose();
      const ev = decodeContent(m);
      const b = await media.download(mediaRefFromEvent(ev.type, ev.media!));
      expect((await b.buffer()).equals(bytes)).toBe(true);
      await b.dispose();
    }
  });

  it('refuses messages without downloadable media', async () => {
    await expect(downloadMessageMedia(media, { conversation: 'hi' })).rejects.toMatchObject({ code: 'NO_HOSTS' });
    expect(() => mediaRefFromEvent('image', { directPath: '/v/x' })).toThrow(expect.objectContaining({ code: 'BAD_KEY' }));
  });
});
