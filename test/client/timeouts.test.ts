/**
 * Request timeouts: the client keeps one timer for all its pending requests.
 * A request left unanswered fails with TIMEOUT while the answered ones around
 * it succeed, an answer that comes after its timeout is ignored, and a
 * request sent later still gets its own whole timeout.
 */
import { afterEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WadClient, WadClientError } from '../../src/client/index.js';

let http: Server | undefined;
let wss: WebSocketServer | undefined;
let client: WadClient | undefined;
let dir: string | undefined;

afterEach(async () => {
  await client?.close();
  for (const c of wss?.clients ?? []) c.terminate();
  wss?.close();
  await new Promise((r) => (http ? http.close(r) : r(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A daemon stand-in that answers account:status for every account but `silent`, and holds those frames back until release(). */
async function server(): Promise<{ socket: string; release(): void }> {
  dir = mkdtempSync(join(tmpdir(), 'wad-timeouts-'));
  const socket = join(dir, 's.sock');
  http = createServer();
  wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const held: Array<() => void> = [];
  const answer = (ws: WebSocket, f: { id: string; tenantId: string }) => () =>
    ws.send(JSON.stringify({ id: `a-${f.id}`, type: 'ack', version: 1, timestamp: Date.now(), replyTo: f.id, data: { success: true, id: f.tenantId, state: 'online' } }));
  wss.on('connection', (ws) =>
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { id: string; tenantId: string };
      if (f.tenantId === 'silent') held.push(answer(ws, f));
      else answer(ws, f)();
    }),
  );
  await new Promise<void>((r) => http!.listen(socket, r));
  return { socket, release: () => held.splice(0).forEach((send) => send()) };
}

it('fails only the unanswered request with TIMEOUT, ignores its late answer, and times each request from when it was sent', async () => {
  const s = await server();
  client = await WadClient.connect({ socket: s.socket, requestTimeoutMs: 500, reconnect: false });
  const silent = client.accountStatus('silent').then(
    () => undefined,
    (err: unknown) => err,
  );
  // Answered requests while the silent one waits: they resolve, and do not disturb its timeout.
  for (let i = 0; i < 20; i++) expect((await client.accountStatus(`a${i}`)).state).toBe('online');
  const err = await silent;
  expect(err).toBeInstanceOf(WadClientError);
  expect((err as WadClientError).code).toBe('TIMEOUT');
  expect((err as WadClientError).message).toContain('account:status');
  // Its answer arrives now: nobody waits for it, and the client carries on.
  s.release();
  expect((await client.accountStatus('after')).id).toBe('after');
  // A second silent request gets a whole timeout of its own, then fails the same way.
  const second = client.accountStatus('silent').catch((e: unknown) => e);
  expect(((await second) as WadClientError).code).toBe('TIMEOUT');
});

it('a closed client fails its pending requests with CLOSED, not TIMEOUT', async () => {
  const s = await server();
  client = await WadClient.connect({ socket: s.socket, requestTimeoutMs: 60_000, reconnect: false });
  const pending = client.accountStatus('silent').catch((e: unknown) => e);
  // The frame is out once the answered request behind it comes back (one socket, in order).
  await client.accountStatus('a');
  await client.close();
  expect(((await pending) as WadClientError).code).toBe('CLOSED');
});
