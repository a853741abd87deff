// Webhooks against a real `wad daemon` child process and the simulator: a
// receiver that is down for a while, then up, then restarted, gets every
// message the phone sent exactly once by X-Wad-Delivery and in seq order,
// across a SIGKILL of the daemon; every body's X-Wad-Signature checks with
// the webhook's secret and fails with any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { WadClient } from '../../src/client/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { sim as startSim, tempDir } from './support/daemon.js';
import { admin, jidOf, linkOverSocket, until, writeConfig } from '../ipc/e2e-support.js';
import { wadArgs } from '../support/wad-process.js';

const PHONE = '15550400001';
const SENDER = '15550400009';
const TOKEN = 'webhook-test-token-0123456789';
const SECRET = 'receiver-secret-0123456789';

interface Delivery {
  id: string;
  seq: number;
  type: string;
  messageId: unknown;
  signedWithSecret: boolean;
  signedWithOther: boolean;
}

const hmac = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A webhook receiver that can go down and come back on the same port. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  #server: Server | undefined;
  port = 0;

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const frame = JSON.parse(body) as { data: { seq: number; id?: unknown }; type: string };
        const sig = String(req.headers['x-wad-signature']);
        this.deliveries.push({
          id: String(req.headers['x-wad-delivery']),
          seq: frame.data.seq,
          type: frame.type,
          messageId: frame.data.id,
          signedWithSecret: sig === hmac(SECRET, body),
          signedWithOther: sig === hmac('some-other-secret-0123456789', body),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async down(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
}

let s: SimHandle;
let child: ChildProcess | undefined;

function startDaemon(config: string): Promise<{ socket: string; http: string }> {
  const c = spawn(process.execPath, wadArgs('daemon', '--config', config), { stdio: ['ignore', 'pipe', 'inherit'] });
  child = c;
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 30_000);
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { socket: string; http: string });
      }
    });
    c.once('exit', (code) => reject(new Error(`daemon exited (${code}) before ready: ${out}`)));
  });
}

beforeAll(async () => {
  s = await startSim();
  for (const phone of [PHONE, SENDER]) await admin(s, 'POST', '/phones', { phone, name: phone });
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await s?.close();
});

describe('webhooks', () => {
  it('deliver every event once by X-Wad-Delivery, in order, through a receiver outage, its restart and a SIGKILL of the daemon', async () => {
    const dir = await tempDir('wad-e2e-webhooks-');
    const receiver = new Receiver();
    try {
      await receiver.up();
      const config = writeConfig(s, dir.path);
      const raw = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
      writeFileSync(
        config,
        JSON.stringify({
          ...raw,
          tokens: [TOKEN],
          http: { listen: '127.0.0.1:0' },
          // Quick retries, and no pause: the receiver's outage is long on this scale.
          webhookDelivery: { retryLimit: 10_000, initialMs: 20, maxMs: 200, timeoutMs: 5000 },
        }),
      );
      let ready = await startDaemon(config);
      const client = await WadClient.connect({ socket: ready.socket });
      await linkOverSocket(client, s, 'w', PHONE);
      await client.close();

      const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
        const res = await fetch(`http://${ready.http}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(res.status, path).toBe(200);
        return (await res.json()) as Record<string, unknown>;
      };
      const added = await post('/v1/webhook/add', { url: `http://127.0.0.1:${receiver.port}/hook`, events: ['message:new'], accounts: ['w'], secret: SECRET });
      expect(added).toMatchObject({ success: true, id: expect.any(String), secret: SECRET });

      const sent: string[] = [];
      const say = async (text: string): Promise<void> => {
        sent.push((await admin<{ id: string }>(s, 'POST', `/phones/${SENDER}/messages`, { to: jidOf(PHONE), text })).id);
      };
      const delivered = (): Set<unknown> => new Set(receiver.deliveries.map((d) => d.messageId));
      const allDelivered = (what: string) => until(what, () => sent.every((id) => delivered().has(id)), 30_000);

      for (let i = 0; i < 3; i++) await say(`up ${i}`);
      await allDelivered('first three');

      // Down for a while: the daemon keeps logging and retrying.
      await receiver.down();
      for (let i = 0; i < 4; i++) await say(`while down ${i}`);
      await until('stored and retried', async () => {
        const list = (await post('/v1/webhook/list', {})) as { webhooks: Array<{ lag: number; failures: number }> };
        return list.webhooks[0]!.failures >= 2 && list.webhooks[0]!.lag >= 1;
      });
      await receiver.up();
      await allDelivered('after the outage');

      // The receiver restarts while messages come in.
      const during = (async () => {
        for (let i = 0; i < 4; i++) await say(`receiver restart ${i}`);
      })();
      await receiver.down();
      await receiver.up();
      await during;
      await allDelivered('after the receiver restart');

      // SIGKILL the daemon while messages come in; they wait at the server and in the log.
      const around = (async () => {
        for (let i = 0; i < 6; i++) {
          await say(`around the kill ${i}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await new Promise((r) => setTimeout(r, 30));
      child!.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      await around;
      ready = await startDaemon(config);
      await allDelivered('after the SIGKILL');

      // Exactly once by delivery id (repeats are allowed on the wire, never two ids for one event), in seq order.
      const firsts = new Map<string, Delivery>();
      for (const d of receiver.deliveries) if (!firsts.has(d.id)) firsts.set(d.id, d);
      const unique = [...firsts.values()];
      expect(unique.map((d) => d.id)).toEqual(unique.map((d) => `w:${d.seq}`));
      const ids = unique.map((d) => d.messageId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual([...sent].sort());
      for (let i = 1; i < unique.length; i++) expect(unique[i]!.seq).toBeGreaterThan(unique[i - 1]!.seq);
      // Every repeat is the same event again, and nothing arrives out of order on the wire either.
      const order = receiver.deliveries.map((d) => d.seq);
      for (let i = 1; i < order.length; i++) expect(order[i]!).toBeGreaterThanOrEqual(order[i - 1]!);
      expect(unique.every((d) => d.type === 'message:new')).toBe(true);
      expect(receiver.deliveries.every((d) => d.signedWithSecret && !d.signedWithOther)).toBe(true);

      child!.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    } finally {
      await receiver.down();
      await dir.remove();
    }
  }, 120_000);
});
