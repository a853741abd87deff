// Upload and download through the simulator's HTTPS media endpoint, trusted
// through its CA file only: round trips for every message kind and for sizes
// on both sides of the in-memory limit; blobs altered on the server, a wrong
// media key and cut blobs each fail with their typed error, release no
// plaintext and leave no temp file.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, MediaHttp, MediaService, type UploadedMedia } from '../../../src/account/media/index.js';
import { encryptMedia, uploadUrl, type MediaType } from '../../../src/protocol/media/index.js';
import { startSim, type SimHandle } from '../../../src/sim/index.js';
import { leftovers, settledLeftovers, simMediaConn, simMediaService } from './support.js';

let sim: SimHandle;
let media: MediaService;
let spoolDir: string;

beforeAll(async () => {
  sim = await startSim({ limits: { maxMediaBlobBytes: 16 * 1024 * 1024 } });
  ({ media, spoolDir } = await simMediaService(sim, { memoryLimit: 64 * 1024, retry: { delayMs: 10, maxDelayMs: 20 } }));
});
afterAll(async () => {
  media?.close();
  await sim?.close();
});

/** Puts raw bytes on the sim as an upload (the sim checks only the token against the body). */
function putRaw(blob: Uint8Array, type: MediaType = 'document'): Promise<string> {
  const sha = createHash('sha256').update(blob).digest();
  const url = uploadUrl(sim.hub.media!.hostname, type, sha, simMediaConn(sim).auth);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca: readFileSync(sim.mediaCaPath) }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(body) as { direct_path: string }).direct_path) : reject(new Error(body))));
    });
    req.on('error', reject);
    req.end(blob);
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    expect(e).toBeInstanceOf(MediaError);
    return (e as MediaError).code;
  }
}

const refOf = (u: UploadedMedia) => ({
  type: u.type,
  mediaKey: u.mediaKey,
  directPath: u.directPath,
  url: u.url,
  fileSha256: u.fileSha256,
  fileEncSha256: u.fileEncSha256,
  fileLength: u.fileLength,
});

describe('media over the simulator', () => {
  it('uploads and downloads every message kind to identical bytes', async () => {
    for (const type of ['image', 'video', 'audio', 'ptt', 'document', 'sticker'] as const) {
      const bytes = randomBytes(10_000 + type.length);
      const up = await media.upload(bytes, type);
      expect(up.url).toBe(sim.mediaUrl + up.directPath);
      expect(up.fileLength).toBe(bytes.length);
      expect(Buffer.from(up.fileSha256).equals(createHash('sha256').update(bytes).digest())).toBe(true);
      const down = await media.download(refOf(up));
      expect((await down.buffer()).equals(bytes)).toBe(true);
      await down.dispose();
    }
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('streams sizes across the in-memory limit from buffers, files and streams', async () => {
    for (const size of [0, 1, 65_535, 65_536 + 7, 3 * 1024 * 1024 + 5]) {
      const bytes = randomBytes(size);
      const up = await media.upload(bytes, 'video');
      const down = await media.download(refOf(up));
      const chunks: Buffer[] = [];
      for await (const c of down.stream({ dispose: true })) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(bytes), `size ${size}`).toBe(true);
    }
    expect(await settledLeftovers(spoolDir)).toEqual([]);
  });

  it('downloads by url alone and by direct path alone', async () => {
    const bytes = randomBytes(2_000);
    const up = await media.upload(bytes, 'image');
    const byUrl = await media.download({ type: 'image', mediaKey: up.mediaKey, url: up.url });
    expect((await byUrl.buffer()).equals(bytes)).toBe(true);
    const byPath = await media.download({ type: 'image', mediaKey: up.mediaKey, directPath: up.directPath });
    expect((await byPath.buffer()).equals(bytes)).toBe(true);
  });

  it('a blob altered on the server is HASH_MISMATCH (hash declared) or BAD_MAC (not declared)', async () => {
    const plain = randomBytes(200_000);
    const e = encryptMedia(plain, 'document');
    const bad = Buffer.from(e.blob);
    bad[123_456]! ^= 0x10;
    const directPath = await putRaw(bad);
    const ref = { type: 'document' as const, mediaKey: e.mediaKey, directPath, fileSha256: e.fileSha256, fileLength: e.fileLength };
    expect(await codeOf(media.download({ ...ref, fileEncSha256: e.fileEncSha256 }))).toBe('HASH_MISMATCH');
    expect(await codeOf(media.download(ref))).toBe('BAD_MAC');
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('a wrong MAC (a blob whose hash matches but whose MAC does not) is BAD_MAC', async () => {
    const e = encryptMedia(randomBytes(90_000), 'image');
    const bad = Buffer.from(e.blob);
    bad[bad.length - 1]! ^= 1;
    const fileEncSha256 = createHash('sha256').update(bad).digest();
    const directPath = await putRaw(bad, 'image');
    expect(await codeOf(media.download({ type: 'image', mediaKey: e.mediaKey, directPath, fileEncSha256, fileSha256: e.fileSha256 }))).toBe('BAD_MAC');
    const good = await putRaw(e.blob, 'image');
    expect(await codeOf(media.download({ type: 'image', mediaKey: randomBytes(32), directPath: good }))).toBe('BAD_MAC');
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('a cut blob is TRUNCATED, before a byte is read when the length is declared', async () => {
    const e = encryptMedia(randomBytes(150_000), 'video');
    for (const cut of [e.blob.length - 1, e.blob.length - 10, 70_000, 5]) {
      const directPath = await putRaw(e.blob.subarray(0, cut), 'video');
      expect(await codeOf(media.download({ type: 'video', mediaKey: e.mediaKey, directPath, fileLength: e.fileLength })), `cut ${cut}`).toBe('TRUNCATED');
      expect(['TRUNCATED', 'BAD_MAC']).toContain(await codeOf(media.download({ type: 'video', mediaKey: e.mediaKey, directPath })));
    }
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('a media key of the wrong size is BAD_KEY; an expired path is GONE unless the sender re-uploads', async () => {
    const up = await media.upload(randomBytes(1_000), 'document');
    expect(await codeOf(media.download({ ...refOf(up), mediaKey: randomBytes(16) }))).toBe('BAD_KEY');
    const expired = { ...refOf(up), directPath: '/v/t62/document/' + '0'.repeat(32) + '.enc?ccb=sim', url: undefined };
    expect(await codeOf(media.download(expired))).toBe('GONE');
    let asked = 0;
    const back = await media.download(expired, {
      reupload: async () => {
        asked++;
        return up.directPath;
      },
    });
    expect(asked).toBe(1);
    expect(back.fileLength).toBe(1_000);
    expect(await codeOf(media.download(expired, { reupload: async () => expired.directPath }))).toBe('GONE');
    expect(await codeOf(media.download(expired, { reupload: async () => Promise.reject(new Error('phone said NOT_FOUND')) }))).toBe('REUPLOAD_FAILED');
  });

  it('channel media goes unencrypted to the channel path and back, by sizes across the in-memory limit, with a handle the host knows', async () => {
    for (const [type, size] of [['image', 0], ['document', 65_536 + 3], ['video', 2 * 1024 * 1024 + 1]] as const) {
      const bytes = randomBytes(size);
      const up = await media.uploadUnencrypted(bytes, type);
      expect(up.directPath).toMatch(new RegExp(`^/v/t62/newsletter-${type}/[0-9a-f]{32}\\?ccb=sim$`));
      expect(Buffer.from(up.fileSha256).equals(createHash('sha256').update(bytes).digest())).toBe(true);
      expect(up.fileLength).toBe(size);
      expect(sim.hub.media!.isChannelHandle(up.handle!)).toBe(true);
      // What the media host stores is the file itself.
      expect(Buffer.from(sim.hub.blobs!.getBlob(up.directPath)!).equals(bytes)).toBe(true);
      const down = await media.download({ type, directPath: up.directPath, fileSha256: up.fileSha256, fileLength: size });
      expect(down.fileEncSha256).toBeUndefined();
      const chunks: Buffer[] = [];
      for await (const c of down.stream({ dispose: true })) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(bytes), `${type} ${size}`).toBe(true);
    }
    expect(sim.hub.media!.isChannelHandle('never-issued')).toBe(false);
    expect(await settledLeftovers(spoolDir)).toEqual([]);
  });

  it('unencrypted media is trusted by its hash alone: altered, cut or unhashed it is refused, nothing released or left', async () => {
    const bytes = randomBytes(120_000);
    const sha = createHash('sha256').update(bytes).digest();
    const altered = Buffer.from(bytes);
    altered[60_000]! ^= 0x01;
    const alteredPath = await putRaw(altered, 'image');
    expect(await codeOf(media.download({ type: 'image', directPath: alteredPath, fileSha256: sha }))).toBe('HASH_MISMATCH');
    const cutPath = await putRaw(bytes.subarray(0, 100_000), 'image');
    expect(await codeOf(media.download({ type: 'image', directPath: cutPath, fileSha256: sha, fileLength: bytes.length }))).toBe('TRUNCATED');
    expect(await codeOf(media.download({ type: 'image', directPath: cutPath, fileSha256: sha }))).toBe('HASH_MISMATCH');
    // Neither a key nor a hash: nothing would vouch for the bytes.
    expect(await codeOf(media.download({ type: 'image', directPath: await putRaw(bytes, 'image') }))).toBe('BAD_KEY');
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('trusts only the configured CA: the system CAs refuse the simulator', async () => {
    // A certificate that fails verification fails again: not retried (a retry would sit out a minute's pause here).
    const untrusting = new MediaService({ fetchMediaConn: async () => simMediaConn(sim), http: new MediaHttp(), spoolDir, retry: { delayMs: 60_000 } });
    try {
      const uploads = (await stats()).mediaUploads;
      expect(await codeOf(untrusting.upload(randomBytes(100), 'image'))).toBe('NETWORK');
      expect((await stats()).mediaUploads).toBe(uploads);
    } finally {
      untrusting.close();
    }
  });

  it('refuses uploads over the host’s advertised limit without sending them', async () => {
    const small = new MediaService({
      fetchMediaConn: async () => ({ ...simMediaConn(sim), hosts: [{ hostname: sim.hub.media!.hostname, maxContentLengthBytes: 1_000 }] }),
      http: await MediaHttp.fromCaFile(sim.mediaCaPath),
      spoolDir,
    });
    const before = ((await (await fetch(sim.adminUrl + '/stats')).json()) as { mediaUploads: number }).mediaUploads;
    expect(await codeOf(small.upload(randomBytes(2_000), 'image'))).toBe('TOO_LARGE');
    expect(await codeOf(small.upload(randomBytes(2_000), 'image'))).toBe('TOO_LARGE');
    const after = ((await (await fetch(sim.adminUrl + '/stats')).json()) as { mediaUploads: number }).mediaUploads;
    expect(after).toBe(before);
    small.close();
    expect(leftovers(spoolDir)).toEqual([]);
  });
});

interface Stats {
  mediaUploads: number;
  mediaDownloads: number;
  mediaFaults: number;
}

async function stats(): Promise<Stats> {
  return (await (await fetch(sim.adminUrl + '/stats')).json()) as Stats;
}

async function fault(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(sim.adminUrl + '/faults', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

describe('a media host that fails (POST /faults)', () => {
  it('one 5xx or one reset, on an upload or a download, costs a retry, not the transfer', async () => {
    for (const injected of [{ kind: 'media-error', status: 503 }, { kind: 'media-error', status: 500 }, { kind: 'media-reset' }]) {
      const bytes = randomBytes(200_000);
      const before = await stats();
      await fault({ ...injected, method: 'POST' });
      const up = await media.upload(bytes, 'document');
      await fault({ ...injected, method: 'GET' });
      const down = await media.download(refOf(up));
      expect((await down.buffer()).equals(bytes), JSON.stringify(injected)).toBe(true);
      await down.dispose();
      const after = await stats();
      // Each transfer met its fault once and then went through.
      expect(after.mediaFaults - before.mediaFaults).toBe(2);
      expect(after.mediaUploads - before.mediaUploads).toBe(1);
      expect(after.mediaDownloads - before.mediaDownloads).toBe(1);
    }
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('a host that keeps failing still fails, after 3 tries, with the code of its failure; a 4xx is not retried', async () => {
    const up = await media.upload(randomBytes(50_000), 'image');
    const cases: Array<[Record<string, unknown>, () => Promise<unknown>, string, number | undefined]> = [
      [{ kind: 'media-error', status: 503, method: 'GET' }, () => media.download(refOf(up)), 'HTTP_STATUS', 503],
      [{ kind: 'media-reset', method: 'GET' }, () => media.download(refOf(up)), 'TRUNCATED', undefined],
      [{ kind: 'media-error', status: 500, method: 'POST' }, () => media.upload(randomBytes(1_000), 'image'), 'HTTP_STATUS', 500],
      [{ kind: 'media-reset', method: 'POST' }, () => media.upload(randomBytes(1_000), 'image'), 'NETWORK', undefined],
    ];
    for (const [injected, transfer, code, status] of cases) {
      const before = (await stats()).mediaFaults;
      await fault({ ...injected, times: 5 });
      const err = (await transfer().catch((e: unknown) => e)) as MediaError;
      expect(err, JSON.stringify(injected)).toBeInstanceOf(MediaError);
      expect([err.code, err.status]).toEqual([code, status]);
      expect((await stats()).mediaFaults - before).toBe(3);
      await fetch(sim.adminUrl + '/faults', { method: 'DELETE' });
    }
    const before = (await stats()).mediaFaults;
    await fault({ kind: 'media-error', status: 400, method: 'GET', times: 5 });
    expect(await codeOf(media.download(refOf(up)))).toBe('HTTP_STATUS');
    expect((await stats()).mediaFaults - before).toBe(1);
    await fetch(sim.adminUrl + '/faults', { method: 'DELETE' });
    expect(await codeOf(media.download(refOf(up)))).toBe('OK');
    expect(leftovers(spoolDir)).toEqual([]);
  });
});
