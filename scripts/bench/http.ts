// HTTP API and webhooks: send requests/s and webhook deliveries/s, wad vs a bare floor.
//   npx tsx scripts/bench/http.ts [--rounds 5] [--requests 4000] [--concurrency 32] [--deliveries 3000]
// "ours" (requests): fetch → wad's HTTP server (token check, the socket's parser,
// gate and dispatch, JSON answer) → a DaemonApi answering from memory, so the
// HTTP layer's own cost is what is measured (WhatsApp's side is in the
// messaging benchmarks). "floor": a bare fastify route that answers the same
// JSON with no auth, validation or dispatch, driven by the same client.
// "ours" (webhooks): one webhook's runner reading a durable log of N events and
// POSTing each, signed, in order, cursor moved after each 2xx. "floor": the same
// bodies POSTed one after another by a bare fetch loop (no log, no signing, no acks).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { startHttpServer } from '../../src/http/index.js';
import { WebhookRunner } from '../../src/daemon/webhooks/runner.js';
import { eventFrame } from '../../src/ipc/frames.js';
import { FakeDaemon } from '../../test/ipc/fake-daemon.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 5);
const REQUESTS = arg('requests', 4000);
const CONCURRENCY = arg('concurrency', 32);
const DELIVERIES = arg('deliveries', 3000);
const TOKEN = 'bench-token-0123456789';
const LIMIT = { perSecond: 1e9, burst: 1e9 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const BODY = JSON.stringify({ account: 'alice', chat: '15550009999', type: 'text', content: 'hello' });

/** `n` POSTs of BODY, `concurrency` in flight; returns requests per second. */
async function drive(url: string, n: number, concurrency: number): Promise<number> {
  let next = 0;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const res = await fetch(url, { method: 'POST', headers, body: BODY });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return n / ((performance.now() - t0) / 1000);
}

async function requests(): Promise<Array<[string, number, number]>> {
  const api = new FakeDaemon();
  api.seed('alice', '15550000001:2@s.whatsapp.net');
  const wad = await startHttpServer(api, { listen: { host: '127.0.0.1', port: 0 }, tokens: [{ token: TOKEN }], rateLimit: LIMIT, accountRateLimit: LIMIT, maxInflight: 1e6 });
  const floor = Fastify({ logger: false });
  floor.post('/v1/message/send', async () => ({ messageId: '3EB0BENCH', success: true }));
  await floor.listen({ host: '127.0.0.1', port: 0 });
  const floorUrl = `http://127.0.0.1:${(floor.server.address() as AddressInfo).port}/v1/message/send`;
  const rows: Array<[string, number, number]> = [];
  for (const c of [1, CONCURRENCY]) {
    const ours: number[] = [];
    const bare: number[] = [];
    await drive(`${wad.url}/v1/message/send`, 500, c);
    await drive(floorUrl, 500, c);
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(await drive(`${wad.url}/v1/message/send`, REQUESTS, c));
      bare.push(await drive(floorUrl, REQUESTS, c));
    }
    rows.push([`\`POST /v1/message/send\`, ${c} in flight`, median(ours), median(bare)]);
  }
  await wad.close();
  await floor.close();
  return rows;
}

async function receiver(): Promise<{ url: string; count: () => number; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    count: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function webhooks(): Promise<[string, number, number]> {
  const rx = await receiver();
  const ours: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const api = new FakeDaemon();
    api.seed('alice', '15550000001:2@s.whatsapp.net');
    for (let i = 0; i < DELIVERIES; i++) api.emit('alice', 'message:new', { id: `M${i}`, chat: '15550009999@s.whatsapp.net', type: 'text', content: `hello ${i}` });
    const bodies = (await api.readEvents('alice', 1, DELIVERIES)).map((e) => eventFrame(e));

    const start = rx.count();
    const t0 = performance.now();
    const runner = new WebhookRunner(
      { id: 'bench', url: rx.url, events: undefined, accounts: undefined, secret: 's'.repeat(32), createdAt: 0, pausedReason: undefined },
      { api, lastSeq: async () => DELIVERIES, options: { retryLimit: 3, initialMs: 100, maxMs: 1000, timeoutMs: 10_000 }, log: { warn() {}, info() {} }, onPause: (reason) => console.error('paused', reason) },
    );
    runner.start();
    while ((await api.subscriberCursor('webhook:bench', 'alice')) < DELIVERIES) await new Promise((res) => setTimeout(res, 5));
    ours.push((rx.count() - start) / ((performance.now() - t0) / 1000));
    runner.stop();

    const t1 = performance.now();
    for (const body of bodies) {
      const res = await fetch(rx.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
    }
    bare.push(bodies.length / ((performance.now() - t1) / 1000));
  }
  await rx.close();
  return [`webhook deliveries, one account in order (${fmt(DELIVERIES)} events from the log)`, median(ours), median(bare)];
}

const rows = [...(await requests()), await webhooks()];
console.log(`HTTP API and webhooks, median of ${ROUNDS} rounds (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})\n`);
console.log('| measure | wad (ops/s) | bare floor (ops/s) | wad / floor |');
console.log('|---|---:|---:|---:|');
for (const [what, ours, floor] of rows) console.log(`| ${what} | ${fmt(ours)} | ${fmt(floor)} | ${(ours / floor).toFixed(2)} |`);
