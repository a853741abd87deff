// Peak RSS of a real `wad daemon` process while it sends a 200 MiB file and
// then serves it back over the control socket (issue 9: growth under 64 MiB).
//   npx tsx scripts/media-rss-daemon.ts [--mib 200] [--limit-mib 64] [--upload-mib 100]
// This process runs the simulator (which keeps blobs in memory: its RSS is not
// measured) and a WadClient; the daemon runs as a child (`wad daemon`), linked
// to a simulated phone. Phases, each measured by the kernel's peak RSS of the
// daemon (VmHWM, reset between phases through /proc/<pid>/clear_refs) against
// the RSS before the phase:
//   1. message:send of a 200 MiB file by path (the Unix socket's way for big files):
//      read, encrypt into the spool, upload over HTTPS;
//   2. the same bytes through binary frames (--upload-mib, under the socket's
//      upload limit): frames → temp file → encrypt → upload;
//   3. media:download of the 200 MiB message into a file: download, verify
//      into the spool, decipher and stream out in binary frames.
// Exit code 1 when a phase grows by the limit or more, or bytes differ.
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WadClient } from '../src/client/index.js';
import { startSim, type SimHandle } from '../src/sim/index.js';
import { memOf, startSimDaemon } from './bench/daemon-child.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = arg('mib', 200);
const UPLOAD_MIB = arg('upload-mib', 100);
const LIMIT_MIB = arg('limit-mib', 64);
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const mib = (bytes: number): number => bytes / 1048576;

async function admin(sim: SimHandle, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(sim.adminUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A file of `bytes` pseudo-random bytes, written 1 MiB at a time; its SHA-256. */
async function makeFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) {
    const c = randomFillSync(chunk).subarray(0, Math.min(chunk.length, left));
    hash.update(c);
    if (!out.write(Buffer.from(c))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const c of createReadStream(path)) hash.update(c as Buffer);
  return hash.digest('hex');
}

/** Runs `fn` and reports the daemon's peak RSS growth over it. */
async function phase(pid: number, fn: () => Promise<void>): Promise<{ before: number; peak: number; seconds: number }> {
  await new Promise((r) => setTimeout(r, 200));
  writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
  const before = memOf(pid).rss;
  // Sampled as well, in case the kernel does not reset VmHWM: the larger of the two counts.
  let sampled = before;
  const timer = setInterval(() => (sampled = Math.max(sampled, memOf(pid).rss)), 10);
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  return { before, peak: Math.max(memOf(pid).hwm, sampled), seconds };
}

async function main(): Promise<void> {
  const bytes = MIB * 1024 * 1024;
  const blobMax = bytes + (1 << 20);
  const sim = await startSim({ limits: { maxMediaBlobBytes: blobMax, maxMediaBytes: 4 * blobMax } });
  const work = mkdtempSync(join(tmpdir(), 'wad-media-rss-daemon-'));
  const W = '15550030001';
  const B = '15550030002';
  await admin(sim, '/phones', { phone: W, name: 'Wad' });
  await admin(sim, '/phones', { phone: B, name: 'Peer' });
  const { child, socket, pid } = await startSimDaemon(sim, join(work, 'data'), { main: MAIN, nodeArgs: ['--import', 'tsx'] });
  const client = await WadClient.connect({ socket, reconnect: false, requestTimeoutMs: 600_000 });
  try {
    let qr: string | undefined;
    await client.addAccount('wad', { onUpdate: (ev) => typeof ev.data['qr'] === 'string' && (qr ??= ev.data['qr']) });
    while (!qr) await new Promise((r) => setTimeout(r, 20));
    await admin(sim, `/phones/${W}/link`, { qr });
    await client.waitForState('wad', { timeoutMs: 30_000 });
    const chat = `${B}@s.whatsapp.net`;

    const big = join(work, 'big.bin');
    const bigHash = await makeFile(big, bytes);
    const mid = join(work, 'mid.bin');
    await makeFile(mid, UPLOAD_MIB * 1024 * 1024);
    const warm = join(work, 'warm.bin');
    await makeFile(warm, 4 << 20);
    // Warm-up: modules, TLS to the media host, buffers; both ways.
    const warmId = await client.send('wad', chat, { type: 'document', path: warm, fileName: 'warm.bin' });
    await client.sendFile('wad', chat, warm, { type: 'document' });
    await client.downloadMedia('wad', chat, warmId);

    let id = '';
    const send = await phase(pid, async () => {
      id = await client.send('wad', chat, { type: 'document', path: big, fileName: 'big.bin' });
    });
    const upload = await phase(pid, async () => {
      await client.sendFile('wad', chat, mid, { type: 'document' });
    });
    const out = join(work, 'back.bin');
    const down = await phase(pid, async () => {
      await client.downloadMedia('wad', chat, id, { to: out });
    });
    const same = (await sha256File(out)) === bigHash;

    const rows: Array<[string, number, { before: number; peak: number; seconds: number }]> = [
      [`message:send by path (read, encrypt, upload)`, MIB, send],
      [`message:send in binary frames (socket → temp file → encrypt → upload)`, UPLOAD_MIB, upload],
      [`media:download to a file (download, verify, decipher, binary frames)`, MIB, down],
    ];
    console.log('| daemon process (`wad daemon`), one file | MiB | RSS before MiB | peak RSS growth MiB | MiB/s |');
    console.log('|---|---:|---:|---:|---:|');
    let worst = 0;
    for (const [what, size, r] of rows) {
      const growth = mib(r.peak - r.before);
      worst = Math.max(worst, growth);
      console.log(`| ${what} | ${size} | ${mib(r.before).toFixed(1)} | ${growth.toFixed(1)} | ${(size / r.seconds).toFixed(0)} |`);
    }
    console.log(`\nbytes back identical: ${same}; peak RSS growth ${worst.toFixed(1)} MiB (limit ${LIMIT_MIB} MiB): ${worst < LIMIT_MIB && same ? 'PASS' : 'FAIL'}`);
    if (!(worst < LIMIT_MIB) || !same) process.exitCode = 1;
  } finally {
    await client.close();
    child.kill('SIGTERM');
    await once(child, 'exit').catch(() => {});
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
