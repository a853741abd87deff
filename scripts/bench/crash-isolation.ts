/**
 * Crash isolation, measured (issue 6): 21 accounts online against `wad sim`
 * (child process); 20 of them answer pings back to back while the 21st is
 * crashed (FAULT.CRASH in its connection actor) again and again and restarted
 * by the supervisor. Reports the longest gap between two answered pings of
 * the 20 and their round-trip percentiles, in a quiet phase and during the
 * crashes (same run). Goal: no pause over 100 ms.
 *
 *   npx tsx scripts/bench/crash-isolation.ts [--crashes 10]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createDaemon } from '../../src/daemon/index.js';
import { ping } from '../../src/protocol/iq/ping.js';
import { admin, benchConfig, linkAccount, startSimProcess } from './sim-process.js';

const i = process.argv.indexOf('--crashes');
const CRASHES = i >= 0 ? Number(process.argv[i + 1]) : 10;
const OTHERS = 20;

interface Phase {
  gaps: number[];
  rtts: number[];
  failures: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

const { child, info: sim } = await startSimProcess();
const dataDir = await mkdtemp(join(tmpdir(), 'wad-bench-crash-'));
const d = await createDaemon(benchConfig(sim, dataDir, [['accounts.restart.maxRestarts', CRASHES + 5], ['accounts.restart.delayMs', 0]]), { logger: pino({ level: 'silent' }), ipc: false });
try {
  for (let k = 0; k <= OTHERS; k++) {
    const phone = `1222${String(k).padStart(7, '0')}`;
    await admin(sim, 'POST', '/phones', { phone, name: `c${k}` });
    await linkAccount(d, sim, `c${k}`, phone);
  }
  await new Promise((r) => setTimeout(r, 1500));
  let phase: Phase = { gaps: [], rtts: [], failures: 0 };
  let running = true;
  const loops = Array.from({ length: OTHERS }, async (_, k) => {
    const conn = d.accounts.running(`c${k + 1}`)!.connection;
    let last = performance.now();
    let mine = phase;
    while (running) {
      if (mine !== phase) {
        mine = phase;
        last = performance.now();
      }
      const t = performance.now();
      try {
        await conn.execute(ping, { timeoutMs: 5000 });
      } catch {
        phase.failures++;
      }
      const now = performance.now();
      phase.rtts.push(now - t);
      phase.gaps.push(now - last);
      last = now;
    }
  });
  // Warm-up (JIT, first allocations), then the quiet phase.
  await new Promise((r) => setTimeout(r, 1000));
  phase = { gaps: [], rtts: [], failures: 0 };
  await new Promise((r) => setTimeout(r, 3000));
  const quiet = phase;
  phase = { gaps: [], rtts: [], failures: 0 };
  for (let c = 0; c < CRASHES; c++) {
    const before = d.accounts.running('c0')!;
    before.connection.signal({ type: 'FAULT.CRASH' });
    await d.accounts.waitFor('c0', (s) => s.state !== 'online', 10_000).catch(() => undefined);
    while (d.accounts.running('c0') === before || d.accounts.running('c0') === undefined) await new Promise((r) => setTimeout(r, 5));
    await d.accounts.waitFor('c0', (s) => s.state === 'online', 30_000);
    await new Promise((r) => setTimeout(r, 100));
  }
  const crashing = phase;
  running = false;
  await Promise.all(loops);
  const restarts = d.supervisor.whichChildren().find((c) => c.id === 'c0')!.restarts;
  const row = (name: string, p: Phase) =>
    `| ${name} | ${p.rtts.length} | ${p.failures} | ${pct(p.rtts, 50).toFixed(2)} | ${pct(p.rtts, 99).toFixed(2)} | ${Math.max(...p.gaps).toFixed(1)} |`;
  console.log(`### Crash isolation: ${OTHERS} accounts answering pings while another one crashes ${CRASHES} times

\`npx tsx scripts/bench/crash-isolation.ts --crashes ${CRASHES}\` — \`wad sim\` in a child process; each of the ${OTHERS}
accounts sends \`<iq xmlns="w:p"><ping/></iq>\` back to back; account c0's connection actor is
crashed (FAULT.CRASH) and restarted by the supervisor ${restarts} times during the second phase.

| phase | pings answered | failed | RTT p50 ms | RTT p99 ms | longest gap between answers, ms |
|---|---:|---:|---:|---:|---:|
${row('quiet (3 s)', quiet)}
${row(`${CRASHES} crashes + restarts`, crashing)}

Goal: no pause of the others over 100 ms.`);
} finally {
  await d.stop();
  child.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
}
