// Transfers against a scripted HTTPS host: cut connections, statuses, auth
// refresh, host fallback, timeouts, aborts, redirects and size limits each
// end in the documented outcome and leave no temp file behind.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadedMedia, MediaError, MediaHttp, MediaService, type MediaConn } from '../../../src/account/media/index.js';
import { encryptMedia } from '../../../src/protocol/media/index.js';
import { FakeHost } from './fake-host.js';
import { leftovers } from './support.js';

let host: FakeHost;
let spoolDir: string;
let conns: number;
let media: MediaService;
const e = encryptMedia(Buffer.alloc(300_000, 7), 'document');
const ref = { type: 'document' as const, mediaKey: e.mediaKey, directPath: '/v/blob.enc', fileEncSha256: e.fileEncSha256, fileLength: e.fileLength };

async function service(opts: { idleTimeoutMs?: number; maxDownloadBytes?: number } = {}): Promise<MediaService> {
  return new MediaService({
    fetchMediaConn: async (): Promise<MediaConn> => {
      conns++;
      return { auth: `auth${conns}`, ttl: 3600, hosts: host.hosts.map((hostname) => ({ hostname })) };
    },
    http: await MediaHttp.fromCaFile(host.caPath, opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    spoolDir,
    memoryLimit: 16 * 1024,
    // Every failure here is a host's for good; the pauses between tries are retry.test.ts's.
    retry: { delayMs: 1, maxDelayMs: 1 },
    ...(opts.maxDownloadBytes ? { maxDownloadBytes: opts.maxDownloadBytes } : {}),
  });
}

/** The outcome's code ('OK' on success, after disposing what a download returned). */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    const got = await p;
    if (got instanceof DownloadedMedia) await got.dispose();
    return 'OK';
  } catch (err) {
    expect(err).toBeInstanceOf(MediaError);
    return (err as MediaError).code;
  }
}

beforeAll(async () => {
  host = await FakeHost.start();
  spoolDir = mkdtempSync(join(tmpdir(), 'wad-media-fail-'));
});
afterAll(async () => {
  media?.close();
  await host?.close();
});
beforeEach(async () => {
  media?.close();
  conns = 0;
  host.requests.length = 0;
  media = await service();
});

const isFirst = (req: { headers: { host?: string } }) => req.headers.host === host.hosts[0];

describe('download failures', () => {
  it('a connection cut mid-blob is TRUNCATED; the next host is tried and can serve it', async () => {
    host.handler = (req, res) => {
      res.writeHead(200, { 'Content-Length': e.blob.length });
      res.write(e.blob.subarray(0, 100_000));
      if (isFirst(req)) setTimeout(() => res.socket?.destroy(), 20);
      else res.end(e.blob.subarray(100_000));
    };
    const got = await media.download(ref);
    expect((await got.buffer()).equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(host.requests.map((r) => r.host)).toEqual(host.hosts);
    await got.dispose();
    host.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': e.blob.length });
      res.write(e.blob.subarray(0, 100_000));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    expect(await codeOf(media.download(ref))).toBe('TRUNCATED');
    // Without a Content-Length (chunked) the cut is noticed as well.
    host.handler = (_req, res) => {
      res.writeHead(200);
      res.write(e.blob.subarray(0, 100_000));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    expect(await codeOf(media.download({ ...ref, fileLength: undefined, fileEncSha256: undefined }))).toBe('TRUNCATED');
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('a Content-Length other than the declared length fails before the body is read', async () => {
    host.handler = (_req, res) => res.writeHead(200, { 'Content-Length': e.blob.length + 16 }).end(Buffer.concat([e.blob, Buffer.alloc(16)]));
    expect(await codeOf(media.download(ref))).toBe('TOO_LARGE');
    const small = await service({ maxDownloadBytes: 1000 });
    host.handler = (_req, res) => res.writeHead(200, { 'Content-Length': e.blob.length }).end(e.blob);
    expect(await codeOf(small.download({ ...ref, fileLength: undefined }))).toBe('TOO_LARGE');
    small.close();
  });

  it('5xx moves to the next host; 401 drops media_conn; 404 and 410 are GONE at once', async () => {
    host.handler = (req, res) => (isFirst(req) ? res.writeHead(503).end() : res.writeHead(200).end(e.blob));
    expect(await codeOf(media.download(ref))).toBe('OK');
    host.handler = (req, res) => (isFirst(req) ? res.writeHead(401).end() : res.writeHead(200).end(e.blob));
    const before = conns;
    expect(await codeOf(media.download(ref))).toBe('OK');
    await media.conn.get();
    expect(conns).toBe(before + 1);
    for (const status of [404, 410]) {
      host.requests.length = 0;
      host.handler = (_req, res) => res.writeHead(status).end();
      expect(await codeOf(media.download(ref))).toBe('GONE');
      expect(host.requests).toHaveLength(1);
    }
    host.handler = (_req, res) => res.writeHead(500).end();
    const err = (await media.download(ref).catch((x: unknown) => x)) as MediaError;
    expect([err.code, err.status]).toEqual(['HTTP_STATUS', 500]);
  });

  it('follows https redirects and refuses http ones', async () => {
    host.handler = (req, res) =>
      req.url === '/v/blob.enc' ? res.writeHead(302, { Location: '/v/moved.enc' }).end() : res.writeHead(200).end(e.blob);
    expect(await codeOf(media.download(ref))).toBe('OK');
    host.handler = (_req, res) => res.writeHead(302, { Location: `http://127.0.0.1:${host.port}/v/moved.enc` }).end();
    expect(await codeOf(media.download(ref))).toBe('HTTP_STATUS');
  });

  it('a silent host is TIMEOUT; an aborted download is ABORTED', async () => {
    const impatient = await service({ idleTimeoutMs: 150 });
    host.handler = () => undefined;
    expect(await codeOf(impatient.download(ref))).toBe('TIMEOUT');
    impatient.close();
    host.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': e.blob.length });
      res.write(e.blob.subarray(0, 50_000));
    };
    const ac = new AbortController();
    const p = media.download(ref, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect(await codeOf(p)).toBe('ABORTED');
    expect(leftovers(spoolDir)).toEqual([]);
  });
});

describe('upload failures', () => {
  const ok = (res: import('node:http').ServerResponse) => res.writeHead(200).end(JSON.stringify({ url: `https://${host.hosts[0]}/v/x.enc?a=1`, direct_path: '/v/x.enc?a=1' }));

  it('sends the documented URL, headers and body', async () => {
    let seen: { url?: string; headers?: Record<string, unknown>; body?: Buffer } = {};
    host.handler = (req, res, body) => {
      seen = { url: req.url!, headers: req.headers, body };
      ok(res);
    };
    const up = await media.upload(Buffer.alloc(5_000, 1), 'image', { mediaKey: e.mediaKey });
    const mine = encryptMedia(Buffer.alloc(5_000, 1), 'image', e.mediaKey);
    const token = Buffer.from(mine.fileEncSha256).toString('base64url');
    expect(seen.url).toBe(`/mms/image/${token}?auth=auth1&token=${token}`);
    expect(seen.headers).toMatchObject({ 'content-type': 'application/octet-stream', origin: 'https://web.whatsapp.com', 'content-length': String(mine.blob.length) });
    expect(seen.body!.equals(Buffer.from(mine.blob))).toBe(true);
    expect(up).toMatchObject({ directPath: '/v/x.enc?a=1', fileLength: 5_000 });
  });

  it('a 401 refreshes media_conn once and retries; a second 401 is AUTH', async () => {
    host.handler = (req, res) => (req.url!.includes('auth=auth1') ? res.writeHead(401).end() : ok(res));
    expect(await codeOf(media.upload(Buffer.alloc(100), 'video'))).toBe('OK');
    expect(conns).toBe(2);
    host.handler = (_req, res) => res.writeHead(403).end();
    expect(await codeOf(media.upload(Buffer.alloc(100), 'video'))).toBe('AUTH');
  });

  it('a failing host is skipped; answers without a location are BAD_RESPONSE', async () => {
    host.handler = (req, res) => (isFirst(req) ? res.writeHead(500).end() : ok(res));
    expect(await codeOf(media.upload(Buffer.alloc(100), 'audio'))).toBe('OK');
    host.handler = (_req, res) => res.writeHead(200).end('{"fbid":1}');
    expect(await codeOf(media.upload(Buffer.alloc(100), 'audio'))).toBe('BAD_RESPONSE');
    host.handler = (_req, res) => res.writeHead(200).end('not json');
    expect(await codeOf(media.upload(Buffer.alloc(100), 'audio'))).toBe('BAD_RESPONSE');
    host.handler = (_req, res) => res.writeHead(200).end(JSON.stringify({ url: `https://${host.hosts[0]}/v/only-url.enc?x=2` }));
    expect(await media.upload(Buffer.alloc(100), 'audio')).toMatchObject({ directPath: '/v/only-url.enc?x=2' });
    expect(leftovers(spoolDir)).toEqual([]);
  });

  it('an unreadable source is IO; a source over the limit is TOO_LARGE; both leave nothing behind', async () => {
    expect(await codeOf(media.upload({ path: join(spoolDir, 'missing') }, 'document'))).toBe('IO');
    const capped = new MediaService({
      fetchMediaConn: async () => ({ auth: 'a', ttl: 1, hosts: [{ hostname: host.hosts[0] }] }),
      http: await MediaHttp.fromCaFile(host.caPath),
      spoolDir,
      memoryLimit: 1024,
      maxUploadBytes: 100_000,
    });
    expect(await codeOf(capped.upload(Buffer.alloc(100_001), 'document'))).toBe('TOO_LARGE');
    capped.close();
    expect(leftovers(spoolDir)).toEqual([]);
  });
});
