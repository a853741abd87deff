/** Test support: a MediaService wired to an in-process simulator's media endpoint. */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaHttp, MediaService, type MediaConn, type MediaRetryPolicy } from '../../../src/account/media/index.js';
import type { SimHandle } from '../../../src/sim/index.js';

/** What the sim's media_conn IQ would answer (issued straight from its media endpoint). */
export function simMediaConn(sim: SimHandle): MediaConn {
  const media = sim.hub.media!;
  return { auth: media.issueAuth(), ttl: 3600, authTtl: 21600, hosts: [{ hostname: media.hostname, maxContentLengthBytes: media.maxBlobBytes }] };
}

export async function simMediaService(sim: SimHandle, opts: { memoryLimit?: number; retry?: Partial<MediaRetryPolicy> } = {}): Promise<{ media: MediaService; spoolDir: string; fetches: () => number }> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'wad-media-test-'));
  let n = 0;
  const media = new MediaService({
    fetchMediaConn: async () => {
      n++;
      return simMediaConn(sim);
    },
    http: await MediaHttp.fromCaFile(sim.mediaCaPath),
    spoolDir,
    ...opts,
  });
  return { media, spoolDir, fetches: () => n };
}

/** Files left in a spool dir (none once every transfer is disposed or failed). */
export function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/**
 * What stays in `dir` once a stream's disposal (an unlink the stream starts
 * when it ends, not awaited by the reader) had up to `ms` to finish.
 */
export async function settledLeftovers(dir: string, ms = 5_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = leftovers(dir);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 10));
  }
}
