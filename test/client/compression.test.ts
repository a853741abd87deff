// What WadClient offers the daemon in its WebSocket handshake: on the Unix
// socket no compression unless asked (it only costs CPU there, media being
// compressed already), over TCP permessage-deflate unless declined.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WadClient } from '../../src/client/index.js';

let dir: string;
const servers: Server[] = [];
const offered: string[] = [];

async function listen(where: string | { port: 0; host: '127.0.0.1' }): Promise<Server> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: { threshold: 1024 } });
  wss.on('connection', (_ws, req: IncomingMessage) => offered.push(req.headers['sec-websocket-extensions'] ?? ''));
  if (typeof where === 'string') http.listen(where);
  else http.listen(where.port, where.host);
  await once(http, 'listening');
  servers.push(http);
  return http;
}

async function offerOf(opts: ConstructorParameters<typeof WadClient>[0]): Promise<string> {
  const before = offered.length;
  const c = await WadClient.connect({ reconnect: false, ...opts });
  for (let i = 0; i < 100 && offered.length === before; i++) await new Promise((r) => setTimeout(r, 5));
  await c.close();
  return offered[before]!;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wad-compression-'));
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('WadClient compression', () => {
  it('offers no permessage-deflate on the Unix socket unless asked', async () => {
    const socket = join(dir, 'a.sock');
    await listen(socket);
    expect(await offerOf({ socket })).toBe('');
    expect(await offerOf({ socket, compression: true })).toMatch(/permessage-deflate/);
  });

  it('offers permessage-deflate over TCP unless declined', async () => {
    const http = await listen({ port: 0, host: '127.0.0.1' });
    const { port } = http.address() as { port: number };
    const url = `ws://127.0.0.1:${port}`;
    expect(await offerOf({ url, token: 't' })).toMatch(/permessage-deflate/);
    expect(await offerOf({ url, token: 't', compression: false })).toBe('');
  });
});
