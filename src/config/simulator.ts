/**
 * The config of a daemon that talks to a simulator instead of WhatsApp
 * (`wad demo`, the end-to-end tests, the benchmarks): the simulator's
 * endpoints and root key, a data dir, logs off, then the caller's overrides,
 * all validated as any config is.
 */
import { loadConfig } from './load.js';
import type { Config } from './schema.js';

/** What a running simulator tells about itself (its ready line, or startSim's handle). */
export interface SimulatorEndpoints {
  readonly wsUrl: string;
  readonly rootPublicKey: string;
  readonly mediaCaPath: string;
  /** Its admin API, which publishes the simulator's Web build at `/sw.js`; without it the build is never fetched. */
  readonly adminUrl?: string;
}

/** @throws ConfigError CONFIG_INVALID naming `source` when an override is wrong */
export function configForSimulator(sim: SimulatorEndpoints, dataDir: string, source: string, overrides: ReadonlyArray<readonly [string, unknown]> = []): Config {
  const base: Array<readonly [string, unknown]> = [
    ['dataDir', dataDir],
    ['server.wsUrl', sim.wsUrl],
    ['server.rootPublicKey', sim.rootPublicKey],
    ['server.mediaCaPath', sim.mediaCaPath],
    ['server.webVersionUrl', sim.adminUrl ? `${sim.adminUrl}/sw.js` : null],
    ['log.level', 'silent'],
  ];
  return loadConfig({ env: {}, overrides: [...base, ...overrides].map(([key, value]) => ({ key, value, source })) });
}
