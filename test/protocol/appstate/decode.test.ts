// Properties of building and decoding: what we build decodes to what we put
// in, to the same state; the server's snapshot gives the state the patches
// gave; and the helpers around a sync (missing keys, latest per index).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptPatch,
  actionMutations,
  buildPatch,
  byCollection,
  decodePatches,
  decodeSnapshot,
  emptyCollectionState,
  emptyServerCollection,
  expandAppStateKeys,
  Keyring,
  latestByIndex,
  missingKeyIds,
  servedPatch,
  snapshotOf,
  type AppStateAction,
  type CollectionName,
  type CollectionState,
  type DecodedMutation,
  type ServerCollection,
} from '../../../src/protocol/appstate/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { PLAIN } from '../proto/helpers.js';
import { action, counterRandom, KEY, OTHER_KEY, T_MS } from './arbitraries.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const plain = (v: proto.ISyncActionValue) => proto.SyncActionValue.toObject(proto.SyncActionValue.fromObject(v as Record<string, unknown>), PLAIN);
const signing = { keyId: KEY.keyId, keys: expandAppStateKeys(KEY.keyData) };
const otherSigning = { keyId: OTHER_KEY.keyId, keys: expandAppStateKeys(OTHER_KEY.keyData) };

/** Writes the actions as a writer would, some patches under a second key (the phone rotated keys). */
function write(actions: readonly AppStateAction[], rotateAt = Infinity) {
  const random = counterRandom();
  const states = new Map<CollectionName, CollectionState>();
  const served = new Map<CollectionName, proto.ISyncdPatch[]>();
  const servers = new Map<CollectionName, ServerCollection>();
  const written: { collection: CollectionName; index: readonly string[]; operation: string; value: proto.ISyncActionValue; version: number }[] = [];
  actions.forEach((a, i) => {
    for (const [collection, mutations] of byCollection(actionMutations(a, T_MS + i))) {
      const built = buildPatch(collection, states.get(collection) ?? emptyCollectionState(), i >= rotateAt ? otherSigning : signing, mutations, random);
      states.set(collection, built.state);
      // Through the wire, as the server would hand it out.
      const patch = proto.SyncdPatch.decode(proto.SyncdPatch.encode(servedPatch(built.patch, built.state.version)).finish());
      served.set(collection, [...(served.get(collection) ?? []), patch]);
      servers.set(collection, acceptPatch(servers.get(collection) ?? emptyServerCollection(), patch));
      for (const m of mutations) written.push(m);
    }
  });
  return { states, served, servers, written };
}

describe('decoding what we build', () => {
  it('gives back every mutation and the writer\'s state, patch by patch and from a snapshot', () => {
    const both = new Keyring([KEY, OTHER_KEY]).lookup;
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 12 }), fc.nat(12), (actions, rotateAt) => {
        const { states, served, servers, written } = write(actions, rotateAt);
        for (const [collection, patches] of served) {
          const { state, mutations } = decodePatches(collection, patches, emptyCollectionState(), both);
          const writerState = states.get(collection)!;
          expect(state.version).toBe(writerState.version);
          expect(hex(state.hash)).toBe(hex(writerState.hash));
          expect(Object.keys(state.indexValueMacs).sort()).toEqual(Object.keys(writerState.indexValueMacs).sort());
          const expected = written.filter((w) => w.collection === collection);
          expect(mutations.map((m) => [m.operation, m.index, m.version, plain(m.value)])).toEqual(
            expected.map((w) => [w.operation, w.index, w.version, plain(w.value)]),
          );

          const snap = decodeSnapshot(collection, snapshotOf(servers.get(collection)!)!, both);
          expect(snap.state.version).toBe(writerState.version);
          expect(hex(snap.state.hash)).toBe(hex(writerState.hash));
          // The snapshot holds exactly the live records. Records are named by index MAC, and the
          // same index under a rotated key is another MAC, so compare by MAC; without rotation,
          // also by index: the last SET of every index not removed since.
          const macsOf = (ms: readonly DecodedMutation[]) => ms.map((m) => Buffer.from(m.indexMac).toString('base64')).sort();
          expect(macsOf(snap.mutations)).toEqual(Object.keys(writerState.indexValueMacs).sort());
          if (rotateAt >= actions.length) {
            const live = latestByIndex(mutations).filter((m) => m.operation === 'set');
            expect(snap.mutations.map((m) => JSON.stringify(m.index)).sort()).toEqual(live.map((m) => JSON.stringify(m.index)).sort());
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('decodes patches incrementally to the same state as all at once', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 2, maxLength: 10 }), fc.nat(), (actions, cut) => {
        const { served } = write(actions);
        const lookup = new Keyring([KEY]).lookup;
        for (const [collection, patches] of served) {
          const at = cut % (patches.length + 1);
          const first = decodePatches(collection, patches.slice(0, at), emptyCollectionState(), lookup);
          const rest = decodePatches(collection, patches.slice(at), first.state, lookup);
          const whole = decodePatches(collection, patches, emptyCollectionState(), lookup);
          expect(hex(rest.state.hash)).toBe(hex(whole.state.hash));
          expect(rest.state.version).toBe(whole.state.version);
          expect(first.mutations.length + rest.mutations.length).toBe(whole.mutations.length);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('leaves the state it was given untouched', () => {
    const { served } = write([{ type: 'pin', chat: '15550001111@s.whatsapp.net', pinned: true }, { type: 'pin', chat: '15550001111@s.whatsapp.net', pinned: false }]);
    const patches = served.get('regular_low')!;
    const lookup = new Keyring([KEY]).lookup;
    const after1 = decodePatches('regular_low', patches.slice(0, 1), emptyCollectionState(), lookup).state;
    const snapshotOfAfter1 = { version: after1.version, hash: hex(after1.hash), macs: Object.keys(after1.indexValueMacs) };
    decodePatches('regular_low', patches.slice(1), after1, lookup);
    expect({ version: after1.version, hash: hex(after1.hash), macs: Object.keys(after1.indexValueMacs) }).toEqual(snapshotOfAfter1);
  });
});

describe('around a sync', () => {
  it('lists the key ids a response names that we lack, once each', () => {
    const { served, servers } = write(
      [
        { type: 'pin', chat: '15550001111@s.whatsapp.net', pinned: true },
        { type: 'pin', chat: '15550002222@s.whatsapp.net', pinned: true },
        { type: 'pin', chat: '15550001111@s.whatsapp.net', pinned: false },
      ],
      1,
    );
    const patches = served.get('regular_low')!;
    const snapshot = snapshotOf(servers.get('regular_low')!);
    const holding = (...keys: (typeof KEY)[]) => {
      const ring = new Keyring(keys);
      return (id: Uint8Array) => ring.has(id);
    };
    expect(missingKeyIds(holding(KEY), snapshot, patches).map(hex)).toEqual([hex(OTHER_KEY.keyId)]);
    expect(missingKeyIds(holding(KEY, OTHER_KEY), snapshot, patches)).toEqual([]);
    // The snapshot's key (the last patch's) comes first, then the records', then the patches'.
    expect(missingKeyIds(holding(), snapshot, patches).map(hex)).toEqual([hex(OTHER_KEY.keyId), hex(KEY.keyId)]);
  });

  it('keeps the last mutation of each index, in order of last appearance', () => {
    const m = (index: string[], pinned: boolean) => ({ index, value: { pinAction: { pinned } } }) as unknown as DecodedMutation;
    const a1 = m(['pin_v1', 'a'], true);
    const b1 = m(['pin_v1', 'b'], true);
    const a2 = m(['pin_v1', 'a'], false);
    expect(latestByIndex([a1, b1, a2])).toEqual([b1, a2]);
    expect(latestByIndex([])).toEqual([]);
  });
});
