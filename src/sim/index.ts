/**
 * wad's WhatsApp server simulator: `startSim(opts)` brings up the chat
 * WebSocket, the admin API and the HTTPS media endpoint on one port, with a
 * root key and certificate chain of its own, users whose primary phones are
 * simulated (src/sim/phone), and — with a data dir — a snapshot that
 * survives restarts. Used in-process by tests and `wad demo`, and by `wad sim`.
 *
 * src/sim imports only src/protocol (the pure core) and npm packages, never
 * the daemon's own code: agreement between the two then proves something.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, keyPairFromPrivate, type KeyPair } from '../protocol/crypto/index.js';
import { makeCertChain } from '../protocol/noise/index.js';
import type { AdminContext } from './admin.js';
import { SimError } from './errors.js';
import { Hub } from './hub.js';
import { DEFAULT_LIMITS, type SimLimits } from './limits.js';
import { MediaServer } from './media.js';
import { keyOf } from './offline.js';
import { Pairing } from './pairing.js';
import { decodeQueued, encodeQueued, loadSideFiles, loadSnapshot, Persister, type KeySnapshot, type SideFile, type SimSnapshot } from './persist.js';
import { PhoneBridge } from './phone-bridge.js';
import type { SimPhoneFactory } from './phone-host.js';
import { createSimPhone } from './phone/index.js';
import { CHAT_PATH, SimListener } from './server.js';
import { b64, unb64 } from './state.js';

export interface StartSimOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Where the snapshot and the media certificate live; a temp dir (removed on close) when absent. */
  dataDir?: string;
  limits?: Partial<SimLimits>;
  /** Default: src/sim/phone's createSimPhone. */
  phoneFactory?: SimPhoneFactory;
  /** One-line debug traces; silent when absent. */
  log?: (line: string) => void;
  /**
   * How the groups clients create are addressed: "pn" (default) or "lid",
   * as WhatsApp now makes new groups (members named by LID).
   */
  groupAddressingMode?: 'pn' | 'lid';
}

export interface SimHandle {
  wsUrl: string;
  adminUrl: string;
  mediaUrl: string;
  /** PEM file of the media endpoint's self-signed certificate. */
  mediaCaPath: string;
  /** The root key that signs the certificate chain, 64 hex chars (clients pin it). */
  rootPublicKey: string;
  /** The encoded CertChain sent in every ServerHello (for tests that verify it independently). */
  readonly certChain: Uint8Array;
  /** The simulator's state, for in-process tests. */
  readonly hub: Hub;
  close(): Promise<void>;
}

/** @throws Error when the port cannot be bound or the data dir's snapshot cannot be read */
export async function startSim(opts: StartSimOptions = {}): Promise<SimHandle> {
  const host = opts.host ?? '127.0.0.1';
  const limits: SimLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const factory = opts.phoneFactory ?? createSimPhone;
  const tempDir = opts.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'wad-sim-')) : undefined;
  const dataDir = opts.dataDir ?? tempDir!;
  const snap = opts.dataDir === undefined ? undefined : loadSnapshot(opts.dataDir);

  const keys = {
    root: snap ? restoreKey(snap.keys.root) : generateKeyPair(),
    intermediate: snap ? restoreKey(snap.keys.intermediate) : generateKeyPair(),
    noise: snap ? restoreKey(snap.keys.noise) : generateKeyPair(),
  };
  const nowSeconds = Math.floor(Date.now() / 1000);
  const certChain = makeCertChain({
    rootPrivateKey: keys.root.private,
    intermediateKeyPair: keys.intermediate,
    serverStaticPublic: keys.noise.public,
    notBefore: nowSeconds - 86_400,
    notAfter: nowSeconds + 365 * 86_400,
  });

  // Privacy tokens are keyed from the server's Noise key, so the ones handed out stay valid after a restart.
  const hub = new Hub(limits, Date.now, createHash('sha256').update('wad-sim-tctoken').update(keys.noise.private).digest());
  if (opts.groupAddressingMode) hub.groupAddressingMode = opts.groupAddressingMode;
  const pairing = new Pairing(hub);
  const persister =
    opts.dataDir === undefined
      ? undefined
      : new Persister(opts.dataDir, (): Omit<SimSnapshot, 'version'> => ({
          keys: { root: saveKey(keys.root), intermediate: saveKey(keys.intermediate), noise: saveKey(keys.noise) },
          users: hub.dir.snapshot(),
          prekeys: hub.prekeys.snapshot(),
          groups: hub.groups.snapshot(),
          newsletters: hub.newsletters.snapshot(),
          phones: Object.fromEntries([...hub.phones].map(([phone, p]) => [phone, p.snapshot()])),
          queues: Object.fromEntries(hub.queues.entries().map(([jid, items]) => [jid, items.map((i) => encodeQueued(i.node))])),
          appState: hub.appState.snapshot(),
        }), () => historyFiles(hub));

  if (snap) {
    hub.dir.restore(snap.users);
    hub.prekeys.restore(snap.prekeys);
    hub.groups.restore(snap.groups);
    if (snap.newsletters) hub.newsletters.restore(snap.newsletters);
    if (snap.appState) hub.appState.restore(snap.appState);
    for (const [jid, items] of Object.entries(snap.queues)) {
      for (const b of items) {
        const node = decodeQueued(b);
        hub.queues.enqueue(jid, { key: keyOf(node), node });
      }
    }
    const histories = loadSideFiles(opts.dataDir!);
    for (const user of hub.dir.users()) {
      hub.phones.set(user.phone, await factory(new PhoneBridge(hub, pairing, user), snap.phones[user.phone], histories.get(user.phone)));
    }
  }
  if (persister) hub.onChange = () => persister.markDirty();

  const admin: AdminContext = {
    hub,
    async createUser(phone, name) {
      const user = hub.dir.addUser(phone, name, hub.now());
      try {
        hub.phones.set(phone, await factory(new PhoneBridge(hub, pairing, user)));
      } catch (cause) {
        hub.dir.removeUser(phone);
        hub.prekeys.drop(user.jid);
        hub.appState.drop(phone);
        throw new SimError('BAD_REQUEST', `the phone of ${phone} did not start: ${(cause as Error).message}`, { cause });
      }
      hub.onChange();
      return { phone: user.phone, jid: user.jid, lid: user.lid };
    },
  };

  const media = await MediaServer.create({ host, certDir: dataDir, limits, stats: hub.stats, faults: hub.mediaFaults });
  hub.media = media;
  hub.blobs = media;
  const listener = await SimListener.listen({
    host,
    port: opts.port ?? 0,
    hub,
    pairing,
    media,
    admin,
    noiseKeyPair: keys.noise,
    certChain,
    ...(opts.log ? { log: opts.log } : {}),
  });
  const base = `${host}:${listener.port}`;
  let closed = false;
  return {
    wsUrl: `ws://${base}${CHAT_PATH}`,
    adminUrl: `http://${base}`,
    mediaUrl: `https://${base}`,
    mediaCaPath: media.caPath,
    rootPublicKey: Buffer.from(keys.root.public).toString('hex'),
    certChain,
    hub,
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      media.close();
      persister?.flush();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

/** Each phone's history, written beside the snapshot when it changed. */
function historyFiles(hub: Hub): SideFile[] {
  const files: SideFile[] = [];
  for (const [phone, p] of hub.phones) {
    const history = p.history;
    if (history) files.push({ name: phone, version: history.version, build: () => history.snapshot() });
  }
  return files;
}

function saveKey(k: KeyPair): KeySnapshot {
  return { public: b64(k.public)!, private: b64(k.private)! };
}

function restoreKey(k: KeySnapshot): KeyPair {
  return keyPairFromPrivate(unb64(k.private));
}

export { DEFAULT_LIMITS, type SimLimits } from './limits.js';
export { SimError, type SimErrorCode } from './errors.js';
export type { SimPhoneApi, SimPhoneFactory, PhoneHost } from './phone-host.js';
