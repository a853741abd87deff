/**
 * End-to-end support: a simulator and daemons in this process, a config
 * pointing one at the other, and waits on connection states.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configForSimulator, type Config } from '../../../src/config/index.js';
import { createDaemon, type Daemon, type DaemonOptions } from '../../../src/daemon/index.js';
import type { WadEvent } from '../../../src/contract/api.js';
import { startSim, type SimHandle, type StartSimOptions } from '../../../src/sim/index.js';

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export function simConfig(sim: SimHandle, dataDir: string, over: Array<[string, unknown]> = []): Config {
  return configForSimulator(sim, dataDir, 'test', [
    ['connection.connectTimeoutMs', 5000],
    ['connection.backoff.initialMs', 100],
    ['connection.backoff.jitter', 0.1],
    ['accounts.restart.delayMs', 0],
    // Tests send bursts; pacing itself is tested in test/account/messaging/pacer.test.ts and messaging-daemon.test.ts.
    ['accounts.sendRate', { perSecond: 10_000, burst: 10_000 }],
    ...over,
  ]);
}

export const quiet = pino({ level: process.env.WAD_TEST_LOG ?? 'silent' });

export async function daemonFor(sim: SimHandle, dataDir: string, over: Array<[string, unknown]> = [], opts: DaemonOptions = {}): Promise<Daemon> {
  return createDaemon(simConfig(sim, dataDir, over), { logger: quiet, ipc: false, pool: { threads: 1, inline: 'all' }, ...opts });
}

export async function sim(opts: StartSimOptions = {}): Promise<SimHandle> {
  return startSim(opts);
}

/** Collects the daemon's live events. */
export function recorder(d: Daemon): { events: WadEvent[]; states(account: string): string[]; stop(): void } {
  const events: WadEvent[] = [];
  const stop = d.onEvent((e) => events.push(e));
  return {
    events,
    states: (account) => events.filter((e) => e.account === account && e.type === 'connection:update').map((e) => String(e.data.state)),
    stop,
  };
}

export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function admin<T = unknown>(s: SimHandle, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${s.adminUrl}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Resolves at the next published event of `id` that satisfies `pred` (events publish after their commit). */
export function nextEvent(d: Daemon, id: string, pred: (e: WadEvent) => boolean, timeoutMs = 15_000): Promise<WadEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for an event of ${id}`));
    }, timeoutMs);
    const off = d.onEvent((e) => {
      if (e.account !== id || !pred(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

const isOnline = (e: WadEvent) => e.type === 'connection:update' && e.data.state === 'online';

/** Links an account by QR through the simulated phone; resolves when it is online (event published). */
export async function linkByQr(s: SimHandle, d: Daemon, id: string, phone: string): Promise<void> {
  const online = nextEvent(d, id, isOnline);
  const qrEvent = new Promise<string>((resolve) => {
    const off = d.onEvent((e) => {
      if (e.account === id && e.type === 'connection:update' && e.data.state === 'qr' && typeof e.data.qr === 'string') {
        off();
        resolve(e.data.qr);
      }
    });
  });
  await d.addAccount(id, {});
  const qr = await qrEvent;
  await admin(s, 'POST', `/phones/${phone}/link`, { qr });
  await online;
}

export async function linkByCode(s: SimHandle, d: Daemon, id: string, phone: string): Promise<void> {
  const online = nextEvent(d, id, isOnline);
  const { pairCode } = await d.addAccount(id, { phone });
  await admin(s, 'POST', `/phones/${phone}/link-code`, { code: pairCode });
  await online;
}
