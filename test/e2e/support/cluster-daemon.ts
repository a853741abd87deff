/**
 * What the cluster end-to-end files give each of their daemons (child
 * processes on one simulator and one PostgreSQL store): the same lease
 * timing and the same config, so the files differ only in what they test.
 */
import type { SimHandle } from '../../../src/sim/index.js';
import type { TestPostgres } from '../../support/postgres.js';

// Crypto runs inline in these daemons: a lease must outlast the event loop's longest stall on 2 busy cores.
export const CLUSTER_LEASE_MS = 6000;

/** The `cluster` section for the daemon named `daemonId`. */
export const clusterOf = (daemonId: string) => ({ enabled: true, daemonId, leaseMs: CLUSTER_LEASE_MS, renewMs: 1000 });

/**
 * A cluster daemon's config: quick reconnects and restarts, so a failover is
 * over within the tests' bounds, and a send rate no test reaches.
 */
export function clusterDaemonConfig(s: SimHandle, postgres: TestPostgres, daemonId: string): Record<string, unknown> {
  return {
    server: { wsUrl: s.wsUrl, rootPublicKey: s.rootPublicKey, mediaCaPath: s.mediaCaPath, webVersionUrl: null },
    log: { level: 'silent' },
    store: { backend: 'postgres', url: postgres.url },
    cluster: clusterOf(daemonId),
    connection: { connectTimeoutMs: 5000, backoff: { initialMs: 100, maxMs: 1000, jitter: 0.1 } },
    accounts: { restart: { maxRestarts: 5, withinMs: 60000, delayMs: 0 }, sendRate: { perSecond: 1000, burst: 1000 } },
  };
}
