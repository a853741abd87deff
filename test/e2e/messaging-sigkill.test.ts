// Must-show (issue 7): kill -9 of the daemon during a burst of 1,000
// incoming messages. After the restart every message is in the durable log
// exactly once by id (persisted with its session state before the ack, so
// the server redelivers exactly what was not durable), and the sender has a
// delivery receipt for every one.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient } from '../sim/baileys-harness.js';
import { admin, daemonFor, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';
import { wadArgs } from '../support/wad-process.js';

const W = '15550009101';
const B = '15550009102';
const BURST = 1000;
const root = join(import.meta.dirname, '..', '..');
let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let baileys: BaileysClient;
let wadDevice = '';

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-kill-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  const d = await daemonFor(s, dir.path, []);
  await linkByQr(s, d, 'wad', W);
  wadDevice = d.accountStatus('wad').jid!;
  await d.stop();
  baileys = new BaileysClient(s, 'b');
  await baileys.linkByQr(B);
}, 60_000);

afterAll(async () => {
  baileys?.kill();
  await s?.close();
  await dir?.remove();
});

describe('SIGKILL during a burst of incoming messages', () => {
  it(`${BURST} messages: each delivered exactly once after the restart, all receipted`, async () => {
    const configPath = join(dir.path, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        dataDir: dir.path,
        server: { wsUrl: s.wsUrl, rootPublicKey: s.rootPublicKey, mediaCaPath: s.mediaCaPath },
        log: { level: 'silent' },
        connection: { connectTimeoutMs: 5000, backoff: { initialMs: 100, maxMs: 1000, jitter: 0.1 } },
        accounts: { restart: { maxRestarts: 5, withinMs: 60000, delayMs: 0 } },
      }),
    );
    const child = spawn(process.execPath, wadArgs('daemon', '--config', configPath), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-3000)));
    const exited = new Promise((r) => child.on('close', r));
    await until(
      'child daemon online',
      () => {
        if (child.exitCode !== null) throw new Error(`daemon exited: ${stderr}`);
        return s.hub.session(wadDevice) !== undefined;
      },
      30_000,
    );

    const receipts = new Set<string>();
    baileys.sock!.ws.on('CB:receipt', (n: { attrs: Record<string, string> }) => {
      if (!n.attrs.type && n.attrs.from?.startsWith(W)) receipts.add(n.attrs.id!);
    });
    // Count what our device acks at the server, to kill it in the middle of the work.
    const queues = s.hub.queues;
    const ack = queues.ack.bind(queues);
    let ackedByUs = 0;
    queues.ack = (jid, key) => {
      if (jid === wadDevice && key.startsWith('message:')) ackedByUs++;
      return ack(jid, key);
    };
    const ids: string[] = [];
    let killedAt = -1;
    for (let i = 0; i < BURST; i++) {
      ids.push((await baileys.sock!.sendMessage(`${W}@s.whatsapp.net`, { text: `burst ${i}` }))!.key.id!);
      if (killedAt < 0 && ackedByUs >= 100) {
        child.kill('SIGKILL');
        killedAt = ackedByUs;
      }
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    if (killedAt < 0) {
      await until('the child at work', () => ackedByUs >= 100);
      child.kill('SIGKILL');
      killedAt = ackedByUs;
    }
    await exited;
    // Killed with work done and work left.
    expect(killedAt).toBeGreaterThan(0);
    expect(ackedByUs).toBeLessThan(BURST);

    const d = await daemonFor(s, dir.path, []);
    try {
      const want = new Set(ids);
      const seen = await until(
        'every burst message in the log',
        async () => {
          const events = [];
          for (let from = 0; ; ) {
            const page = await d.readEvents('wad', from, 1000);
            events.push(...page);
            if (page.length < 1000) break;
            from = page.at(-1)!.seq + 1;
          }
          const got = events.filter((e) => e.type === 'message:new' && want.has(String(e.data.id)));
          return got.length >= BURST ? got : undefined;
        },
        60_000,
      );
      const byId = new Map<string, number>();
      for (const e of seen) byId.set(String(e.data.id), (byId.get(String(e.data.id)) ?? 0) + 1);
      expect(byId.size).toBe(BURST);
      expect([...byId.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(seen.map((e) => e.data.content))).toEqual(new Set(ids.map((_, i) => `burst ${i}`)));
      // The sender's devices got a delivery receipt for every message, and the server holds nothing
      // for our device any more: everything was delivered to it and acked after it was durable.
      await until('a delivery receipt for every message', () => ids.every((id) => receipts.has(id)), 30_000);
      await until('nothing left for our device at the server', () => s.hub.queues.queuedCount(wadDevice) === 0 && !s.hub.queues.sizes()[wadDevice]);
    } finally {
      await d.stop();
    }
  }, 180_000);
});
