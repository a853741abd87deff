/**
 * What wad's configuration holds, its defaults' meaning, and the checks every
 * key passes: the whole, put together from one file per area (areas/).
 * Paths (dataDir, socket, mediaCaPath) are resolved by load.ts; here they are
 * plain strings. Owns the shape only; must not read files or env.
 */
import { INVALID, nullable, object, str, type RawIssue } from './checks.js';
import { accountsSchema, connectionSchema, historySchema, type AccountsConfig, type ConnectionConfig, type HistoryConfig } from './areas/accounts.js';
import { clusterSchema, type ClusterConfig } from './areas/cluster.js';
import { httpSchema, ipcSchema, tokensSchema, type HttpConfig, type IpcConfig, type TokenConfig } from './areas/control.js';
import { linkPreviewSchema, mediaSchema, type LinkPreviewConfig, type MediaConfig } from './areas/media.js';
import { logSchema, memorySchema, type LogConfig, type MemoryConfig } from './areas/process.js';
import { serverSchema, type ServerConfig } from './areas/server.js';
import { eventsSchema, idempotencySchema, storeSchema, type EventsConfig, type IdempotencyConfig, type StoreConfig } from './areas/store.js';
import { webhookDeliverySchema, webhooksSchema, type WebhookConfig, type WebhookDeliveryConfig } from './areas/webhooks.js';
import { hostPort, type HostPort } from './values.js';

export type { AccountsConfig, ConnectionConfig, HistoryConfig } from './areas/accounts.js';
export type { ClusterConfig } from './areas/cluster.js';
export type { HttpConfig, IpcConfig, TokenConfig } from './areas/control.js';
export type { LinkPreviewConfig, MediaConfig } from './areas/media.js';
export type { LogConfig, LogFormat, LogLevel, MemoryConfig } from './areas/process.js';
export type { ServerConfig } from './areas/server.js';
export type { EventsConfig, IdempotencyConfig, StoreConfig } from './areas/store.js';
export type { WebhookConfig, WebhookDeliveryConfig } from './areas/webhooks.js';
export type { HostPort, RateConfig } from './values.js';

export interface Config {
  /** Absolute. Holds the store and the socket. */
  readonly dataDir: string;
  /** Absolute path of the control socket. Default `<dataDir>/wad.sock`. */
  readonly socket: string;
  /** Optional TCP listener (`"127.0.0.1:8080"`); requires tokens. */
  readonly listen: HostPort | null;
  readonly tokens: readonly TokenConfig[];
  readonly server: ServerConfig;
  readonly log: LogConfig;
  readonly accounts: AccountsConfig;
  readonly events: EventsConfig;
  readonly ipc: IpcConfig;
  readonly connection: ConnectionConfig;
  readonly store: StoreConfig;
  readonly media: MediaConfig;
  /** Link previews the daemon makes (`message:send` text with `linkPreview: true`). */
  readonly linkPreview: LinkPreviewConfig;
  readonly history: HistoryConfig;
  readonly memory: MemoryConfig;
  readonly idempotency: IdempotencyConfig;
  readonly http: HttpConfig;
  /**
   * Several daemons sharing one PostgreSQL store (store.backend "postgres"):
   * each account is run by one daemon at a time, under a lease.
   */
  readonly cluster: ClusterConfig;
  /** Webhooks added at start when the store does not have them (by id); webhook:add adds more. */
  readonly webhooks: readonly WebhookConfig[];
  readonly webhookDelivery: WebhookDeliveryConfig;
}

export const configSchema = object({
  dataDir: nullable(str({ nonEmpty: true })),
  socket: nullable(str({ nonEmpty: true })),
  listen: nullable(hostPort),
  tokens: tokensSchema,
  server: serverSchema,
  log: logSchema,
  accounts: accountsSchema,
  events: eventsSchema,
  ipc: ipcSchema,
  connection: connectionSchema,
  store: storeSchema,
  media: mediaSchema,
  linkPreview: linkPreviewSchema,
  history: historySchema,
  memory: memorySchema,
  idempotency: idempotencySchema,
  cluster: clusterSchema,
  webhooks: webhooksSchema,
  webhookDelivery: webhookDeliverySchema,
  http: httpSchema,
});

export type RawConfig = Exclude<ReturnType<typeof configSchema>, typeof INVALID>;

/** Rules across keys, checked once every key is valid. */
export function crossChecks(c: RawConfig, issues: RawIssue[]): void {
  if (c.listen && c.tokens.length === 0) {
    issues.push({ path: 'tokens', message: 'at least one token is required when "listen" is set' });
  }
  if (c.http.listen && c.tokens.length === 0) {
    issues.push({ path: 'tokens', message: 'at least one token is required when "http.listen" is set' });
  }
  if (c.store.backend === 'postgres' && c.store.url === null) {
    issues.push({ path: 'store.url', message: 'a postgres:// URL is required when store.backend is "postgres"' });
  }
  if (c.cluster.enabled && c.store.backend !== 'postgres') {
    issues.push({ path: 'cluster.enabled', message: 'a cluster shares a PostgreSQL store: set store.backend to "postgres"' });
  }
  if (c.cluster.listen && !c.cluster.secret) {
    issues.push({ path: 'cluster.secret', message: 'a shared secret (at least 32 characters) is required when "cluster.listen" is set' });
  }
  if (c.cluster.listen && !c.cluster.advertise && ['0.0.0.0', '::'].includes(c.cluster.listen.host)) {
    issues.push({ path: 'cluster.advertise', message: 'say where the other daemons reach this one (host:port) when "cluster.listen" is a wildcard address' });
  }
  if (c.cluster.renewMs * 3 > c.cluster.leaseMs) {
    issues.push({ path: 'cluster.renewMs', message: `must be at most a third of cluster.leaseMs (${c.cluster.leaseMs}), so a lease survives a late renewal` });
  }
  if (c.connection.backoff.initialMs > c.connection.backoff.maxMs) {
    issues.push({ path: 'connection.backoff.initialMs', message: `must not exceed connection.backoff.maxMs (${c.connection.backoff.maxMs})` });
  }
  if (c.connection.keepAliveJitterMs >= c.connection.keepAliveIntervalMs) {
    issues.push({ path: 'connection.keepAliveJitterMs', message: `must be less than connection.keepAliveIntervalMs (${c.connection.keepAliveIntervalMs})` });
  }
}
