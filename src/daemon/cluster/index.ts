/**
 * This daemon's part in a cluster, put together from the config: the lease
 * keeper (before the store opens: it fences the store's writes), and once
 * the daemon exists, request forwarding: the router every control request
 * passes (with cluster.secret) and the listener other daemons forward to
 * (with cluster.listen), whose address goes into this daemon's heartbeat.
 * Owns that wiring; each piece's work is in its own module.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { DaemonApi } from '../../contract/api.js';
import { LeaseKeeper } from '../../store/cluster/leases.js';
import { OwnerDirectory } from '../../store/cluster/owners.js';
import { startForwardServer, type ForwardServer } from './forward-server.js';
import type { PathFiles } from './path-upload.js';
import { PeerClient } from './peer-client.js';
import { ForwardRouter } from './router.js';
import { ClusterSecret } from './secret.js';

export { ClusterMember } from './member.js';
export { ForwardRouter } from './router.js';

/** The lease keeper of a daemon in a cluster; undefined outside one. */
export function leaseKeeperFor(config: Config, logger: Logger, onLost: (account: string) => void): LeaseKeeper | undefined {
  if (!config.cluster.enabled || !config.store.url) return undefined;
  return new LeaseKeeper(
    {
      url: config.store.url,
      schema: config.store.schema ?? undefined,
      daemonId: config.cluster.daemonId ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 48)}-${randomBytes(4).toString('hex')}`,
      leaseMs: config.cluster.leaseMs,
      endpoint: null,
      onLost,
    },
    (err) => logger.warn({ err: err.message }, 'a lease connection broke (it is replaced)'),
  );
}

export interface Forwarding {
  /** What the control socket and the HTTP API pass every account's request through. */
  readonly router: ForwardRouter;
  /** Where the other daemons forward to (http://host:port); null when this daemon takes no forwarded requests. */
  readonly endpoint: string | null;
  /** Stops taking forwarded requests (those in flight finish). */
  stopServing(): Promise<void>;
  /** Closes the connections to peers and to the lease table. */
  close(): Promise<void>;
}

/**
 * Forwarding for a daemon in a cluster with a shared secret; undefined without one (requests of other
 * daemons' accounts are then answered UNAVAILABLE here). Announces the listener's address in the keeper's heartbeat.
 * @throws Error when cluster.listen cannot be bound
 */
export async function startForwarding(config: Config, keeper: LeaseKeeper, api: DaemonApi, logger: Logger, localFiles?: PathFiles): Promise<Forwarding | undefined> {
  const c = config.cluster;
  if (!c.secret || !config.store.url) return undefined;
  const secret = new ClusterSecret(c.secret);
  const held = (account: string): boolean => keeper.token(account) !== undefined;
  const owners = new OwnerDirectory(
    { url: config.store.url, schema: config.store.schema ?? undefined, ttlMs: Math.min(c.renewMs, 1000), timeoutMs: Math.min(c.forwardTimeoutMs, 5000) },
    (err) => logger.warn({ err: err.message }, 'a lease lookup connection broke (it is replaced)'),
  );
  const peers = new PeerClient({ secret, daemonId: keeper.owner, timeoutMs: c.forwardTimeoutMs, maxBytes: c.maxForwardBytes, maxInflight: c.maxForwards });
  let server: ForwardServer | undefined;
  try {
    if (c.listen) {
      server = await startForwardServer({
        listen: c.listen,
        secret,
        daemonId: keeper.owner,
        held,
        api,
        maxInflight: c.maxForwards,
        maxBytes: c.maxForwardBytes,
        maxUploadBytes: config.ipc.maxUploadBytes,
        // Inside the owner-only data dir, whose temp dir the daemon empties at every start.
        spoolDir: join(config.dataDir, 'tmp', 'cluster'),
        idleMs: Math.max(c.forwardTimeoutMs, 10_000),
        logger,
      });
    }
  } catch (err) {
    peers.close();
    await owners.close();
    throw err;
  }
  const advertised = c.advertise ?? (server ? { host: c.listen!.host, port: server.address.port } : undefined);
  const endpoint = advertised ? `http://${advertised.host.includes(':') ? `[${advertised.host}]` : advertised.host}:${advertised.port}` : null;
  keeper.advertise(endpoint);
  const router = new ForwardRouter({ daemonId: keeper.owner, held, owners, peers, timeoutMs: c.forwardTimeoutMs, logger, localFiles, endpoint });
  return {
    router,
    endpoint,
    stopServing: async () => server?.close(),
    close: async () => {
      peers.close();
      await owners.close().catch(() => {});
    },
  };
}
