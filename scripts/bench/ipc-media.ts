// Media over the control socket alone: media:download of a file the daemon
// already holds (a fake daemon serving bytes from memory in 64 KiB pieces) into
// WadClient's file sink, on the Unix socket (no deflate there). The floor: the same bytes as binary
// frames between a bare ws server and client on the same kind of socket.
//   npx tsx scripts/bench/ipc-media.ts [--mib 256] [--rounds 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import type { MediaDownload } from '../../src/contract/api.js';
import { WadClient } from '../../src/client/index.js';
import { startIpcServer } from '../../src/ipc/index.js';
import { FakeDaemon } from '../../test/ipc/fake-daemon.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = arg('mib', 256);
const ROUNDS = arg('rounds', 5);
const SIZE = MIB << 20;
const PIECE = 64 * 1024;
const bytes = Buffer.alloc(SIZE, 7);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mibps = (ms: number): number => MIB / (ms / 1000);

function served(): MediaDownload {
  return {
    type: 'document',
    mimeType: 'application/octet-stream',
    fileLength: SIZE,
    fileName: 'f.bin',
    async *[Symbol.asyncIterator]() {
      for (let at = 0; at < SIZE; at += PIECE) yield bytes.subarray(at, at + PIECE);
    },
  } as MediaDownload;
}

async function floorMiBps(dir: string): Promise<number> {
  const socket = join(dir, 'floor.sock');
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('message', async () => {
      for (let at = 0; at < SIZE; at += PIECE) {
        await new Promise<void>((r, j) => ws.send(bytes.subarray(at, at + PIECE), { binary: true }, (e) => (e ? j(e) : r())));
      }
    });
  });
  await new Promise<void>((r) => http.listen(socket, r));
  const ws = new WebSocket(`ws+unix://${socket}:/`, { perMessageDeflate: false, maxPayload: 256 << 20 });
  await new Promise((r) => ws.once('open', r));
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let got = 0;
      const on = (d: Buffer): void => {
        got += d.length;
        if (got >= SIZE) {
          ws.off('message', on);
          resolve();
        }
      };
      ws.on('message', on);
      ws.send('go');
    });
    times.push(performance.now() - t0);
  }
  ws.close();
  wss.close();
  http.close();
  return mibps(median(times));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wad-bench-ipc-media-'));
  const fake = new FakeDaemon();
  fake.seed('alice', '15550001111:2@s.whatsapp.net');
  const server = await startIpcServer(fake, { socketPath: join(dir, 'wad.sock'), tmpDir: dir });
  const client = await WadClient.connect({ socket: join(dir, 'wad.sock') });
  const down: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    fake.files.set(`M${round}`, served());
    const to = join(dir, `out-${round}.bin`);
    const t0 = performance.now();
    const got = await client.downloadMedia('alice', 'x@s.whatsapp.net', `M${round}`, { to });
    down.push(performance.now() - t0);
    if (got.fileLength !== SIZE) throw new Error(`downloaded ${got.fileLength} bytes`);
    rmSync(to);
  }
  await client.close();
  await server.close();
  const floor = await floorMiBps(dir);
  rmSync(dir, { recursive: true, force: true });
  console.log(`| ${MIB} MiB over the Unix socket, median of ${ROUNDS} | MiB/s | vs bare ws floor (${floor.toFixed(0)} MiB/s) |`);
  console.log('|---|---:|---:|');
  console.log(`| media:download into a file (WadClient.downloadMedia, binary frames) | ${mibps(median(down)).toFixed(0)} | ${(mibps(median(down)) / floor).toFixed(2)} |`);
}

await main();
