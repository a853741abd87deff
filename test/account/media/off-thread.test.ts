// Downloads verified on the media verifier's thread (blobs of OFF_THREAD_FROM
// bytes and more) through the simulator's HTTPS endpoint: the file comes back
// whole, and a blob altered on the server, a wrong declared hash or length,
// or a wrong key each fail with the same typed error as on the event loop,
// release no plaintext and leave no temp file. Each case checks that the
// worker did run the job.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, MediaHttp, MediaService, OFF_THREAD_FROM } from '../../../src/account/media/index.js';
import { encryptMedia, uploadUrl, type MediaExpectations, type MediaKeys } from '../../../src/protocol/media/index.js';
import { MediaVerifyThread } from '../../../src/runtime/media-verify/index.js';
import { startSim, type SimHandle } from '../../../src/sim/index.js';
import { leftovers, simMediaConn } from './support.js';

let sim: SimHandle;
let media: MediaService;
let spoolDir: string;
let thread: MediaVerifyThread;
let jobs = 0;

beforeAll(async () => {
  sim = await startSim({ limits: { maxMediaBlobBytes: 16 * 1024 * 1024 } });
  spoolDir = mkdtempSync(join(tmpdir(), 'wad-media-offthread-'));
  thread = new MediaVerifyThread();
  media = new MediaService({
    fetchMediaConn: async () => simMediaConn(sim),
    http: await MediaHttp.fromCaFile(sim.mediaCaPath),
    spoolDir,
    memoryLimit: 64 * 1024,
    retry: { delayMs: 10, maxDelayMs: 20 },
    verifier: {
      open: (keys: MediaKeys, expected: MediaExpectations) => {
        jobs++;
        return thread.open(keys, expected);
      },
    },
  });
});
afterAll(async () => {
  media?.close();
  await thread?.close();
  await sim?.close();
});

function putRaw(blob: Uint8Array): Promise<string> {
  const sha = createHash('sha256').update(blob).digest();
  const url = uploadUrl(sim.hub.media!.hostname, 'video', sha, simMediaConn(sim).auth);
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

/** The outcome, and whether the download handed it to the worker. */
async function viaThread(p: () => Promise<unknown>): Promise<[string, boolean]> {
  const before = jobs;
  const code = await codeOf(p());
  return [code, jobs > before];
}

describe('verification on the media thread', () => {
  const plain = randomBytes(OFF_THREAD_FROM * 3 + 12_345);
  const e = encryptMedia(plain, 'video');
  const ref = (directPath: string) => ({ type: 'video' as const, mediaKey: e.mediaKey, directPath, fileSha256: e.fileSha256, fileEncSha256: e.fileEncSha256, fileLength: e.fileLength });

  it('a large file comes back whole, with its hashes', async () => {
    const directPath = await putRaw(e.blob);
    const before = jobs;
    const got = await media.download(ref(directPath));
    expect(jobs).toBe(before + 1);
    expect([got.fileLength, Buffer.from(got.fileSha256).equals(e.fileSha256), Buffer.from(got.fileEncSha256!).equals(e.fileEncSha256)]).toEqual([plain.length, true, true]);
    expect((await got.buffer()).equals(plain)).toBe(true);
    await got.dispose();
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('an altered blob is HASH_MISMATCH (hash declared) or BAD_MAC; a wrong fileSha256 is HASH_MISMATCH; a wrong key BAD_MAC', async () => {
    const bad = Buffer.from(e.blob);
    bad[OFF_THREAD_FROM + 77]! ^= 0x04;
    const badPath = await putRaw(bad);
    expect(await viaThread(() => media.download(ref(badPath)))).toEqual(['HASH_MISMATCH', true]);
    expect(await viaThread(() => media.download({ ...ref(badPath), fileEncSha256: undefined }))).toEqual(['BAD_MAC', true]);
    const goodPath = await putRaw(e.blob);
    const wrongPlain = randomBytes(32);
    expect(await viaThread(() => media.download({ ...ref(goodPath), fileSha256: wrongPlain }))).toEqual(['HASH_MISMATCH', true]);
    expect(await viaThread(() => media.download({ ...ref(goodPath), fileEncSha256: undefined, mediaKey: randomBytes(32) }))).toEqual(['BAD_MAC', true]);
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('a blob cut short or longer than declared is TRUNCATED or TOO_LARGE', async () => {
    const cutPath = await putRaw(e.blob.subarray(0, e.blob.length - 16));
    expect((await viaThread(() => media.download({ ...ref(cutPath), fileEncSha256: undefined })))[0]).toBe('TRUNCATED');
    const longer = Buffer.concat([e.blob.subarray(0, e.blob.length - 10), randomBytes(16), e.blob.subarray(e.blob.length - 10)]);
    const longPath = await putRaw(longer);
    expect((await viaThread(() => media.download({ ...ref(longPath), fileEncSha256: undefined })))[0]).toBe('TOO_LARGE');
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('small files stay on the event loop', async () => {
    const small = encryptMedia(randomBytes(OFF_THREAD_FROM - 1), 'video');
    const directPath = await putRaw(small.blob);
    const [code, used] = await viaThread(async () => {
      const got = await media.download({ type: 'video', mediaKey: small.mediaKey, directPath, fileSha256: small.fileSha256, fileLength: small.fileLength });
      await got.dispose();
    });
    expect([code, used]).toEqual(['OK', false]);
  });
});
