/**
 * The world most two-sided end-to-end suites start from: one simulator, a
 * daemon on a control socket in a temp dir, our accounts linked over that
 * socket by a WadClient, and a Baileys 7 client linked by QR as the other
 * side — optionally with a socket subscription whose events are collected
 * (resolved once it is synced, so nothing after the setup is missed).
 * One world per file; close() takes it down in the reverse order.
 */
import type { TypedWadEvent } from '../../../src/contract/events.js';
import { WadClient, type SubscribeOptions } from '../../../src/client/index.js';
import type { Daemon } from '../../../src/daemon/index.js';
import type { SimHandle } from '../../../src/sim/index.js';
import { BaileysClient } from '../../sim/baileys-harness.js';
import { admin, daemonWithSocket, linkOverSocket } from '../../ipc/e2e-support.js';
import { sim as startSim, tempDir } from './daemon.js';

export interface BaileysWorldOptions {
  /** The temp dir's name prefix. */
  readonly prefix: string;
  /** Phones the simulator knows: ours, Baileys', and any others the suite talks to. */
  readonly phones: ReadonlyArray<{ readonly phone: string; readonly name: string }>;
  /** Our accounts, linked over the socket in this order. */
  readonly accounts: ReadonlyArray<{ readonly id: string; readonly phone: string }>;
  /** The Baileys companion, linked by QR after our accounts. */
  readonly baileys: { readonly id: string; readonly phone: string };
  /** Config overrides for the daemon (dotted keys). */
  readonly config?: Array<[string, unknown]>;
  /** A subscription opened after our accounts are linked and before Baileys is; its events go to `events`. */
  readonly subscribe?: SubscribeOptions;
}

export interface BaileysWorld {
  readonly sim: SimHandle;
  readonly dir: string;
  readonly daemon: Daemon;
  readonly wad: WadClient;
  readonly baileys: BaileysClient;
  /** What the subscription received so far (stays empty without one). */
  readonly events: TypedWadEvent[];
  close(): Promise<void>;
}

export async function baileysWorld(opts: BaileysWorldOptions): Promise<BaileysWorld> {
  const sim = await startSim();
  const dir = await tempDir(opts.prefix);
  let daemon: Daemon | undefined;
  let wad: WadClient | undefined;
  let baileys: BaileysClient | undefined;
  const close = async (): Promise<void> => {
    baileys?.kill();
    await wad?.close();
    await daemon?.stop();
    await sim.close();
    await dir.remove();
  };
  try {
    for (const p of opts.phones) await admin(sim, 'POST', '/phones', { phone: p.phone, name: p.name });
    daemon = await daemonWithSocket(sim, dir.path, opts.config ?? []);
    wad = await WadClient.connect({ socket: daemon.socketPath });
    for (const a of opts.accounts) await linkOverSocket(wad, sim, a.id, a.phone);
    const events: TypedWadEvent[] = [];
    if (opts.subscribe) {
      const stream = wad.subscribe(opts.subscribe);
      void (async () => {
        for await (const ev of stream) events.push(ev);
      })();
      await stream.synced;
    }
    baileys = new BaileysClient(sim, opts.baileys.id);
    await baileys.linkByQr(opts.baileys.phone);
    return { sim, dir: dir.path, daemon, wad, baileys, events, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

