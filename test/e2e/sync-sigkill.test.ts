// kill -9 of a real daemon process in the middle of the syncs that follow a
// link, then a restart from the same data directory:
// - history sync: every chunk the phone sent is stored exactly once (one
//   history:sync event each, its messages once in the message store) and
//   the sync completes after the restart;
// - app state sync: each collection's stored version and LT-hash agree
//   with its stored records at the moment of the kill (they are written in
//   one batch), and after the restart they are the server's, with every
//   chat as the phone left it.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Driver, driverCommand, repoRoot } from '../../scripts/crash/daemon-process.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import { COLLECTIONS, emptyLtHash, ltHashSubtractThenAdd } from '../../src/protocol/appstate/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import type { HistorySendRecord, HistoryView } from '../../src/sim/phone-history.js';
import { Store } from '../../src/store/index.js';
import { admin, daemonFor, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';

let s: SimHandle;
let driver: { args: string[]; dispose(): Promise<void> };
const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = [];

beforeAll(async () => {
  s = await startSim();
  driver = await driverCommand();
}, 60_000);

afterAll(async () => {
  await s?.close();
  await driver?.dispose();
  for (const d of dirs) await d.remove();
});

/** A data directory with a config file the daemon process reads. */
async function dataDir(prefix: string): Promise<{ path: string; config: string }> {
  const dir = await tempDir(prefix);
  dirs.push(dir);
  const config = join(dir.path, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      dataDir: dir.path,
      server: { wsUrl: s.wsUrl, rootPublicKey: s.rootPublicKey, mediaCaPath: s.mediaCaPath },
      log: { level: 'silent' },
      connection: { connectTimeoutMs: 5000, backoff: { initialMs: 100, maxMs: 1000, jitter: 0.1 } },
      accounts: { restart: { maxRestarts: 5, withinMs: 60000, delayMs: 0 } },
    }),
  );
  return { path: dir.path, config };
}

function spawnDaemon(config: string): Driver {
  return new Driver(spawn(process.execPath, [...driver.args, config, join(repoRoot, 'config', 'default.json')], { stdio: ['pipe', 'pipe', 'pipe'], cwd: repoRoot }));
}

async function allEvents(d: Daemon, account: string): Promise<WadEvent[]> {
  const out: WadEvent[] = [];
  for (let from = 0; ; ) {
    const page = await d.readEvents(account, from, 1000);
    out.push(...page);
    if (page.length < 1000) return out;
    from = page.at(-1)!.seq + 1;
  }
}

describe('kill -9 during history sync', () => {
  const PHONE = '15550017201';

  it('completes after the restart: every chunk stored once, none lost', async () => {
    const dir = await dataDir('wad-e2e-kill-history-');
    await admin(s, 'POST', '/phones', { phone: PHONE, name: 'Seventeen' });
    await admin(s, 'POST', `/phones/${PHONE}/history`, { generate: { chats: 12, messages: 2400, textBytes: 40 } });
    // Small chunks: many of them, each receipted before the phone sends the next.
    await admin(s, 'POST', `/phones/${PHONE}/history/policy`, { chunkBytes: 4096 });
    const child = spawnDaemon(dir.config);
    let jid = '';
    try {
      await child.wait('ready', (l) => l.event === 'ready');
      child.send({ cmd: 'add', id: 'wad' });
      const { qr } = await child.wait('a QR', (l) => l.event === 'update' && typeof l.qr === 'string');
      await admin(s, 'POST', `/phones/${PHONE}/link`, { qr });
      jid = (await child.wait('online', (l) => l.event === 'update' && l.state === 'online' && typeof l.jid === 'string', 30_000)).jid!;
      await child.wait('three chunks stored', () => child.lines.filter((l) => l.event === 'history').length >= 3, 60_000);
    } finally {
      await child.kill();
    }
    const storedBeforeKill = child.lines.filter((l) => l.event === 'history');
    // Killed in the middle: the last recent chunk had not been stored.
    expect(storedBeforeKill.some((l) => l.type === 'RECENT' && l.progress === 100)).toBe(false);

    const d = await daemonFor(s, dir.path, []);
    try {
      const events = await until(
        'the recent sync complete after the restart',
        async () => {
          const all = (await allEvents(d, 'wad')).filter((e) => e.type === 'history:sync');
          return all.some((e) => e.data.type === 'RECENT' && e.data.progress === 100) && all;
        },
        90_000,
      );
      const me = jid.replace(/:\d+@/, '@').split('@')[0]!;
      const sends = await until('every chunk receipted', async () => {
        const list = (await admin<HistorySendRecord[]>(s, 'GET', `/phones/${PHONE}/history/sends`)).filter((x) => x.device.startsWith(`${me}:`));
        return list.length > 0 && list.every((x) => x.receiptAt !== undefined) && list;
      });
      // One history:sync event per chunk the phone sent (none lost, none stored twice), in the phone's order.
      expect(events.map((e) => [e.data.type, e.data.messages])).toEqual(sends.map((x) => [x.syncType, x.messages]));
      expect(events.length).toBeGreaterThan(storedBeforeKill.length);

      // The message store holds each chat's messages once: as many as the phone sent for it.
      const view = await admin<HistoryView>(s, 'GET', `/phones/${PHONE}/history`);
      const sent = sends.reduce((n, x) => n + x.messages, 0);
      let stored = 0;
      for (const chat of view.chats) {
        const ids = new Set<string>();
        let before: string | undefined;
        for (;;) {
          const page = await d.listMessages('wad', chat.jid, { limit: 1000, ...(before ? { before } : {}) });
          for (const m of page) ids.add(m.id);
          if (page.length < 1000) break;
          before = page.at(-1)!.id;
        }
        stored += ids.size;
      }
      expect(stored).toBe(sent);
      expect(sent).toBe(2400);
      // History is never replayed as new messages.
      expect((await allEvents(d, 'wad')).filter((e) => e.type === 'message:new')).toEqual([]);
    } finally {
      await d.stop();
    }
  }, 180_000);
});

describe('kill -9 during app state sync', () => {
  const PHONE = '15550016201';
  const chat = (i: number) => `1555001630${String(i).padStart(2, '0')}@s.whatsapp.net`;
  const N = 40;

  interface View {
    collections: Record<string, { server: { version: number; hash: string } }>;
  }

  it('leaves each collection’s version and LT-hash consistent with its records, and catches up after the restart', async () => {
    const dir = await dataDir('wad-e2e-kill-appstate-');
    await admin(s, 'POST', '/phones', { phone: PHONE, name: 'Sixteen' });
    const first = await daemonFor(s, dir.path, []);
    await linkByQr(s, first, 'wad', PHONE);
    await until('key and first sync', async () => (await first.store.account('wad').then((st) => st.appState.listSyncKeys())).length > 0 && first.accountStatus('wad').name === 'Sixteen');
    await first.stop();

    // While the daemon is down the person archives, mutes and names 40 chats: three collections, each ~40 versions ahead.
    for (let i = 0; i < N; i++) {
      await admin(s, 'POST', `/phones/${PHONE}/app-state`, { action: 'archive', chat: chat(i) });
      await admin(s, 'POST', `/phones/${PHONE}/app-state`, { action: 'mute', chat: chat(i), until: -1 });
      await admin(s, 'POST', `/phones/${PHONE}/app-state`, { action: 'contact', jid: chat(i), fullName: `Person ${i}` });
    }
    // Every stanza to the account waits, so the sync's rounds (20 patches an answer) are spread out and a kill lands between them.
    await admin(s, 'POST', '/faults', { kind: 'delay', phone: PHONE, ms: 150 });
    const served = () => s.hub.appState.counts.patchesServed;
    const before = served();
    const child = spawnDaemon(dir.config);
    try {
      await child.wait('ready', (l) => l.event === 'ready');
      await until('the sync under way', () => served() > before, 60_000);
    } finally {
      await child.kill();
      await admin(s, 'POST', '/faults', { kind: 'delay', phone: PHONE, ms: 0 });
    }

    const server = (await admin<View>(s, 'GET', `/phones/${PHONE}/app-state`)).collections;
    const store = await Store.open(dir.path);
    let behind = 0;
    try {
      const acc = await store.account('wad');
      for (const name of COLLECTIONS) {
        const v = await acc.appState.getVersion(name);
        if (!v) continue;
        // The hash is the sum of the records' value MACs: a version written without its records (or the reverse) breaks it.
        const recomputed = ltHashSubtractThenAdd(emptyLtHash(), [], Object.values(v.indexValueMacs));
        expect(Buffer.from(v.hash).toString('hex'), name).toBe(Buffer.from(recomputed).toString('hex'));
        expect(v.version).toBeLessThanOrEqual(server[name]!.server.version);
        if (v.version < server[name]!.server.version) behind++;
      }
    } finally {
      await store.close();
    }
    // Killed in the middle: some collection was still behind.
    expect(behind).toBeGreaterThan(0);

    const d = await daemonFor(s, dir.path, []);
    try {
      await until(
        'our collections at the server’s versions and hashes',
        async () => {
          const acc = await d.store.account('wad');
          for (const name of COLLECTIONS) {
            const want = server[name]!.server;
            if (want.version === 0) continue;
            const v = await acc.appState.getVersion(name);
            if (!v || v.version !== want.version || Buffer.from(v.hash).toString('base64') !== want.hash) return false;
          }
          return true;
        },
        60_000,
      );
      const chats = new Map((await d.listChats('wad', {})).map((c) => [c.jid, c]));
      const contacts = new Map((await d.listContacts('wad')).map((c) => [c.jid, c]));
      for (let i = 0; i < N; i++) {
        expect(chats.get(chat(i)), chat(i)).toMatchObject({ archived: true, mutedUntil: -1 });
        expect(contacts.get(chat(i))?.name).toBe(`Person ${i}`);
      }
    } finally {
      await d.stop();
    }
  }, 180_000);
});
