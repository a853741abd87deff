// Control socket: request round trips and event delivery, wad vs the bare transport floor.
//   npx tsx scripts/bench/ipc.ts [--rounds 5] [--requests 4000] [--events 40000]
// "ours": WadClient → IPC server (validation, rate limits, dispatch, durable
// subscription served from the log) → a DaemonApi answering from memory.
// "floor": a bare ws server on the same kind of Unix socket that answers each
// request frame with a fixed ack (no validation, no routing), and for events
// writes pre-serialized frames — what the transport alone costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { WadClient } from '../../src/client/index.js';
import { startIpcServer } from '../../src/ipc/index.js';
import { FakeDaemon } from '../../test/ipc/fake-daemon.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 5);
const REQUESTS = arg('requests', 4000);
const EVENTS = arg('events', 40_000);
const LIMIT = { perSecond: 1e9, burst: 1e9 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function floorServer(socket: string, events: number): Promise<{ close(): Promise<void> }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const frame = (seq: number): string =>
    JSON.stringify({ id: `alice:${seq}`, type: 'message:new', version: 1, timestamp: Date.now(), tenantId: 'alice', conversationId: 'x@s.whatsapp.net', subscription: 'bench', data: { id: `M${seq}`, chat: 'x@s.whatsapp.net', type: 'text', content: `hello ${seq}`, seq } });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { id: string; type: string };
      if (f.type === 'events:subscribe') {
        ws.send(JSON.stringify({ id: 's', type: 'ack', version: 1, timestamp: Date.now(), replyTo: f.id, data: { success: true, subscription: 'bench' } }));
        for (let s = 1; s <= events; s++) ws.send(frame(s));
        return;
      }
      ws.send(JSON.stringify({ id: 'a', type: 'ack', version: 1, timestamp: Date.now(), replyTo: f.id, data: { success: true, id: 'alice', state: 'online' } }));
    });
  });
  await new Promise<void>((r) => http.listen(socket, r));
  return { close: () => new Promise<void>((r) => { wss.close(); http.close(() => r()); for (const c of wss.clients) c.terminate(); }) };
}

/** The same client-side work for both: JSON frames with ids, answers matched by replyTo. */
async function rawClient(socket: string): Promise<{ request(): Promise<void>; events(n: number): Promise<void>; close(): void }> {
  const ws = new WebSocket(`ws+unix://${socket}:/`, { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r));
  const pending = new Map<string, () => void>();
  let onEvent: (() => void) | undefined;
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as { replyTo?: string; data: { seq?: number } };
    if (f.replyTo) {
      pending.get(f.replyTo)?.();
      pending.delete(f.replyTo);
    } else onEvent?.();
  });
  let n = 0;
  const request = (type = 'account:status'): Promise<void> =>
    new Promise((resolve) => {
      const id = `r${++n}`;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, type, version: 1, timestamp: Date.now(), tenantId: 'alice', data: {}, ack: true }));
    });
  return {
    request: () => request(),
    events: (count) =>
      new Promise<void>((resolve) => {
        let got = 0;
        onEvent = () => ++got === count && resolve();
        void request('events:subscribe');
      }),
    close: () => ws.close(),
  };
}

/** Untimed requests first, so that neither side is timed while its code is still being compiled. */
const WARMUP = 1000;

async function timeRequests(fn: () => Promise<void>, n: number, concurrency: number): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const t0 = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < n) {
        issued++;
        await fn();
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wad-bench-ipc-'));
  const ours = { seq: [] as number[], pipe: [] as number[], events: [] as number[] };
  const floor = { seq: [] as number[], pipe: [] as number[], events: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // ---- ours
    {
      const fake = new FakeDaemon();
      fake.seed('alice', '15550001111:2@s.whatsapp.net');
      for (let i = 1; i <= EVENTS; i++) fake.emit('alice', 'message:new', { id: `M${i}`, chat: 'x@s.whatsapp.net', type: 'text', content: `hello ${i}` }, 'x@s.whatsapp.net');
      const socket = join(dir, `ours-${round}.sock`);
      const server = await startIpcServer(fake, { socketPath: socket, rateLimit: LIMIT, accountRateLimit: LIMIT, maxInflight: 1024 });
      const client = await WadClient.connect({ socket });
      ours.seq.push(await timeRequests(() => client.accountStatus('alice').then(() => {}), REQUESTS, 1));
      ours.pipe.push(await timeRequests(() => client.accountStatus('alice').then(() => {}), REQUESTS * 4, 64));
      const t0 = performance.now();
      const stream = client.subscribe({ name: 'bench', accounts: ['alice'], autoAck: false });
      let got = 0;
      for await (const _ev of stream) if (++got === EVENTS) break;
      ours.events.push(EVENTS / ((performance.now() - t0) / 1000));
      await client.close();
      await server.close();
    }
    // ---- floor
    {
      const socket = join(dir, `floor-${round}.sock`);
      const server = await floorServer(socket, EVENTS);
      const c = await rawClient(socket);
      floor.seq.push(await timeRequests(() => c.request(), REQUESTS, 1));
      floor.pipe.push(await timeRequests(() => c.request(), REQUESTS * 4, 64));
      const t0 = performance.now();
      await c.events(EVENTS);
      floor.events.push(EVENTS / ((performance.now() - t0) / 1000));
      c.close();
      await server.close();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const row = (what: string, a: number[], b: number[]): string => `| ${what} | ${fmt(median(a))} | ${fmt(median(b))} | ${(median(a) / median(b)).toFixed(2)} |`;
  console.log(`### Control socket (Unix socket, one client; median of ${ROUNDS} rounds)\n`);
  console.log('| measure | wad (ops/s) | bare ws floor (ops/s) | wad / floor |');
  console.log('|---|---:|---:|---:|');
  console.log(row('request round trips, one at a time (`account:status`)', ours.seq, floor.seq));
  console.log(row('request round trips, 64 in flight', ours.pipe, floor.pipe));
  console.log(row(`events to one consumer (durable subscription, ${EVENTS.toLocaleString('en-US')} from the log)`, ours.events, floor.events));
  console.log(`\nCommand: \`npx tsx scripts/bench/ipc.ts --rounds ${ROUNDS} --requests ${REQUESTS} --events ${EVENTS}\``);
}

await main();
