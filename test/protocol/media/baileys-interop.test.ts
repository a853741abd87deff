// Media crypto against Baileys 7 as the oracle: the same keys per type
// (getMediaKeys), byte-identical blobs and hashes for the same media key
// (encryptedStream), Baileys decrypting our blobs (downloadEncryptedContent,
// fed through a data: URL) and ours decrypting Baileys'.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { downloadEncryptedContent, encryptedStream, getMediaKeys, type MediaType as BaileysMediaType } from 'baileys';
import { describe, expect, it } from 'vitest';
import {
  decryptMedia,
  deriveMediaKeys,
  encryptMedia,
  MEDIA_TYPES,
  uploadToken,
  type MediaType,
} from '../../../src/protocol/media/index.js';

/** Our names → Baileys' (the same strings where Baileys knows the type). */
const BAILEYS_NAME: Partial<Record<MediaType, string>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'document',
  sticker: 'sticker',
  ptt: 'ptt',
  gif: 'gif',
  ptv: 'ptv',
  'thumbnail-link': 'thumbnail-link',
  'thumbnail-image': 'thumbnail-image',
  'thumbnail-video': 'thumbnail-video',
  'thumbnail-document': 'thumbnail-document',
  'md-msg-hist': 'md-msg-hist',
  'md-app-state': 'md-app-state',
};

async function baileysDecrypt(blob: Uint8Array, mediaKey: Uint8Array, type: MediaType): Promise<Buffer> {
  const keys = await getMediaKeys(Buffer.from(mediaKey), BAILEYS_NAME[type] as BaileysMediaType);
  const url = `data:application/octet-stream;base64,${Buffer.from(blob).toString('base64')}`;
  const stream = await downloadEncryptedContent(url, keys);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('media keys', () => {
  it('derive like Baileys for every type both know, sticker as image and ptt as audio', async () => {
    const mediaKey = randomBytes(32);
    for (const [ours, theirs] of Object.entries(BAILEYS_NAME) as Array<[MediaType, string]>) {
      const a = deriveMediaKeys(mediaKey, ours);
      const b = await getMediaKeys(mediaKey, theirs as BaileysMediaType);
      expect([hex(a.iv), hex(a.cipherKey), hex(a.macKey)], ours).toEqual([hex(b.iv!), hex(b.cipherKey!), hex(b.macKey!)]);
    }
    expect(deriveMediaKeys(mediaKey, 'sticker')).toEqual(deriveMediaKeys(mediaKey, 'image'));
    expect(deriveMediaKeys(mediaKey, 'ptt')).toEqual(deriveMediaKeys(mediaKey, 'audio'));
    expect(hex(deriveMediaKeys(mediaKey, 'image').iv)).not.toBe(hex(deriveMediaKeys(mediaKey, 'video').iv));
  });

  it('use the documented info strings', () => {
    expect(MEDIA_TYPES.image.hkdfInfo).toBe('WhatsApp Image Keys');
    expect(MEDIA_TYPES.video.hkdfInfo).toBe('WhatsApp Video Keys');
    expect(MEDIA_TYPES.audio.hkdfInfo).toBe('WhatsApp Audio Keys');
    expect(MEDIA_TYPES.document.hkdfInfo).toBe('WhatsApp Document Keys');
    expect(MEDIA_TYPES['md-msg-hist'].hkdfInfo).toBe('WhatsApp History Keys');
    expect(MEDIA_TYPES['md-app-state'].hkdfInfo).toBe('WhatsApp App State Keys');
    expect(MEDIA_TYPES['thumbnail-link'].hkdfInfo).toBe('WhatsApp Link Thumbnail Keys');
  });

  it('refuse a media key that is not 32 bytes', () => {
    expect(() => deriveMediaKeys(randomBytes(31), 'image')).toThrow(expect.objectContaining({ code: 'BAD_KEY' }));
  });
});

describe('blobs against Baileys', () => {
  const SIZES = [0, 1, 15, 16, 17, 1000, 65_536, 100_003];

  it('Baileys’ encryptedStream and ours make the same blob and hashes for the same media key; each decrypts the other', async () => {
    for (const [i, size] of SIZES.entries()) {
      const type = (['image', 'video', 'audio', 'document'] as const)[i % 4];
      const plaintext = randomBytes(size);
      const theirs = await encryptedStream(plaintext, type);
      try {
        const blob = readFileSync(theirs.encFilePath);
        const ours = encryptMedia(plaintext, type, theirs.mediaKey);
        expect(hex(ours.blob), `size ${size}`).toBe(hex(blob));
        expect(hex(ours.mac)).toBe(hex(theirs.mac));
        expect(hex(ours.fileSha256)).toBe(hex(theirs.fileSha256));
        expect(hex(ours.fileEncSha256)).toBe(hex(theirs.fileEncSha256));
        expect(ours.fileLength).toBe(theirs.fileLength);
        const back = decryptMedia(blob, theirs.mediaKey, type, {
          fileSha256: theirs.fileSha256,
          fileEncSha256: theirs.fileEncSha256,
          fileLength: theirs.fileLength,
        });
        expect(hex(back)).toBe(hex(plaintext));
        expect(hex(await baileysDecrypt(ours.blob, ours.mediaKey, type))).toBe(hex(plaintext));
      } finally {
        rmSync(theirs.encFilePath, { force: true });
      }
    }
  });

  it('Baileys decrypts what we encrypt with a fresh key, for every message kind', async () => {
    for (const type of ['image', 'video', 'audio', 'document', 'sticker', 'ptt'] as const) {
      const plaintext = randomBytes(4099);
      const ours = encryptMedia(plaintext, type);
      expect(ours.mediaKey.length).toBe(32);
      expect(ours.blob.length).toBe(ours.encLength);
      expect(hex(await baileysDecrypt(ours.blob, ours.mediaKey, type))).toBe(hex(plaintext));
    }
  });

  it('upload token is unpadded base64url of fileEncSha256, as Baileys encodes it', () => {
    const h = Buffer.from('fb'.repeat(31) + 'ff', 'hex');
    const baileys = encodeURIComponent(h.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    expect(uploadToken(h)).toBe(baileys);
    expect(uploadToken(h)).not.toMatch(/[+/=]/);
  });
});
