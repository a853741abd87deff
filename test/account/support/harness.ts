/** Builds an AccountConnection against a FakeServer with an in-memory store and a capturing event sink. */
import pino from 'pino';
import { AccountConnection } from '../../../src/account/connection/connection.js';
import type { ConnectionUpdate } from '../../../src/account/connection/machine.js';
import { SETTING_DEFAULTS, type ConnectionSettings } from '../../../src/account/connection/settings.js';
import type { AccountEvent, AccountEventSink } from '../../../src/account/events.js';
import { MemoryBackend, Store, type AccountStore } from '../../../src/store/index.js';
import type { Transport } from '../../../src/account/connection/transport.js';
import { FakeServer } from './fake-server.js';

export const silent = pino({ level: 'silent' });

export class CaptureSink implements AccountEventSink {
  readonly events: AccountEvent[] = [];
  async emit(event: AccountEvent): Promise<number> {
    this.events.push(event);
    return this.events.length;
  }
  stage(): () => void {
    return () => {};
  }
  states(): string[] {
    return this.events.filter((e) => e.type === 'connection:update').map((e) => String(e.data.state));
  }
}

export function settings(server: FakeServer, over: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return {
    ...SETTING_DEFAULTS,
    wsUrl: 'ws://fake/ws/chat',
    rootPublicKey: server.rootPublicKey,
    connectTimeoutMs: 20_000,
    keepAliveIntervalMs: 25_000,
    keepAliveJitterMs: 5_000,
    keepAliveTimeoutMs: 20_000,
    backoff: { unitMs: 1000, maxMs: 900_000, jitter: 0.1, resetAfterMs: 30_000 },
    ...over,
  };
}

export interface Rig {
  server: FakeServer;
  store: Store;
  account: AccountStore;
  sink: CaptureSink;
  updates: ConnectionUpdate[];
  conn: AccountConnection;
}

export async function rig(opts: { server?: FakeServer; store?: Store; id?: string; settings?: Partial<ConnectionSettings>; random?: () => number; logger?: pino.Logger; transport?: Transport } = {}): Promise<Rig> {
  const server = opts.server ?? new FakeServer();
  const store = opts.store ?? new Store(new MemoryBackend());
  const account = await store.account(opts.id ?? 'acc1');
  const sink = new CaptureSink();
  const updates: ConnectionUpdate[] = [];
  const conn = new AccountConnection({
    accountId: account.id,
    store: account,
    events: sink,
    logger: opts.logger ?? silent,
    settings: settings(server, opts.settings),
    transport: opts.transport ?? server.transport,
    random: opts.random ?? (() => 0.5),
    onUpdate: (u) => updates.push(u),
  });
  return { server, store, account, sink, updates, conn };
}
