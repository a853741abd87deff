// Media files between wad and Baileys 7 over the simulator's HTTPS endpoint:
// Baileys prepares and uploads media messages (prepareWAMessageMedia with its
// own uploader) that we download and verify to identical bytes, and Baileys
// downloads and decrypts (downloadContentFromMessage) what we upload.
//
// Baileys downloads with the global fetch, which cannot be given a CA here:
// this file turns certificate checks off process-wide, as the e2e suites do
// for Baileys. Our own trust handling is tested in sim-transfer.test.ts.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { downloadContentFromMessage, getWAUploadToServer, prepareWAMessageMedia, type MediaType as BaileysMediaType, type proto as P } from 'baileys';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaService } from '../../../src/account/media/index.js';
import type { MediaType } from '../../../src/protocol/media/index.js';
import { startSim, type SimHandle } from '../../../src/sim/index.js';
import { simMediaConn, simMediaService } from './support.js';

let sim: SimHandle;
let media: MediaService;

beforeAll(async () => {
  sim = await startSim({ limits: { maxMediaBlobBytes: 8 * 1024 * 1024 } });
  ({ media } = await simMediaService(sim, { memoryLimit: 256 * 1024 }));
});
afterAll(async () => {
  media?.close();
  await sim?.close();
});

function baileysUploader() {
  const refresh = async () => {
    const c = simMediaConn(sim);
    return { auth: c.auth, ttl: c.ttl, fetchDate: new Date(), hosts: c.hosts.map((h) => ({ hostname: h.hostname, maxContentLengthBytes: h.maxContentLengthBytes ?? 0 })) };
  };
  return getWAUploadToServer(
    { customUploadHosts: [], fetchAgent: new Agent({ ca: readFileSync(sim.mediaCaPath) }), logger: pino({ level: 'silent' }), options: {} } as never,
    refresh,
  );
}

async function baileysDownload(msg: { mediaKey: Uint8Array; directPath: string; url?: string }, type: string): Promise<Buffer> {
  const stream = await downloadContentFromMessage({ mediaKey: msg.mediaKey, directPath: msg.directPath, url: msg.url ?? null }, type as BaileysMediaType);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const KINDS: Array<{ ours: MediaType; baileys: string; field: string; content: (b: Buffer) => Record<string, unknown> }> = [
  { ours: 'image', baileys: 'image', field: 'imageMessage', content: (b) => ({ image: b }) },
  { ours: 'video', baileys: 'video', field: 'videoMessage', content: (b) => ({ video: b }) },
  { ours: 'audio', baileys: 'audio', field: 'audioMessage', content: (b) => ({ audio: b }) },
  { ours: 'ptt', baileys: 'audio', field: 'audioMessage', content: (b) => ({ audio: b, ptt: true }) },
  { ours: 'document', baileys: 'document', field: 'documentMessage', content: (b) => ({ document: b, mimetype: 'application/pdf' }) },
  { ours: 'sticker', baileys: 'sticker', field: 'stickerMessage', content: (b) => ({ sticker: b }) },
];

describe('media files between wad and Baileys', () => {
  it('we download and verify every kind Baileys uploads', async () => {
    const upload = baileysUploader();
    for (const kind of KINDS) {
      const bytes = randomBytes(300_000 + kind.ours.length);
      const msg = (await prepareWAMessageMedia(kind.content(bytes) as never, { upload })) as P.IMessage;
      const m = (msg as Record<string, P.Message.IImageMessage>)[kind.field]!;
      const got = await media.download({
        type: kind.ours,
        mediaKey: m.mediaKey!,
        directPath: m.directPath!,
        url: m.url!,
        fileSha256: m.fileSha256!,
        fileEncSha256: m.fileEncSha256!,
        fileLength: Number(m.fileLength),
      });
      expect((await got.buffer()).equals(bytes), kind.ours).toBe(true);
      await got.dispose();
    }
  });

  it('Baileys downloads and decrypts every kind we upload', async () => {
    for (const kind of KINDS) {
      const bytes = randomBytes(500_000 + kind.ours.length);
      const up = await media.upload(bytes, kind.ours);
      const theirs = await baileysDownload({ mediaKey: up.mediaKey, directPath: up.directPath, ...(up.url ? { url: up.url } : {}) }, kind.baileys);
      expect(theirs.equals(bytes), kind.ours).toBe(true);
    }
  });
});
