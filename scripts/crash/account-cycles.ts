/**
 * SIGKILL cycles of the whole daemon against the simulator: each cycle
 * starts the daemon (scripts/crash/daemon-driver.ts, bundled once), checks
 * every account, then kills it with SIGKILL at a random moment — while it
 * starts, while an account pairs (by QR or by code), or while accounts are
 * online. The invariants, checked at every start:
 *
 * - the store opens and every registered account starts (never corrupt);
 * - an account the simulator lists as a linked device comes online with the
 *   same jid and is never shown a QR (never a re-link after linking finished);
 * - an account the simulator does not list is never online.
 *
 * The simulator runs in this process and outlives the kills.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { Driver, admin, driverCommand, repoRoot as root, xorshift } from './daemon-process.js';

export interface CycleOptions {
  readonly cycles: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}

export interface CycleReport {
  readonly cycles: number;
  readonly kills: Record<string, number>;
  readonly linked: number;
  readonly notLinked: number;
  readonly failures: string[];
}

export async function runAccountCycles(opts: CycleOptions): Promise<CycleReport> {
  const log = opts.log ?? (() => {});
  const random = xorshift(opts.seed);
  const sim = await startSim();
  const dataDir = await mkdtemp(join(tmpdir(), 'wad-daemon-kill-'));
  const configPath = join(dataDir, 'config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      dataDir: join(dataDir, 'data'),
      server: { wsUrl: sim.wsUrl, rootPublicKey: sim.rootPublicKey, mediaCaPath: sim.mediaCaPath },
      log: { level: 'silent' },
      connection: { connectTimeoutMs: 5000, backoff: { initialMs: 100, maxMs: 2000, jitter: 0.1 } },
      accounts: { restart: { maxRestarts: 5, withinMs: 60000, delayMs: 0 } },
    }),
  );
  const cmd = await driverCommand();
  const phones = new Map<string, string>();
  const kills: Record<string, number> = {};
  const failures: string[] = [];
  let nextPhone = 0;
  let killAtStart = false;
  const spawnDriver = () => new Driver(spawn(process.execPath, [...cmd.args, configPath, join(root, 'config', 'default.json')], { stdio: ['pipe', 'pipe', 'pipe'], cwd: root }));

  try {
    for (let cycle = 1; cycle <= opts.cycles + 1 && failures.length === 0; cycle++) {
      const last = cycle === opts.cycles + 1;
      const d = spawnDriver();
      if (killAtStart && !last) {
        killAtStart = false;
        await new Promise((r) => setTimeout(r, random() * 400));
        await d.kill();
        kills.startup = (kills.startup ?? 0) + 1;
        log(`cycle ${cycle}: killed while starting`);
        continue;
      }
      try {
        await d.wait('ready', (l) => l.event === 'ready');
        await check(sim, d, phones);
      } catch (err) {
        failures.push(`cycle ${cycle}: ${(err as Error).message}`);
        await d.kill();
        break;
      }
      if (last) {
        d.child.kill('SIGTERM');
        const code = await Promise.race([d.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
        if (code !== 0) failures.push(`graceful stop: exit ${String(code)}`);
        break;
      }
      const r = random();
      const phase = r < 0.35 ? 'pairing-qr' : r < 0.5 ? 'pairing-code' : r < 0.85 ? 'online' : 'startup';
      // A 'startup' cycle kills this daemon like 'online' and the next one while it starts.
      const label = phase === 'startup' ? 'online' : phase;
      kills[label] = (kills[label] ?? 0) + 1;
      if (phase === 'startup') {
        killAtStart = true;
        await new Promise((res) => setTimeout(res, random() * 300));
      } else if (phase === 'online') {
        await new Promise((res) => setTimeout(res, random() * 500));
      } else {
        const id = `k${++nextPhone}`;
        const phone = `1555900${String(nextPhone).padStart(4, '0')}`;
        await admin(sim, 'POST', '/phones', { phone, name: id });
        phones.set(id, phone);
        if (phase === 'pairing-qr') {
          d.send({ cmd: 'add', id });
          const q = await d.wait(`${id} qr`, (l) => l.account === id && l.state === 'qr' && !!l.qr).catch(() => undefined);
          if (q) void admin(sim, 'POST', `/phones/${phone}/link`, { qr: q.qr }).catch(() => {});
          // Linking takes tens of ms: most kills land inside it (pair-success, the 515, the first login).
          await new Promise((res) => setTimeout(res, random() ** 2 * 300));
        } else {
          d.send({ cmd: 'add', id, phone });
          const a = await d.wait(`${id} code`, (l) => l.account === id && (l.event === 'added' || l.event === 'add-failed')).catch(() => undefined);
          if (a?.pairCode) void admin(sim, 'POST', `/phones/${phone}/link-code`, { code: a.pairCode }).catch(() => {});
          await new Promise((res) => setTimeout(res, random() ** 2 * 700));
        }
      }
      await d.kill();
      log(`cycle ${cycle}: killed during ${phase} (${phones.size} accounts)`);
    }
    const linked = (await Promise.all([...phones.values()].map((p) => admin<unknown[]>(sim, 'GET', `/phones/${p}/devices`)))).filter((x) => x.length > 0).length;
    return { cycles: opts.cycles, kills, linked, notLinked: phones.size - linked, failures };
  } finally {
    await cmd.dispose();
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The invariants after a start (see the file comment). */
async function check(sim: SimHandle, d: Driver, phones: Map<string, string>): Promise<void> {
  const crashed = d.lines.find((l) => l.event === 'child');
  if (crashed) throw new Error(`account ${crashed.account} crashed at start: ${crashed.error}`);
  for (const [id, phone] of phones) {
    const devices = await admin<Array<{ jid: string }>>(sim, 'GET', `/phones/${phone}/devices`);
    if (devices.length > 1) throw new Error(`${phone} has ${devices.length} companions: a re-link happened`);
    if (devices.length === 1) {
      const online = await d.wait(`${id} online`, (l) => l.account === id && (l.state === 'online' || l.state === 'qr' || l.state === 'loggedOut'));
      if (online.state !== 'online') throw new Error(`${id} is linked as ${devices[0]!.jid} but came up ${online.state}: re-link needed`);
      if (online.jid !== devices[0]!.jid) throw new Error(`${id} came online as ${online.jid}, linked as ${devices[0]!.jid}`);
    }
  }
  for (const [id, phone] of phones) {
    const devices = await admin<unknown[]>(sim, 'GET', `/phones/${phone}/devices`);
    if (devices.length === 0 && d.lines.some((l) => l.account === id && l.state === 'online')) throw new Error(`${id} is online but not linked`);
  }
}
