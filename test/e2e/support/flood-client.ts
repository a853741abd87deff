/**
 * A hostile crowd for the control socket, run as a child process so that the
 * crowd's own descriptors do not count against the test's: opens `count`
 * connections and leaves them idle. `tcp`: bare TCP connections to 127.0.0.1
 * from fixed local ports (the ephemeral range is smaller than the crowd), a
 * third of them sending half an HTTP request; `unix-ws`: WebSocket clients on
 * the Unix socket that upgrade and then say nothing; `unix-raw`: bare
 * connections to the Unix socket.
 *
 * Prints one JSON line when every connection was tried, and another on each
 * line read from stdin: {opened, failed, closedByPeer, ms}. Exits when stdin ends.
 * Usage: tsx flood-client.ts '<json spec>'
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

type Spec =
  /** Without local ports the kernel picks them (crowds smaller than the ephemeral range). */
  | { mode: 'tcp'; port: number; count: number; firstLocalPort?: number; lastLocalPort?: number }
  | { mode: 'unix-ws' | 'unix-raw'; socket: string; count: number };

const spec = JSON.parse(process.argv[2]!) as Spec;
/** Connections being set up at once: WebSocket handshakes beyond the daemon's handshake cap would push out each other. */
const IN_FLIGHT = spec.mode === 'unix-ws' ? 32 : 256;
const held: Array<Socket | WebSocket> = [];
let opened = 0;
let failed = 0;
let closedByPeer = 0;
let nextPort = spec.mode === 'tcp' ? (spec.firstLocalPort ?? 0) : 0;
const started = Date.now();

const report = (): void => {
  process.stdout.write(JSON.stringify({ opened, failed, closedByPeer, ms: Date.now() - started }) + '\n');
};

/** One TCP connection from the next free local port; settles when connected or failed. */
function tcpOne(s: Extract<Spec, { mode: 'tcp' }>): Promise<void> {
  return new Promise((resolve) => {
    const attempt = (): void => {
      if (s.lastLocalPort !== undefined && nextPort > s.lastLocalPort) {
        failed++;
        return resolve();
      }
      const local = s.firstLocalPort !== undefined ? { localAddress: '127.0.0.1', localPort: nextPort++ } : {};
      const sock = connect({ host: '127.0.0.1', port: s.port, ...local });
      let up = false;
      sock.once('connect', () => {
        up = true;
        opened++;
        held.push(sock);
        if (opened % 3 === 0) sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
        resolve();
      });
      sock.on('error', (err: NodeJS.ErrnoException) => {
        if (up) return;
        // Someone else has this port: take the next one.
        if (err.code === 'EADDRINUSE') return attempt();
        failed++;
        resolve();
      });
      sock.once('close', () => {
        if (up) closedByPeer++;
      });
    };
    attempt();
  });
}

function unixRawOne(path: string): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect(path);
    let up = false;
    sock.once('connect', () => {
      up = true;
      opened++;
      held.push(sock);
      resolve();
    });
    sock.on('error', () => {
      if (!up) {
        failed++;
        resolve();
      }
    });
    sock.once('close', () => {
      if (up) closedByPeer++;
    });
  });
}

function unixWsOne(path: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws+unix://${path}:/`, { perMessageDeflate: false });
    let up = false;
    ws.once('open', () => {
      up = true;
      opened++;
      held.push(ws);
      resolve();
    });
    ws.on('error', () => {
      if (!up) {
        failed++;
        resolve();
      }
    });
    ws.once('close', () => {
      if (up) closedByPeer++;
    });
  });
}

async function main(): Promise<void> {
  let started = 0;
  const one = (): Promise<void> => (spec.mode === 'tcp' ? tcpOne(spec) : spec.mode === 'unix-raw' ? unixRawOne(spec.socket) : unixWsOne(spec.socket));
  const worker = async (): Promise<void> => {
    while (started < spec.count) {
      started++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  report();
  const rl = createInterface({ input: process.stdin });
  rl.on('line', report);
  rl.on('close', () => {
    for (const h of held) h instanceof WebSocket ? h.terminate() : h.destroy();
    process.exit(0);
  });
}

void main();
