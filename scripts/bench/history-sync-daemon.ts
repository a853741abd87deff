// History sync into a real `wad daemon` process: this process runs the
// simulator (its phone builds, compresses, encrypts and serves the chunks:
// not measured) and a WadClient; the daemon runs as a child, and its RSS is
// the one measured. A simulated phone holding --chats chats and --messages
// messages (all in the recent window) links a fresh account; measured from
// the link to the last RECENT chunk stored: chunks and messages per second,
// the daemon's RSS peaks (sampled every 20 ms, and the kernel's VmHWM), then
// every chat read back through chat:list and every message through
// message:list. Two RSS growths:
// - sync: from the first chunk stored (the initial bootstrap, a few hundred
//   messages) to the end: what the history's chunks cost, the limit's measure;
// - link: from the account waiting for its QR to the end: also the link's
//   own cost (pairing, key uploads, the crypto workers starting, app state).
// The daemon is the built one (`npm run build` first; --source runs it from
// TypeScript through tsx, whose loader and transforms add to every thread).
//   npx tsx scripts/bench/history-sync-daemon.ts [--chats 50] [--messages 20000] [--text-bytes 0] [--chunk-kib 0] [--limit-mib 64] [--heap-mib 0] [--source]
// --chunk-kib 0 keeps the phone's default chunk size. Exit code 1 when the sync
// grows the RSS by the limit or more, or the store does not hold every message once.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WadClient } from '../../src/client/index.js';
import type { TypedWadEvent } from '../../src/contract/events.js';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { memOf, startSimDaemon } from './daemon-child.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CHATS = arg('chats', 50);
const MESSAGES = arg('messages', 20_000);
const TEXT_BYTES = arg('text-bytes', 0);
const CHUNK_KIB = arg('chunk-kib', 0);
const LIMIT_MIB = arg('limit-mib', 64);
/** The daemon's V8 old-space ceiling (--max-old-space-size), 0 for node's default. */
const HEAP_MIB = arg('heap-mib', 0);
const PHONE = '15550177101';
const SOURCE = process.argv.includes('--source');
/** Extra node/V8 flags for the daemon (e.g. `--trace-gc`, whose lines go to this process's stderr). */
const DAEMON_FLAGS = (process.env.WAD_BENCH_DAEMON_FLAGS ?? '').split(' ').filter(Boolean);
const MAIN = fileURLToPath(new URL(SOURCE ? '../../src/cli/main.ts' : '../../dist/cli/main.js', import.meta.url));
const mib = (bytes: number): number => Number((bytes / 1048576).toFixed(1));

async function admin(sim: SimHandle, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(sim.adminUrl + path, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function main(): Promise<number> {
  const sim = await startSim();
  const work = mkdtempSync(join(tmpdir(), 'wad-history-daemon-'));
  let child: ChildProcess | undefined;
  let client: WadClient | undefined;
  try {
    await admin(sim, 'POST', '/phones', { phone: PHONE, name: 'Bench' });
    const t0Seed = performance.now();
    await admin(sim, 'POST', `/phones/${PHONE}/history`, { generate: { chats: CHATS, messages: MESSAGES, textBytes: TEXT_BYTES } });
    const seedSeconds = (performance.now() - t0Seed) / 1000;
    if (CHUNK_KIB > 0) await admin(sim, 'POST', `/phones/${PHONE}/history/policy`, { chunkBytes: CHUNK_KIB * 1024 });
    const daemon = await startSimDaemon(sim, join(work, 'data'), {
      main: MAIN,
      nodeArgs: [...(HEAP_MIB > 0 ? [`--max-old-space-size=${HEAP_MIB}`] : []), ...DAEMON_FLAGS, ...(SOURCE ? ['--import', 'tsx'] : [])],
      echo: DAEMON_FLAGS.length > 0,
    });
    child = daemon.child;
    client = await WadClient.connect({ socket: daemon.socket, reconnect: false, requestTimeoutMs: 600_000 });

    const chunks: TypedWadEvent[] = [];
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((r) => (finish = r));
    // Set at the first chunk: the RSS then, and the peak from then on.
    let atFirst: number | undefined;
    let peakAfterFirst = 0;
    let anonAtFirst = 0;
    let anonPeak = 0;
    let fileAtFirst = 0;
    let filePeak = 0;
    const stream = client.subscribe({ accounts: ['bench'], types: ['history:sync'] });
    void (async () => {
      for await (const ev of stream) {
        chunks.push(ev);
        if (atFirst === undefined) {
          const m = memOf(daemon.pid);
          atFirst = m.rss;
          peakAfterFirst = atFirst;
          anonAtFirst = anonPeak = m.anon;
          fileAtFirst = filePeak = m.file;
        }
        if (ev.data.type === 'RECENT' && ev.data.progress === 100) finish();
      }
    })();
    await stream.synced;
    let qr: (value: string) => void = () => undefined;
    const qrCode = new Promise<string>((r) => (qr = r));
    await client.addAccount('bench', { onUpdate: (ev) => typeof ev.data.qr === 'string' && qr(ev.data.qr) });
    const code = await qrCode;

    // The baseline: the daemon running with the account waiting for its link.
    await new Promise((r) => setTimeout(r, 500));
    writeFileSync(`/proc/${daemon.pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
    const before = memOf(daemon.pid).rss;
    let sampled = before;
    const sampler = setInterval(() => {
      const m = memOf(daemon.pid);
      sampled = Math.max(sampled, m.rss);
      if (atFirst === undefined) return;
      peakAfterFirst = Math.max(peakAfterFirst, m.rss);
      anonPeak = Math.max(anonPeak, m.anon);
      filePeak = Math.max(filePeak, m.file);
    }, 20);
    const t0 = performance.now();
    await admin(sim, 'POST', `/phones/${PHONE}/link`, { qr: code });
    await finished;
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const peak = Math.max(memOf(daemon.pid).hwm, sampled);
    await stream.close();

    // Read back: every chat listed, every message once.
    const t1 = performance.now();
    const chats = await client.listChats('bench', { limit: 1000 });
    let listed = 0;
    for (const c of chats) {
      const ids = new Set<string>();
      let before: string | undefined;
      for (;;) {
        const page = await client.listMessages('bench', c.jid, { limit: 1000, ...(before ? { before } : {}) });
        for (const m of page) ids.add(m.id);
        if (page.length < 1000) break;
        before = page.at(-1)!.id;
      }
      listed += ids.size;
    }
    const readSeconds = (performance.now() - t1) / 1000;
    const stored = chunks.reduce((n, e) => n + (e.data.messages as number), 0);
    const growth = peakAfterFirst - (atFirst ?? before);
    const result = {
      chats: CHATS,
      messages: MESSAGES,
      textBytes: TEXT_BYTES,
      seedSeconds: Number(seedSeconds.toFixed(2)),
      chunks: chunks.length,
      chunkTypes: [...new Set(chunks.map((e) => e.data.type))].join(','),
      storedByChunks: stored,
      chatsListed: chats.length,
      messagesListed: listed,
      seconds: Number(seconds.toFixed(2)),
      chunksPerSecond: Number((chunks.length / seconds).toFixed(2)),
      messagesPerSecond: Math.round(stored / seconds),
      readBackSeconds: Number(readSeconds.toFixed(2)),
      daemon: SOURCE ? 'tsx' : 'dist',
      heapMiB: HEAP_MIB || 'default',
      rssBeforeLinkMiB: mib(before),
      rssAtFirstChunkMiB: mib(atFirst ?? NaN),
      rssPeakMiB: mib(peak),
      rssGrowthLinkMiB: mib(peak - before),
      rssGrowthSyncMiB: mib(growth),
      anonGrowthSyncMiB: mib(anonPeak - anonAtFirst),
      fileGrowthSyncMiB: mib(filePeak - fileAtFirst),
      limitMiB: LIMIT_MIB,
    };
    console.log(JSON.stringify(result));
    const ok = growth < LIMIT_MIB * 1048576 && listed === MESSAGES && chats.length === CHATS;
    return ok ? 0 : 1;
  } finally {
    await client?.close();
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((r) => child!.once('exit', r));
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
