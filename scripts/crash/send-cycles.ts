/**
 * SIGKILL cycles of the daemon while a client sends: a WadClient on the
 * control socket keeps `workers` sends in flight, each text carrying a
 * payload counter, each send made with WadClient.sendReliably under its own
 * idempotency key (repeated after every lost socket until the daemon
 * answers). The daemon is killed with SIGKILL at a random moment once its
 * account is online, `cycles` times, and started again each time; then the
 * client finishes what it was sending. What the simulated phone received is
 * counted by message id and by payload counter:
 *
 * - lost: a payload whose send was answered but that never reached the phone;
 * - duplicated by id: one message id kept twice by the phone;
 * - duplicated by payload: one payload under two message ids (a second,
 *   fresh send: what idempotency keys exist to prevent);
 * - mismatched: the phone got a payload under another id than the client was told.
 *
 * Also reported: how often the phone dropped a message id it already held
 * (the daemon completing a send whose ack the kill cut off), and how many
 * attempts the client repeated. The simulator runs in this process and
 * outlives the kills.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WadClient } from '../../src/client/index.js';
import { untilAnswered } from '../../src/client/resend.js';
import { startSim } from '../../src/sim/index.js';
import { Driver, admin, driverCommand, repoRoot, xorshift } from './daemon-process.js';

export interface SendCycleOptions {
  readonly cycles: number;
  readonly seed: number;
  /** Sends in flight at once (default 4). */
  readonly workers?: number;
  /** false: the control run, a client that repeats a send without a key (each attempt a fresh send). */
  readonly keys?: boolean;
  readonly log?: (line: string) => void;
}

export interface SendCycleReport {
  readonly cycles: number;
  /** Payloads the client sent and got an answer for. */
  readonly answered: number;
  /** Messages from the account the phone kept. */
  readonly received: number;
  readonly lost: number[];
  readonly duplicatedById: string[];
  readonly duplicatedByPayload: number[];
  readonly mismatched: number[];
  /** Copies of a message id the phone already held, dropped by it. */
  readonly redeliveriesDropped: number;
  /** Attempts the client repeated under their key. */
  readonly retries: number;
  readonly seconds: number;
  readonly failures: string[];
}

const W = '15559170001';
const R = '15559170002';
const PAYLOAD = /^payload (\d+)$/;

export async function runSendCycles(opts: SendCycleOptions): Promise<SendCycleReport> {
  const log = opts.log ?? (() => {});
  const random = xorshift(opts.seed);
  const t0 = Date.now();
  const sim = await startSim();
  const dir = await mkdtemp(join(tmpdir(), 'wad-send-kill-'));
  const configPath = join(dir, 'config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      server: { wsUrl: sim.wsUrl, rootPublicKey: sim.rootPublicKey, mediaCaPath: sim.mediaCaPath },
      log: { level: 'silent' },
      connection: { connectTimeoutMs: 5000, backoff: { initialMs: 100, maxMs: 1000, jitter: 0.1 } },
      accounts: { restart: { maxRestarts: 5, withinMs: 60000, delayMs: 0 }, sendRate: { perSecond: 10_000, burst: 10_000 } },
      ipc: { rateLimit: { perSecond: 10_000, burst: 10_000 }, accountRateLimit: { perSecond: 10_000, burst: 10_000 } },
    }),
  );
  const cmd = await driverCommand();
  const spawnDriver = () =>
    new Driver(spawn(process.execPath, [...cmd.args, configPath, join(repoRoot, 'config', 'default.json')], { stdio: ['pipe', 'pipe', 'pipe'], cwd: repoRoot, env: { ...process.env, WAD_DRIVER_IPC: '1' } }));
  const failures: string[] = [];
  const answered = new Map<number, string>();
  let retries = 0;
  let client: WadClient | undefined;
  let d: Driver | undefined;
  try {
    for (const phone of [W, R]) await admin(sim, 'POST', '/phones', { phone, name: phone });
    d = spawnDriver();
    const ready = await d.wait('ready', (l) => l.event === 'ready');
    d.send({ cmd: 'add', id: 'w' });
    const qr = await d.wait('qr', (l) => l.account === 'w' && l.state === 'qr' && !!l.qr);
    await admin(sim, 'POST', `/phones/${W}/link`, { qr: qr.qr });
    await d.wait('online', (l) => l.account === 'w' && l.state === 'online');
    client = await WadClient.connect({ socket: ready.socket!, reconnect: { initialMs: 50, maxMs: 300 }, requestTimeoutMs: 30_000 });

    let next = 0;
    let stopping = false;
    const worker = async (): Promise<void> => {
      while (!stopping) {
        const n = ++next;
        const content = { type: 'text' as const, content: `payload ${n}` };
        const retry = { initialDelayMs: 50, maxDelayMs: 500, deadlineMs: 180_000, onRetry: () => void retries++ };
        try {
          const id = opts.keys === false ? await untilAnswered(() => client!.send('w', R, content), retry) : await client!.sendReliably('w', R, content, { ...retry, idempotencyKey: `payload-${n}` });
          answered.set(n, id);
        } catch (err) {
          failures.push(`payload ${n}: no answer: ${(err as Error).message}`);
          return;
        }
      }
    };
    const workers = Array.from({ length: opts.workers ?? 4 }, () => worker());

    for (let cycle = 1; cycle <= opts.cycles && failures.length === 0; cycle++) {
      // Killed while sends are in flight: at a random moment once the account is online again.
      await d.wait(`online (cycle ${cycle})`, (l) => l.account === 'w' && l.state === 'online', 60_000);
      await new Promise((r) => setTimeout(r, 100 + random() * 900));
      await d.kill();
      log(`cycle ${cycle}: killed with ${answered.size} payloads answered`);
      d = spawnDriver();
      await d.wait(`ready (cycle ${cycle})`, (l) => l.event === 'ready');
    }
    await d.wait('online at the end', (l) => l.account === 'w' && l.state === 'online', 60_000);
    await new Promise((r) => setTimeout(r, 500));
    stopping = true;
    await Promise.all(workers);

    // Every answered payload must reach the phone; give the last ones time to arrive.
    type Got = { id: string; from: string; text: string };
    const fromW = async () => (await admin<Got[]>(sim, 'GET', `/phones/${R}/messages`)).filter((m) => m.from === `${W}@s.whatsapp.net`);
    const deadline = Date.now() + 30_000;
    let got = await fromW();
    while (Date.now() < deadline && new Set(got.map((m) => m.text)).size < answered.size) {
      await new Promise((r) => setTimeout(r, 200));
      got = await fromW();
    }
    const byId = new Map<string, number>();
    const byPayload = new Map<number, Set<string>>();
    for (const m of got) {
      byId.set(m.id, (byId.get(m.id) ?? 0) + 1);
      const n = Number(PAYLOAD.exec(m.text)?.[1]);
      if (!Number.isInteger(n)) continue;
      byPayload.set(n, new Set([...(byPayload.get(n) ?? []), m.id]));
    }
    const report: SendCycleReport = {
      cycles: opts.cycles,
      answered: answered.size,
      received: got.length,
      lost: [...answered.keys()].filter((n) => !byPayload.has(n)).sort((a, b) => a - b),
      duplicatedById: [...byId].filter(([, c]) => c > 1).map(([id]) => id),
      duplicatedByPayload: [...byPayload].filter(([, ids]) => ids.size > 1).map(([n]) => n),
      mismatched: [...answered].filter(([n, id]) => byPayload.has(n) && !byPayload.get(n)!.has(id)).map(([n]) => n),
      redeliveriesDropped: sim.hub.phones.get(R)?.redeliveries?.() ?? 0,
      retries,
      seconds: (Date.now() - t0) / 1000,
      failures,
    };
    d.child.kill('SIGTERM');
    const code = await Promise.race([d.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    if (code !== 0) failures.push(`graceful stop: exit ${String(code)}`);
    return report;
  } finally {
    await client?.close();
    if (d && d.child.exitCode === null && d.child.signalCode === null) await d.kill();
    await cmd.dispose();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
