// Media crypto and transfer: wad vs Baileys 7 and vs the node:crypto floor, in the same run.
//   npx tsx scripts/bench/media.ts [--mib 64] [--rounds 5] [--loop-mib 200]
// 1. crypto only, in memory, 64 KiB chunks: the floor (node:crypto AES-256-CBC
//    + HMAC-SHA256 + both SHA-256 in a bare loop) against MediaEncryptor, and
//    for decryption the floor against our verify pass plus decipher pass;
// 2. encrypt from a stream to a temp file: encryptToSpool vs Baileys'
//    encryptedStream (both write the blob to a file);
// 3. through the in-process simulator's HTTPS endpoint: encrypt+upload and
//    download+decrypt, MediaService vs Baileys (encryptedStream +
//    getWAUploadToServer, downloadContentFromMessage — which checks no MAC);
// 4. event-loop delay while encrypting --loop-mib from a file: inline vs a
//    worker thread.
// Baileys downloads with the global fetch, which takes no CA: certificate
// checks are off in this process (ours still passes the simulator's CA).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { downloadContentFromMessage, encryptedStream, getWAUploadToServer } from 'baileys';
import { pino } from 'pino';
import { encryptToSpool, MediaHttp, MediaService, type MediaConn } from '../../src/account/media/index.js';
import { deriveMediaKeys, MediaDecipher, MediaDecryptor, MediaEncryptor } from '../../src/protocol/media/index.js';
import { MediaVerifyThread } from '../../src/runtime/media-verify/index.js';
import { startSim } from '../../src/sim/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = arg('mib', 64);
const ROUNDS = arg('rounds', 5);
const LOOP_MIB = arg('loop-mib', 200);
const CHUNK = 64 * 1024;
const SIZE = MIB * 1024 * 1024;

const median = (xs: number[]): number => xs.slice().sort((x, y) => x - y)[xs.length >> 1]!;
const mibps = (bytes: number, ms: number): number => bytes / 1048576 / (ms / 1000);

const plaintext = randomBytes(SIZE);
const chunks: Buffer[] = [];
for (let at = 0; at < SIZE; at += CHUNK) chunks.push(plaintext.subarray(at, at + CHUNK));
const tmp = mkdtempSync(join(tmpdir(), 'wad-bench-media-'));

async function time(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Median MiB/s per contender, contenders alternating within each round. */
async function race(cases: Array<[string, () => unknown]>, bytes: number): Promise<Map<string, number>> {
  const times = new Map<string, number[]>(cases.map(([n]) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of r % 2 ? [...cases].reverse() : cases) times.get(name)!.push(await time(fn));
  }
  return new Map([...times].map(([n, ts]) => [n, mibps(bytes, median(ts))]));
}

// --- 1. crypto only -----------------------------------------------------------
const key = randomBytes(32);
const keys = deriveMediaKeys(key, 'video');

function floorEncrypt(): Buffer[] {
  const aes = createCipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
  const hmac = createHmac('sha256', keys.macKey).update(keys.iv);
  const [p, e] = [createHash('sha256'), createHash('sha256')];
  const out: Buffer[] = [];
  for (const c of chunks) {
    p.update(c);
    const x = aes.update(c);
    hmac.update(x);
    e.update(x);
    out.push(x);
  }
  const last = aes.final();
  hmac.update(last);
  const mac = hmac.digest().subarray(0, 10);
  e.update(last).update(mac);
  p.digest();
  e.digest();
  out.push(last, mac);
  return out;
}
const blob = Buffer.concat(floorEncrypt());
const blobChunks: Buffer[] = [];
for (let at = 0; at < blob.length; at += CHUNK) blobChunks.push(blob.subarray(at, at + CHUNK));

function floorDecrypt(): void {
  const aes = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
  const hmac = createHmac('sha256', keys.macKey).update(keys.iv);
  const [p, e] = [createHash('sha256'), createHash('sha256')];
  const body = blob.subarray(0, blob.length - 10);
  for (let at = 0; at < body.length; at += CHUNK) {
    const c = body.subarray(at, at + CHUNK);
    hmac.update(c);
    e.update(c);
    p.update(aes.update(c));
  }
  p.update(aes.final());
  hmac.digest();
  e.update(blob.subarray(blob.length - 10)).digest();
  p.digest();
}

function oursEncrypt(): void {
  const enc = new MediaEncryptor('video', key);
  for (const c of chunks) enc.update(c);
  enc.final();
}

function oursVerify(): void {
  const d = new MediaDecryptor(keys);
  for (const c of blobChunks) d.absorb(c);
  d.final();
}

function oursDecipher(): void {
  const d = new MediaDecipher(keys);
  const body = blob.subarray(0, blob.length - 10);
  for (let at = 0; at < body.length; at += CHUNK) d.update(body.subarray(at, at + CHUNK));
  d.final();
}

function cryptoTable(enc: Map<string, number>, dec: Map<string, number>): string {
  const fe = enc.get('floor')!;
  const fd = dec.get('floor')!;
  const verify = dec.get('verify')!;
  const decipher = dec.get('decipher')!;
  const both = 1 / (1 / verify + 1 / decipher);
  return [
    `| ${MIB} MiB in memory, 64 KiB chunks | MiB/s | vs floor |`,
    '|---|---:|---:|',
    `| encrypt floor: node:crypto AES-256-CBC + HMAC + 2× SHA-256, bare loop | ${fe.toFixed(0)} | 100% |`,
    `| wad MediaEncryptor (same work, incremental state) | ${enc.get('ours')!.toFixed(0)} | ${((enc.get('ours')! / fe) * 100).toFixed(0)}% |`,
    `| decrypt floor: node:crypto decipher + HMAC + 2× SHA-256, bare loop | ${fd.toFixed(0)} | 100% |`,
    `| wad verify pass (MediaDecryptor.absorb: the floor's work) | ${verify.toFixed(0)} | ${((verify / fd) * 100).toFixed(0)}% |`,
    `| wad decipher pass (MediaDecipher, after verification) | ${decipher.toFixed(0)} | — |`,
    `| wad verify-then-release, both passes | ${both.toFixed(0)} | ${((both / fd) * 100).toFixed(0)}% |`,
  ].join('\n');
}

// --- 2. stream to a temp file ------------------------------------------------
async function oursToFile(): Promise<void> {
  const enc = await encryptToSpool(Readable.from(chunks, { objectMode: false }), 'video', { dir: tmp, memoryLimit: 0 });
  await enc.spool.dispose();
}

async function baileysToFile(): Promise<void> {
  const r = await encryptedStream({ stream: Readable.from(chunks, { objectMode: false }) }, 'video');
  rmSync(r.encFilePath, { force: true });
}

// --- 3. through the simulator --------------------------------------------------
async function transferTable(): Promise<string> {
  const sim = await startSim({ limits: { maxMediaBlobBytes: SIZE + (1 << 20), maxMediaBytes: 6 * (SIZE + (1 << 20)), maxMediaBlobs: 4 } });
  const mediaHost = sim.hub.media!;
  const conn = (): MediaConn => ({ auth: mediaHost.issueAuth(), ttl: 3600, hosts: [{ hostname: mediaHost.hostname }] });
  // As the daemon runs it: large downloads verified on the media thread, beside the transfer.
  const verifier = new MediaVerifyThread();
  const media = new MediaService({ fetchMediaConn: async () => conn(), http: await MediaHttp.fromCaFile(sim.mediaCaPath), spoolDir: tmp, verifier });
  const baileysUpload = getWAUploadToServer(
    { customUploadHosts: [], fetchAgent: new Agent({ ca: readFileSync(sim.mediaCaPath), keepAlive: true }), logger: pino({ level: 'silent' }), options: {} } as never,
    async () => ({ ...conn(), fetchDate: new Date(), hosts: [{ hostname: mediaHost.hostname, maxContentLengthBytes: 0 }] }),
  );
  let oursRef: Awaited<ReturnType<MediaService['upload']>> | undefined;
  let theirsRef: { mediaKey: Uint8Array; directPath: string; url: string } | undefined;
  const up = await race(
    [
      ['ours', async () => (oursRef = await media.upload(Readable.from(chunks, { objectMode: false }), 'video'))],
      [
        'baileys',
        async () => {
          const enc = await encryptedStream({ stream: Readable.from(chunks, { objectMode: false }) }, 'video');
          const where = await baileysUpload(enc.encFilePath, { mediaType: 'video', fileEncSha256B64: enc.fileEncSha256.toString('base64'), timeoutMs: 60_000 });
          rmSync(enc.encFilePath, { force: true });
          theirsRef = { mediaKey: enc.mediaKey, directPath: where.directPath, url: where.mediaUrl };
        },
      ],
    ],
    SIZE,
  );
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const down = await race(
    [
      [
        'ours',
        async () => {
          const got = await media.download({ ...oursRef!, type: 'video' });
          await pipeline(got.stream({ dispose: true }), sink());
        },
      ],
      ['baileys', async () => pipeline(await downloadContentFromMessage(theirsRef!, 'video'), sink())],
    ],
    SIZE,
  );
  media.close();
  await verifier.close();
  await sim.close();
  const row = (name: string, m: Map<string, number>) =>
    `| ${name} | ${m.get('ours')!.toFixed(0)} | ${m.get('baileys')!.toFixed(0)} | ${(m.get('ours')! / m.get('baileys')!).toFixed(2)}× |`;
  return [
    `| ${MIB} MiB through the in-process simulator (HTTPS) | wad MiB/s | Baileys MiB/s | ratio |`,
    '|---|---:|---:|---:|',
    row('encrypt + upload', up),
    row('download + decrypt (wad: verified before release; Baileys: no MAC check)', down),
  ].join('\n');
}

// --- 4. event loop -------------------------------------------------------------
async function loopTable(): Promise<string> {
  const size = LOOP_MIB * 1024 * 1024;
  const path = join(tmp, 'source.bin');
  const piece = randomBytes(1 << 20);
  writeFileSync(path, Buffer.concat(Array.from({ length: LOOP_MIB }, () => piece)));
  // Node 20 workers ignore tsx's --import hooks for their entry: load the TypeScript through tsx's API.
  const url = JSON.stringify(new URL('./media-worker.ts', import.meta.url).href);
  const worker = new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${url}, ${JSON.stringify(import.meta.url)}))`, { eval: true });
  const job = (w: Worker, data: { path: string; dir: string }) =>
    new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage(data);
    });
  writeFileSync(join(tmp, 'warm.bin'), piece);
  await job(worker, { path: join(tmp, 'warm.bin'), dir: tmp });
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['inline (encryptToSpool on the main thread)', async () => (await encryptToSpool({ path }, 'video', { dir: tmp, memoryLimit: 0 })).spool.dispose()],
    ['worker thread (the same call; worker started beforehand)', () => job(worker, { path, dir: tmp })],
  ];
  const lines = [`| encrypt ${LOOP_MIB} MiB file → temp file | wall ms | event-loop delay p50 ms | p99 ms | max ms |`, '|---|---:|---:|---:|---:|'];
  for (const [name, run] of cases) {
    const rows: number[][] = [];
    for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const wall = await time(run);
      h.disable();
      rows.push([wall, h.percentile(50) / 1e6, h.percentile(99) / 1e6, h.max / 1e6]);
    }
    const m = (i: number) => median(rows.map((x) => x[i]!));
    lines.push(`| ${name} | ${m(0).toFixed(0)} | ${m(1).toFixed(2)} | ${m(2).toFixed(2)} | ${m(3).toFixed(2)} |`);
  }
  rmSync(path, { force: true });
  await worker.terminate();
  return lines.join('\n');
}

async function main(): Promise<void> {
  const enc = await race([['floor', floorEncrypt], ['ours', oursEncrypt]], SIZE);
  const dec = await race([['floor', floorDecrypt], ['verify', oursVerify], ['decipher', oursDecipher]], SIZE);
  console.log(cryptoTable(enc, dec));
  const file = await race([['ours', oursToFile], ['baileys', baileysToFile]], SIZE);
  console.log(
    [
      '',
      `| ${MIB} MiB stream → encrypted temp file | wad MiB/s | Baileys MiB/s | ratio |`,
      '|---|---:|---:|---:|',
      `| encryptToSpool vs encryptedStream | ${file.get('ours')!.toFixed(0)} | ${file.get('baileys')!.toFixed(0)} | ${(file.get('ours')! / file.get('baileys')!).toFixed(2)}× |`,
    ].join('\n'),
  );
  console.log('\n' + (await transferTable()));
  console.log('\n' + (await loopTable()));
  rmSync(tmp, { recursive: true, force: true });
}

await main();
