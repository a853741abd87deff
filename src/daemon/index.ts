/**
 * createDaemon(config): makes the data dir owner-only and empties its temp
 * dir, opens the store (refusing a missing or damaged one), starts the crypto
 * pool, the supervisor and every registered account (when autoStart; an
 * account whose records do not load is quarantined, the others start), the
 * event retention, the control socket (src/ipc) and, with http.listen, the
 * HTTP API (src/http). Returns the running
 * Daemon (a DaemonApi); stop() shuts it down gracefully.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { daemonLogger } from './logger.js';
import { settingsFromConfig } from '../account/connection/settings.js';
import { WebVersionKeeper } from './web-version.js';
import type { Transport } from '../account/connection/transport.js';
import type { AccountDeps } from '../account/account.js';
import { LocalFiles, MediaHttp, SharedMedia } from '../account/media/index.js';
import { WebFetcher } from '../account/link-preview/index.js';
import type { Config } from '../config/index.js';
import type { EventType } from '../contract/api.js';
import { ipcOptionsFromConfig, startIpcServer } from '../ipc/index.js';
import { httpOptionsFromConfig, startHttpServer } from '../http/index.js';
import { AccountManager } from './accounts/index.js';
import { CryptoPool, type CryptoPoolOptions } from '../runtime/crypto-pool/index.js';
import { createSupervisor } from '../runtime/supervisor/index.js';
import { isNoSpace, Store, StoreError, type KVBackend } from '../store/index.js';
import { prepareDataDir, resetTempDir, restrictModes, TMP_DIR } from './data-dir.js';
import { Daemon } from './daemon.js';
import { ClusterMember, leaseKeeperFor, startForwarding } from './cluster/index.js';
import { clusterEventsFor } from './cluster-events.js';
import { EventHub } from './event-sink.js';

export { Daemon } from './daemon.js';
export { applyHeapGrowth } from './heap-growth.js';
export { mediaToDaemonError, toDaemonError } from './error-map.js';
export { EventHub, toWadEvent } from './event-sink.js';
export * from '../contract/index.js';

export interface DaemonOptions {
  /** Default: pino at config.log.level, to stderr, in config.log.format (readable on a terminal, JSON otherwise). */
  readonly logger?: Logger;
  /** Default: WebSocket (ws). Tests pass in-memory transports. */
  readonly transport?: Transport;
  /** Messaging's tunables and test seams for every account (e.g. a forced decrypt failure). */
  readonly messaging?: AccountDeps['messaging'];
  /** Serve the control socket (default true). */
  readonly ipc?: boolean;
  readonly pool?: CryptoPoolOptions;
  /** A layer between the store and LevelDB (tests inject write failures such as a full disk with it). */
  readonly wrapStore?: (backend: KVBackend) => KVBackend;
}

/**
 * @throws StoreError OPEN_FAILED (another daemon holds the data dir), STORE_MISSING and STORE_DAMAGED (run
 *   `wad store check|repair`), NO_SPACE (the disk is full); IpcStartError; whatever else fails while starting
 *   (a full disk is reported as NO_SPACE wherever it hits)
 */
export async function createDaemon(config: Config, options: DaemonOptions = {}): Promise<Daemon> {
  try {
    return await start(config, options);
  } catch (err) {
    if (isNoSpace(err) && !(err instanceof StoreError && err.code === 'NO_SPACE')) {
      throw new StoreError('NO_SPACE', `cannot start: the disk holding ${config.dataDir} is full (ENOSPC: ${(err as Error).message})`, { cause: err });
    }
    throw err;
  }
}

async function start(config: Config, options: DaemonOptions): Promise<Daemon> {
  const logger = options.logger ?? daemonLogger(config.log, { sync: true });
  await prepareDataDir(config.dataDir);
  // In a cluster every account write is fenced by this daemon's leases (store/cluster/leases.ts).
  let member: ClusterMember | undefined;
  const keeper = leaseKeeperFor(config, logger, (account) => member?.lost(account));
  const store = await Store.open(
    config.dataDir,
    {
      level: { sync: config.store.sync },
      ...(config.store.backend === 'postgres' && config.store.url
        ? {
            postgres: {
              url: config.store.url,
              maxConnections: config.store.maxConnections,
              ...(config.store.schema ? { schema: config.store.schema } : {}),
              ...(keeper ? { fence: keeper } : {}),
              onConnectionError: (err: Error) => logger.warn({ err: err.message }, 'a PostgreSQL connection broke (it is replaced)'),
            },
          }
        : {}),
      cache: { maxEntries: config.store.cacheEntries, maxBytes: config.store.cacheBytes },
      sentMessagesMax: config.store.sentMessagesMax,
      messagesMax: config.store.messagesMax,
      chatMessagesPerChat: config.store.chatMessagesPerChat,
      chatMessagesMax: config.store.chatMessagesMax,
      idempotencyKeysMax: config.idempotency.keysMax,
      idempotencyTtlMs: config.idempotency.ttlMs,
    },
    options.wrapStore,
  );
  if (store.origin !== 'opened') logger.info({ dataDir: config.dataDir, how: store.origin }, store.origin === 'created' ? 'new store created' : 'store from before markers adopted');
  try {
    await resetTempDir(config.dataDir);
    const changed = await restrictModes(config.dataDir);
    if (changed > 0) logger.warn({ dataDir: config.dataDir, changed }, 'data dir was readable by others: made owner-only (dirs 0700, files 0600)');
  } catch (err) {
    await store.close();
    throw err;
  }
  const pool = new CryptoPool({ onError: (err) => logger.error({ err }, 'crypto worker failed'), ...options.pool });
  const supervisor = createSupervisor({ logger, childLogKey: 'account', restartDelayMs: config.accounts.restart.delayMs });
  const events = new EventHub(logger.child({ component: 'events' }));
  // One HTTPS agent (the configured CA, else the system's) for every account's media.
  const media = await SharedMedia.open({
    http: await MediaHttp.fromCaFile(config.server.mediaCaPath),
    spoolRoot: join(config.dataDir, TMP_DIR, 'media'),
    localFiles: await localFilesFor(config, logger),
    linkPreviews: { web: new WebFetcher(config.linkPreview), timeoutMs: config.linkPreview.timeoutMs },
  }).catch(async (err: unknown) => {
    await pool.close();
    await store.close();
    throw err;
  });
  // Every account announces the same Web build; a 405 on one refreshes it for all.
  const webVersion = await WebVersionKeeper.open({
    store,
    logger: logger.child({ component: 'web-version' }),
    configured: config.server.webVersion,
    url: config.server.webVersionUrl,
    refreshMs: config.server.webVersionRefreshMs,
  });
  const accounts = new AccountManager({
    store,
    pool,
    supervisor,
    logger,
    settings: { ...settingsFromConfig(config), webVersion: () => webVersion.current, refreshWebVersion: () => webVersion.refresh() },
    sinkFor: (s) => events.sinkFor(s),
    limits: config.accounts,
    transport: options.transport,
    media,
    messaging: options.messaging,
    leases: keeper && { claim: (id) => member!.claim(id), forget: (id) => keeper.forget(id), held: (id) => keeper.token(id) !== undefined },
  });
  if (keeper) member = new ClusterMember({ keeper, store, accounts, logger: logger.child({ component: 'cluster' }), renewMs: config.cluster.renewMs });
  const daemon = new Daemon({ config, logger, store, pool, supervisor, accounts, events, media, webVersion, cluster: member });
  if (member && config.store.url) daemon.clusterEvents = clusterEventsFor(daemon, config.store.url, config.store.schema ?? undefined, member.daemonId);
  try {
    await supervisor.start();
    await accounts.init();
    // Before the first heartbeat, which announces where the other daemons forward to.
    if (keeper) member?.attach(await startForwarding(config, keeper, daemon, logger.child({ component: 'cluster' }), media.localFiles));
    await member?.start();
    await daemon.clusterEvents?.start();
    daemon.startRetention();
    webVersion.startDaily();
    await daemon.webhooks.start(config.webhooks.map((w) => ({ id: w.id, url: w.url, secret: w.secret, ...(w.events ? { events: w.events as EventType[] } : {}), ...(w.accounts ? { accounts: [...w.accounts] } : {}) })));
    const forwarder = member?.forwarding?.router;
    if (options.ipc !== false) daemon.ipc = await startIpcServer(daemon, { ...ipcOptionsFromConfig(config, logger.child({ component: 'ipc' })), ...(forwarder ? { forwarder } : {}) });
    const http = httpOptionsFromConfig(config, logger.child({ component: 'http' }));
    if (http) daemon.http = await startHttpServer(daemon, { ...http, ...(forwarder ? { forwarder } : {}) });
  } catch (err) {
    await daemon.stop().catch(() => {});
    throw err;
  }
  logger.info({ accounts: accounts.list().length, socket: daemon.socketPath }, 'daemon ready');
  return daemon;
}

/** The files path sends may name (media.allowedRoots); a root that cannot be resolved allows nothing, and is logged. */
async function localFilesFor(config: Config, logger: Logger): Promise<LocalFiles> {
  const files = await LocalFiles.create({ allowedRoots: config.media.allowedRoots, deniedRoots: [config.dataDir], maxBytes: config.ipc.maxUploadBytes });
  if (files.unresolved.length > 0) logger.warn({ roots: files.unresolved }, 'media.allowedRoots: these roots could not be resolved and allow no path sends');
  return files;
}
