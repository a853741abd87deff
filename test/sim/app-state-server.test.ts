// The server side of app state sync, driven by devices written on our
// protocol core through the same entry the IQ handler uses: versions,
// 409 with the missed patches, paging, snapshots (as media blobs), pruning,
// bounds, server_sync to the other devices, and persistence.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLLECTIONS, decodeSnapshot, Keyring, type AppStateAction } from '../../src/protocol/appstate/index.js';
import type { CollectionRequest } from '../../src/protocol/iq/app-state.js';
import { proto } from '../../src/protocol/proto/index.js';
import { AppStateStore, type Served } from '../../src/sim/app-state/store.js';
import { fetchSnapshot } from '../../src/sim/app-state/snapshot-blob.js';
import type { BlobStore } from '../../src/sim/hub.js';
import { syncCollections } from '../../src/sim/iq/app-state.js';
import { DEFAULT_LIMITS, type SimLimits } from '../../src/sim/limits.js';
import { action, KEY, T_MS } from '../protocol/appstate/arbitraries.js';
import { AppStateDevice } from './app-state-device.js';
import { addUser, makeHub, online } from './support.js';

const PHONE = '15550001111';
const CHAT = '15550002222@s.whatsapp.net';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** An answer as bytes, for comparing answers whatever object types they were built from. */
const wire = (s: Served) => ({
  ...s,
  patches: s.patches.map((p) => hex(proto.SyncdPatch.encode(p).finish())),
  snapshot: s.snapshot && hex(proto.SyncdSnapshot.encode(s.snapshot).finish()),
});

class MemoryBlobs implements BlobStore {
  readonly blobs = new Map<string, Uint8Array>();
  putBlob(type: string, bytes: Uint8Array): string {
    const path = `/v/t62/${type}/${this.blobs.size.toString(16).padStart(32, '0')}.enc?ccb=sim`;
    this.blobs.set(path, bytes);
    return path;
  }
  getBlob(path: string): Uint8Array | undefined {
    return this.blobs.get(path);
  }
}

function world(limits: Partial<SimLimits> = {}) {
  const hub = makeHub(limits);
  const blobs = new MemoryBlobs();
  hub.blobs = blobs;
  const user = addUser(hub, PHONE, 2);
  const device = (id: number) =>
    new AppStateDevice((reqs: CollectionRequest[]) => syncCollections(hub, `${PHONE}:${id}@s.whatsapp.net`, reqs), KEY, (ref) => fetchSnapshot(blobs, ref));
  return { hub, user, blobs, a: device(1), b: device(2) };
}

const archive = (n: number): AppStateAction => ({ type: 'archive', chat: `1555000${String(n).padStart(4, '0')}@s.whatsapp.net`, archived: n % 2 === 0 });

describe('app state on the server', () => {
  it('takes a patch that follows its version, and hands it to the next reader', async () => {
    const { hub, a, b } = world();
    expect(await a.write({ type: 'pin', chat: CHAT, pinned: true }, T_MS)).toEqual({ regular_low: 1 });
    expect(hub.appState.version(PHONE, 'regular_low')).toBe(1);
    await b.pull('regular_low', { snapshot: false });
    expect(b.state('regular_low').version).toBe(1);
    expect(hex(b.state('regular_low').hash)).toBe(hex(a.state('regular_low').hash));
    expect(b.applied.map((m) => m.index)).toEqual([['pin_v1', CHAT]]);
    expect(hex(hub.appState.view(PHONE, 'regular_low').hash)).toBe(hex(a.state('regular_low').hash));
  });

  it('answers a patch on an old version with 409 and the patches it missed; the writer rebuilds and gets in', async () => {
    const { hub, a, b } = world();
    await a.write({ type: 'mute', chat: CHAT, until: -1 }, T_MS);
    await a.write({ type: 'star', chat: CHAT, message: { id: 'M1', fromMe: true }, starred: true }, T_MS);
    // b never pulled: its patch follows version 0.
    expect(await b.write({ type: 'deleteForMe', chat: CHAT, message: { id: 'M2', fromMe: false }, deleteMedia: false }, T_MS)).toEqual({ regular_high: 3 });
    expect(b.conflicts).toBe(1);
    expect(b.applied.map((m) => m.index[0])).toEqual(['mute', 'star']);
    expect(hub.appState.counts.conflicts).toBe(1);
    await a.pull('regular_high');
    expect(hex(a.state('regular_high').hash)).toBe(hex(b.state('regular_high').hash));
    expect(hex(hub.appState.view(PHONE, 'regular_high').hash)).toBe(hex(b.state('regular_high').hash));
  });

  it('pages long answers with has_more_patches, and sends a snapshot to a reader too far behind', async () => {
    const { hub, a } = world({ maxAppStatePatchesPerAnswer: 3, appStateSnapshotAfter: 8 });
    for (let i = 0; i < 7; i++) await a.write(archive(i), T_MS + i);
    const version = hub.appState.version(PHONE, 'regular_low');
    const paged = syncCollections(hub, `${PHONE}:2@s.whatsapp.net`, [{ name: 'regular_low', version: 0, snapshot: false }])[0]!;
    expect([paged.patches.length, paged.hasMorePatches, paged.version]).toEqual([3, true, 3]);
    const late = new AppStateDevice((reqs) => syncCollections(hub, `${PHONE}:2@s.whatsapp.net`, reqs), KEY, (ref) => fetchSnapshot(hub.blobs!, ref));
    await late.pull('regular_low', { snapshot: false });
    expect([late.state('regular_low').version, late.snapshots]).toEqual([version, 0]);
    expect(hex(late.state('regular_low').hash)).toBe(hex(a.state('regular_low').hash));
    for (let i = 7; i < 20; i++) await a.write(archive(i), T_MS + i);
    const far = syncCollections(hub, `${PHONE}:2@s.whatsapp.net`, [{ name: 'regular_low', version, snapshot: false }])[0]!;
    expect(far.patches).toEqual([]);
    expect(far.snapshot?.directPath).toMatch(/^\/v\/t62\/md-app-state\//);
    await late.apply('regular_low', far);
    expect(late.snapshots).toBe(1);
    expect(hex(late.state('regular_low').hash)).toBe(hex(a.state('regular_low').hash));
  });

  it('keeps a bounded number of patches; a reader behind the oldest, or ahead of the server, gets a snapshot', async () => {
    const { hub, a, blobs } = world({ maxAppStatePatchesKept: 4, appStateSnapshotAfter: 100 });
    for (let i = 0; i < 10; i++) await a.write(archive(i), T_MS + i);
    expect(hub.appState.view(PHONE, 'regular_low').patchesKept).toBe(4);
    const from = (version: number) => syncCollections(hub, `${PHONE}:2@s.whatsapp.net`, [{ name: 'regular_low', version, snapshot: false }])[0]!;
    expect(from(6).patches.map((p) => p.version?.version)).toEqual([7, 8, 9, 10]);
    for (const version of [5, 0, 11]) {
      const answer = from(version);
      expect(answer.patches).toEqual([]);
      const { state } = decodeSnapshot('regular_low', fetchSnapshot(blobs, answer.snapshot!), new Keyring([KEY]).lookup);
      expect([state.version, hex(state.hash)]).toEqual([10, hex(a.state('regular_low').hash)]);
    }
  });

  it('tells the user’s other devices, and only them, with one server_sync per collection', async () => {
    const { hub, user, a } = world();
    const writer = online(hub, user, 1);
    const other = online(hub, user, 2);
    await new Promise((r) => setTimeout(r, 20)); // the offline pass of a fresh login ends
    await a.write({ type: 'archive', chat: CHAT, archived: true }, T_MS);
    const notes = other.of('notification').filter((n) => n.attrs.type === 'server_sync');
    expect(notes.map((n) => (n.content as Array<{ attrs: Record<string, string> }>).map((c) => c.attrs))).toEqual([[{ name: 'regular_low', version: '1' }]]);
    expect(notes[0]!.attrs.from).toBe('s.whatsapp.net');
    expect(writer.of('notification')).toEqual([]);
  });

  it('refuses bad patches, unknown collections and writes past its bounds, changing nothing', async () => {
    const { hub, a } = world({ maxAppStateRecords: 2 });
    const dev = `${PHONE}:1@s.whatsapp.net`;
    const [garbage] = syncCollections(hub, dev, [{ name: 'regular', version: 0, snapshot: false, patch: Uint8Array.of(0xff, 0xff) }]);
    expect(garbage!.error?.code).toBe(400);
    const [noMacs] = syncCollections(hub, dev, [{ name: 'regular', version: 0, snapshot: false, patch: new Uint8Array(0) }]);
    expect(noMacs!.error?.code).toBe(400);
    const [unknown] = syncCollections(hub, dev, [{ name: 'critical_everything', version: 0, snapshot: false }]);
    expect(unknown!.error?.code).toBe(404);
    await a.write(archive(0), T_MS);
    await expect(a.write(archive(1), T_MS)).rejects.toThrow(/413/); // a third record
    expect(hub.appState.version(PHONE, 'regular_low')).toBe(1);
    const tight = world({ maxAppStateBytes: 300 });
    await expect(tight.a.write(archive(2), T_MS)).rejects.toThrow(/507/);
    expect(tight.hub.appState.counts).toMatchObject({ refused: 1, patchesAccepted: 0 });
  });

  it('comes back from its snapshot serving the same patches and snapshots', async () => {
    const { hub, a, blobs } = world({ maxAppStatePatchesKept: 3 });
    for (let i = 0; i < 5; i++) await a.write(archive(i), T_MS + i);
    await a.write({ type: 'pushName', name: 'Alice' }, T_MS);
    const restored = new AppStateStore({ ...DEFAULT_LIMITS, maxAppStatePatchesKept: 3 });
    restored.restore(JSON.parse(JSON.stringify(hub.appState.snapshot())));
    for (const name of COLLECTIONS) {
      expect(restored.view(PHONE, name)).toEqual(hub.appState.view(PHONE, name));
      expect(wire(restored.fetch(PHONE, name, 3, false))).toEqual(wire(hub.appState.fetch(PHONE, name, 3, false)));
    }
    const snap = restored.fetch(PHONE, 'regular_low', 0, true).snapshot!;
    const { state } = decodeSnapshot('regular_low', snap, new Keyring([KEY]).lookup);
    expect(hex(state.hash)).toBe(hex(a.state('regular_low').hash));
    expect(blobs.blobs.size).toBe(0); // a store's own fetch makes no blob; the IQ answer does
  });
});

describe('app state on the server, property', () => {
  it('two devices writing at will, each rebuilding after a 409, end with the server’s state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), action), { minLength: 1, maxLength: 14 }), async (writes) => {
        const { hub, a, b } = world({ maxAppStatePatchesPerAnswer: 2, appStateSnapshotAfter: 4, maxAppStatePatchesKept: 5 });
        for (const [byA, act] of writes) await (byA ? a : b).write(act, T_MS);
        for (const name of COLLECTIONS) {
          if (hub.appState.version(PHONE, name) === 0) continue;
          await a.pull(name, { snapshot: false });
          await b.pull(name, { snapshot: false });
          const server = hub.appState.view(PHONE, name);
          expect([a.state(name).version, hex(a.state(name).hash)]).toEqual([server.version, hex(server.hash)]);
          expect([b.state(name).version, hex(b.state(name).hash)]).toEqual([server.version, hex(server.hash)]);
        }
      }),
      { numRuns: 40 },
    );
  });
});
