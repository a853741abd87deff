// History sync through the daemon: a simulated phone holding --chats chats and
// --messages messages (all within the recent window) links a fresh account;
// measured: time from the link to the last RECENT chunk stored, chunks and
// messages per second, and this process's RSS growth during the sync (sampled
// every 50 ms). The simulator runs in this process too, and its history is
// built before the baseline, so the growth is the daemon's plus the
// simulator's chunk building.
//   npx tsx scripts/bench/history-sync.ts [--chats 50] [--messages 20000]
import { startSim } from '../../src/sim/index.js';
import { createDaemon } from '../../src/daemon/index.js';
import { configForSimulator } from '../../src/config/simulator.js';
import type { WadEvent } from '../../src/contract/api.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CHATS = arg('chats', 50);
const MESSAGES = arg('messages', 20_000);
const PHONE = '15550177001';
const mib = (b: number): string => (b / 1048576).toFixed(1);

async function admin(adminUrl: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(adminUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const sim = await startSim();
const dir = mkdtempSync(join(tmpdir(), 'wad-bench-history-'));
await admin(sim.adminUrl, '/phones', { phone: PHONE, name: 'Bench' });
await admin(sim.adminUrl, `/phones/${PHONE}/history`, { generate: { chats: CHATS, messages: MESSAGES } });
const d = await createDaemon(configForSimulator(sim, dir, 'bench', []), { logger: pino({ level: 'silent' }), ipc: false });
const events: WadEvent[] = [];
let done: () => void = () => undefined;
const finished = new Promise<void>((r) => (done = r));
d.onEvent((e) => {
  if (e.type !== 'history:sync') return;
  events.push(e);
  if (e.data.type === 'RECENT' && e.data.progress === 100) done();
});
global.gc?.();
const base = process.memoryUsage().rss;
let peak = base;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const qr = new Promise<string>((resolve) => {
  const off = d.onEvent((e) => {
    if (e.type === 'connection:update' && typeof e.data.qr === 'string') {
      off();
      resolve(e.data.qr);
    }
  });
});
await d.addAccount('bench', {});
const t0 = performance.now();
await admin(sim.adminUrl, `/phones/${PHONE}/link`, { qr: await qr });
await finished;
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
const messages = events.reduce((n, e) => n + (e.data.messages as number), 0);
const listed = (await d.listChats('bench', {})).length;
console.log(
  JSON.stringify({
    chats: CHATS,
    messages: MESSAGES,
    stored: messages,
    chatsListed: listed,
    chunks: events.length,
    seconds: Number(seconds.toFixed(2)),
    chunksPerSecond: Number((events.length / seconds).toFixed(1)),
    messagesPerSecond: Math.round(messages / seconds),
    rssBaseMiB: Number(mib(base)),
    rssGrowthMiB: Number(mib(peak - base)),
  }),
);
await d.stop();
await sim.close();
rmSync(dir, { recursive: true, force: true });
