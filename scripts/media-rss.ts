// Peak RSS of the daemon side while it sends and then receives a 200 MiB file
// (issue 9: growth must stay under 64 MiB).
//   npx tsx scripts/media-rss.ts [--mib 200] [--limit-mib 64]
// The simulator runs in this process and keeps the uploaded blob in memory;
// the measured side runs in a child process: a MediaService that encrypts a
// generated stream (never whole in memory) into its spool, uploads it to the
// simulator over HTTPS, then downloads, verifies and streams it back, hashing
// the plaintext on both ends. The child samples its RSS every 5 ms and reads
// the kernel's peak (maxRSS); growth is measured from a baseline taken after
// a warm-up transfer. Exit code 1 when the growth is over the limit.
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = arg('mib', 200);
const LIMIT_MIB = arg('limit-mib', 64);
const CHUNK = 64 * 1024;
const mib = (bytes: number): number => bytes / 1048576;

interface ChildConfig {
  hostname: string;
  caPath: string;
  auths: string[];
  bytes: number;
}

interface ChildReport {
  baseline: number;
  upload: { peak: number; seconds: number };
  download: { peak: number; seconds: number };
  maxRss: number;
  spoolFilesLeft: number;
  sameBytes: boolean;
}

/** A stream of `total` pseudo-random bytes in fresh 64 KiB chunks, hashed as produced. */
function generated(total: number, hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(CHUNK, total - sent)));
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

async function child(config: ChildConfig): Promise<ChildReport> {
  const { MediaHttp, MediaService } = await import('../src/account/media/index.js');
  const spoolDir = mkdtempSync(join(tmpdir(), 'wad-media-rss-'));
  let n = 0;
  const media = new MediaService({
    fetchMediaConn: async () => ({ auth: config.auths[n++ % config.auths.length]!, ttl: 3600, hosts: [{ hostname: config.hostname }] }),
    http: await MediaHttp.fromCaFile(config.caPath),
    spoolDir,
  });
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  /** Sends `bytes` of generated data and reads them back; the peak RSS of each half. */
  const transfer = async (bytes: number) => {
    const sent = createHash('sha256');
    const t0 = performance.now();
    const up = await media.upload(generated(bytes, sent), 'video');
    const t1 = performance.now();
    sample();
    const uploadPeak = peak;
    peak = process.memoryUsage.rss();
    const got = await media.download({ ...up, type: 'video' });
    const seen = createHash('sha256');
    await pipeline(got.stream({ dispose: true }), new Writable({ write: (c: Buffer, _e, cb) => (seen.update(c), cb()) }));
    const t2 = performance.now();
    sample();
    return { uploadPeak, downloadPeak: peak, upSeconds: (t1 - t0) / 1000, downSeconds: (t2 - t1) / 1000, same: sent.digest('hex') === seen.digest('hex') };
  };

  await transfer(4 * 1024 * 1024); // warm-up: modules, TLS session, buffers
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 100));
  const baseline = process.memoryUsage.rss();
  peak = baseline;
  const timer = setInterval(sample, 5);
  const t = await transfer(config.bytes);
  clearInterval(timer);
  await new Promise((r) => setTimeout(r, 50));
  const report: ChildReport = {
    baseline,
    upload: { peak: t.uploadPeak, seconds: t.upSeconds },
    download: { peak: t.downloadPeak, seconds: t.downSeconds },
    maxRss: process.resourceUsage().maxRSS * 1024,
    spoolFilesLeft: readdirSync(spoolDir).length,
    sameBytes: t.same,
  };
  media.close();
  rmSync(spoolDir, { recursive: true, force: true });
  return report;
}

async function parent(): Promise<void> {
  const { startSim } = await import('../src/sim/index.js');
  const bytes = MIB * 1024 * 1024;
  const blobMax = bytes + 1024 * 1024;
  const sim = await startSim({ limits: { maxMediaBlobBytes: blobMax, maxMediaBytes: 3 * blobMax } });
  const media = sim.hub.media!;
  const config: ChildConfig = { hostname: media.hostname, caPath: sim.mediaCaPath, auths: [media.issueAuth(), media.issueAuth(), media.issueAuth()], bytes };
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child'], {
    env: { ...process.env, WAD_MEDIA_RSS_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c));
  const code = await new Promise<number | null>((r) => proc.on('close', r));
  await sim.close();
  if (code !== 0) throw new Error(`child exited with ${code}: ${out}`);
  const r = JSON.parse(out) as ChildReport;
  const upGrowth = mib(r.upload.peak - r.baseline);
  const downGrowth = mib(r.download.peak - r.baseline);
  const worst = Math.max(upGrowth, downGrowth, mib(r.maxRss - r.baseline));
  console.log(`| ${MIB} MiB file, daemon side | RSS growth (peak − baseline) MiB | MiB/s |`);
  console.log('|---|---:|---:|');
  console.log(`| encrypt + upload (generated stream) | ${upGrowth.toFixed(1)} | ${(MIB / r.upload.seconds).toFixed(0)} |`);
  console.log(`| download + verify + stream out | ${downGrowth.toFixed(1)} | ${(MIB / r.download.seconds).toFixed(0)} |`);
  console.log(`| kernel peak (maxRSS) over the whole run | ${mib(r.maxRss - r.baseline).toFixed(1)} | — |`);
  console.log(`\nbaseline RSS ${mib(r.baseline).toFixed(1)} MiB; bytes round-tripped intact: ${r.sameBytes}; temp files left: ${r.spoolFilesLeft}`);
  console.log(`peak RSS growth ${worst.toFixed(1)} MiB (limit ${LIMIT_MIB} MiB): ${worst < LIMIT_MIB ? 'PASS' : 'FAIL'}`);
  if (!(worst < LIMIT_MIB) || !r.sameBytes || r.spoolFilesLeft !== 0) process.exitCode = 1;
}

if (process.argv.includes('--child')) {
  const report = await child(JSON.parse(process.env.WAD_MEDIA_RSS_CONFIG!) as ChildConfig);
  process.stdout.write(JSON.stringify(report));
} else {
  await parent();
}
