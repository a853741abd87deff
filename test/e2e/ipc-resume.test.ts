// Issue 8 Must-show: durable events resume with no gap and no loss — after a
// consumer is away for a while (daemon in process), and after the daemon
// (`wad daemon`, a child process) is killed with SIGKILL mid-stream and
// started again. The consumer is WadClient with a named subscription; every
// message a phone sent arrives, seqs are contiguous, and the consumer never
// sees a duplicate (the client drops re-deliveries by seq).
import type { TypedWadEvent } from '../../src/contract/events.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { WadClient } from '../../src/client/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { SimHandle } from '../../src/sim/index.js';
import { sim as startSim, tempDir } from './support/daemon.js';
import { admin, daemonWithSocket, jidOf, linkOverSocket, until, writeConfig } from '../ipc/e2e-support.js';
import { wadArgs } from '../support/wad-process.js';

const A = '15550030001';
const B = '15550030002';
const SENDER = '15550030009';

let s: SimHandle;

beforeAll(async () => {
  s = await startSim();
  for (const phone of [A, B, SENDER]) await admin(s, 'POST', '/phones', { phone, name: phone });
});

afterAll(async () => {
  await s?.close();
});

function phoneSays(to: string, text: string): Promise<string> {
  return admin<{ id: string }>(s, 'POST', `/phones/${SENDER}/messages`, { to: jidOf(to), text }).then((r) => r.id);
}

/** Seqs of one account, in the order the consumer saw them, must be 1 step apart. */
function expectContiguous(events: TypedWadEvent[]): void {
  for (let i = 1; i < events.length; i++) expect(events[i]!.seq, `after seq ${events[i - 1]!.seq}`).toBe(events[i - 1]!.seq + 1);
}

describe('a consumer away for a while', () => {
  it('resumes from its last ack: every event, in order, none twice', async () => {
    const dir = await tempDir('wad-e2e-resume-');
    const d = await daemonWithSocket(s, dir.path);
    try {
      const admin1 = await WadClient.connect({ socket: d.socketPath });
      await linkOverSocket(admin1, s, 'a', A);
      await admin1.close();

      const seen: TypedWadEvent[] = [];
      const sent: string[] = [];
      const c1 = await WadClient.connect({ socket: d.socketPath });
      const s1 = c1.subscribe({ name: 'crm', accounts: ['a'] });
      const it1 = s1[Symbol.asyncIterator]();
      for (let i = 0; i < 5; i++) sent.push(await phoneSays(A, `before ${i}`));
      while (!sent.every((id) => seen.some((e) => e.data['id'] === id))) seen.push((await it1.next()).value as TypedWadEvent);
      await s1.close();
      await c1.close();

      // Away: the daemon keeps receiving.
      for (let i = 0; i < 10; i++) sent.push(await phoneSays(A, `while away ${i}`));
      await until('stored', async () => (await d.readEvents('a', 0, 10_000)).filter((e) => e.type === 'message:new').length >= 15);

      const c2 = await WadClient.connect({ socket: d.socketPath });
      const s2 = c2.subscribe({ name: 'crm', accounts: ['a'] });
      const it2 = s2[Symbol.asyncIterator]();
      const again: TypedWadEvent[] = [];
      while (!sent.every((id) => [...seen, ...again].some((e) => e.data['id'] === id))) again.push((await it2.next()).value as TypedWadEvent);
      // The second session starts right after the first one's last ack: no gap, no repeat.
      expect(again[0]!.seq).toBe(seen.at(-1)!.seq + 1);
      expectContiguous([...seen, ...again]);
      await s2.close();
      await c2.close();
    } finally {
      await d.stop();
      await dir.remove();
    }
  }, 60_000);
});

describe('a daemon killed with SIGKILL', () => {
  let child: ChildProcess | undefined;

  function startDaemon(config: string): Promise<{ socket: string; pid: number }> {
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
          resolve(JSON.parse(line) as { socket: string; pid: number });
        }
      });
      c.once('exit', (code) => reject(new Error(`daemon exited (${code}) before ready: ${out}`)));
    });
  }

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('restarts from its store; the subscriber resumes with no gap and nothing lost', async () => {
    const dir = await tempDir('wad-e2e-kill-');
    try {
      const config = writeConfig(s, dir.path);
      const ready = await startDaemon(config);
      expect(ready).toMatchObject({ event: 'ready', socket: `${dir.path}/wad.sock` });

      const client = await WadClient.connect({ socket: ready.socket, reconnect: { initialMs: 50, maxMs: 500 } });
      await linkOverSocket(client, s, 'k', B);
      const events: TypedWadEvent[] = [];
      const stream = client.subscribe({ name: 'sink', accounts: ['k'] });
      const consuming = (async () => {
        for await (const ev of stream) events.push(ev);
      })();

      const sent: string[] = [];
      for (let i = 0; i < 10; i++) sent.push(await phoneSays(B, `before kill ${i}`));
      await until('first ten consumed', () => sent.every((id) => events.some((e) => e.data['id'] === id)), 20_000);

      // Kill mid-stream: the phone keeps writing, the server queues for the dead device.
      const sending = (async () => {
        for (let i = 0; i < 20; i++) {
          sent.push(await phoneSays(B, `around the kill ${i}`));
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      child!.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      await sending;
      for (let i = 0; i < 5; i++) sent.push(await phoneSays(B, `while dead ${i}`));

      await startDaemon(config);
      await until('every message after the restart', () => sent.every((id) => events.some((e) => e.data['id'] === id)), 30_000);
      // Nothing lost, nothing seen twice, seqs one apart across the crash.
      const ids = events.filter((e) => e.type === 'message:new').map((e) => e.data['id']);
      expect(new Set(ids).size).toBe(ids.length);
      expectContiguous(events);
      expect((await client.accountStatus('k')).state).toBe('online');
      await stream.close();
      await consuming;
      await client.close();
      child!.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    } finally {
      await dir.remove();
    }
  }, 120_000);
});
