/**
 * The HTTPS media endpoint, reached with the certificate from mediaCaPath
 * (so the PEM a daemon is given really authenticates 127.0.0.1): upload needs
 * a media_conn auth token and a body matching its SHA-256 token; downloads
 * serve the stored bytes, whole or by range; sizes are bounded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimHandle } from '../../src/sim/index.js';

let sim: SimHandle;
let ca: Buffer;

beforeAll(async () => {
  sim = await startSim({ limits: { maxMediaBlobBytes: 64 * 1024 } });
  ca = readFileSync(sim.mediaCaPath);
});
afterAll(async () => {
  await sim?.close();
});

function https(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(sim.mediaUrl + path, { method, ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function token(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

describe('media over HTTPS', () => {
  it('stores an upload as given and serves it back, whole and by range', async () => {
    const auth = sim.hub.media!.issueAuth();
    const blob = randomBytes(10_000);
    const t = token(blob);
    const up = await https('POST', `/mms/image/${t}?auth=${encodeURIComponent(auth)}&token=${t}`, blob, { 'content-type': 'application/octet-stream' });
    expect(up.status).toBe(200);
    const { url, direct_path } = JSON.parse(up.body.toString()) as { url: string; direct_path: string };
    expect(url).toBe(sim.mediaUrl + direct_path);
    const down = await https('GET', direct_path);
    expect(down.status).toBe(200);
    expect(down.body.equals(blob)).toBe(true);
    const part = await https('GET', direct_path, undefined, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.body.equals(blob.subarray(100, 200))).toBe(true);
  });

  it('refuses a missing or unknown auth token, a body that is not its token, an oversize body, and unknown blobs', async () => {
    const blob = randomBytes(100);
    const t = token(blob);
    expect((await https('POST', `/mms/image/${t}?token=${t}`, blob)).status).toBe(401);
    expect((await https('POST', `/mms/image/${t}?auth=nope&token=${t}`, blob)).status).toBe(401);
    const auth = encodeURIComponent(sim.hub.media!.issueAuth());
    expect((await https('POST', `/mms/image/${t}?auth=${auth}&token=${t}`, randomBytes(100))).status).toBe(400);
    const big = randomBytes(65 * 1024);
    const res = await https('POST', `/mms/video/${token(big)}?auth=${auth}`, big).catch(() => ({ status: 413 }));
    expect(res.status).toBe(413);
    expect((await https('GET', '/v/t62/image/00000000000000000000000000000000.enc')).status).toBe(404);
    expect((await https('POST', `/elsewhere/${t}?auth=${auth}`, blob)).status).toBe(404);
  });

  it('shares the port with the admin API and the chat endpoint', () => {
    const port = (u: string) => new URL(u).port;
    expect(port(sim.mediaUrl)).toBe(port(sim.adminUrl));
    expect(port(sim.wsUrl)).toBe(port(sim.adminUrl));
  });
});
