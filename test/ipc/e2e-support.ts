/**
 * For the control plane's end-to-end tests (test/e2e/ipc-*.test.ts): a real
 * daemon (createDaemon with its control socket) against the in-process
 * simulator, driven only through WadClient; linking through the simulated
 * phones; whether sends through the daemon work yet.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WadClient } from '../../src/client/index.js';
import { createDaemon, type Daemon } from '../../src/daemon/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, quiet, simConfig, until } from '../e2e/support/daemon.js';

export { admin, until };

export async function daemonWithSocket(sim: SimHandle, dataDir: string, over: Array<[string, unknown]> = []): Promise<Daemon> {
  return createDaemon(simConfig(sim, dataDir, [['ipc.rateLimit', { perSecond: 10_000, burst: 10_000 }], ['ipc.accountRateLimit', { perSecond: 10_000, burst: 40_000 }], ...over]), { logger: quiet, pool: { threads: 1, inline: 'all' } });
}

/** The config file a `wad daemon` child runs with. */
export function writeConfig(sim: SimHandle, dataDir: string, path = join(dataDir, 'config.json')): string {
  writeFileSync(
    path,
    JSON.stringify({
      dataDir,
      server: { wsUrl: sim.wsUrl, rootPublicKey: sim.rootPublicKey, mediaCaPath: sim.mediaCaPath },
      log: { level: process.env['WAD_TEST_LOG'] ?? 'silent' },
      ipc: { rateLimit: { perSecond: 10_000, burst: 10_000 }, accountRateLimit: { perSecond: 10_000, burst: 40_000 } },
      connection: { connectTimeoutMs: 5000, backoff: { initialMs: 100, maxMs: 2000, jitter: 0.1 } },
      accounts: { restart: { maxRestarts: 5, withinMs: 60000, delayMs: 0 }, sendRate: { perSecond: 10_000, burst: 10_000 } },
    }),
  );
  return path;
}

/** Adds an account through the socket and links it by QR on the simulated phone; resolves once online. */
export async function linkOverSocket(client: WadClient, sim: SimHandle, id: string, phone: string): Promise<void> {
  let qr: string | undefined;
  await client.addAccount(id, { onUpdate: (ev: WadEvent) => typeof ev.data['qr'] === 'string' && (qr ??= ev.data['qr']) });
  await until(`QR of ${id}`, () => qr);
  await admin(sim, 'POST', `/phones/${phone}/link`, { qr });
  await client.waitForState(id, { timeoutMs: 20_000 });
}

export const jidOf = (phone: string): string => `${phone}@s.whatsapp.net`;
