// Differential against Baileys' own app state code (node_modules/baileys:
// encodeSyncdPatch, decodePatches, decodeSyncdSnapshot, chatModificationToAppPatch),
// on random sequences of actions, through the wire bytes:
// - Baileys reads, verifies (patch MAC, value MACs, index MACs, snapshot MAC)
//   and decrypts the patches we build, and holds the same LT-hash and value MACs;
// - we read the patches Baileys builds and agree with its state after each one;
// - a snapshot assembled by the key-less server view verifies in both.
import {
  proto as baileys,
  chatModificationToAppPatch,
  decodePatches as baileysDecodePatches,
  decodeSyncdSnapshot as baileysDecodeSnapshot,
  encodeSyncdPatch,
  newLTHashState,
} from 'baileys';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptPatch,
  actionMutations,
  buildPatch,
  byCollection,
  decodePatch,
  decodeSnapshot,
  emptyCollectionState,
  emptyServerCollection,
  expandAppStateKeys,
  Keyring,
  servedPatch,
  snapshotOf,
  type CollectionName,
  type CollectionState,
  type ServerCollection,
} from '../../../src/protocol/appstate/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { PLAIN } from '../proto/helpers.js';
import { action, CHATS, counterRandom, KEY, T_MS } from './arbitraries.js';

type BaileysState = ReturnType<typeof newLTHashState>;

const keyIdB64 = Buffer.from(KEY.keyId).toString('base64');
const getAppStateSyncKey = async (id: string) => (id === keyIdB64 ? { keyData: KEY.keyData, fingerprint: {}, timestamp: T_MS } : undefined);
const signingKey = { keyId: KEY.keyId, keys: expandAppStateKeys(KEY.keyData) };
const lookup = new Keyring([KEY]).lookup;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** Our indexValueMacs and Baileys' indexValueMap in one comparable form. */
const ourMacs = (s: CollectionState) => Object.fromEntries(Object.entries(s.indexValueMacs).map(([k, v]) => [k, hex(v)]));
const theirMacs = (s: BaileysState) =>
  Object.fromEntries(Object.entries(s.indexValueMap).map(([k, v]) => [k, hex((v as { valueMac: Uint8Array }).valueMac)]));

/** A logger that records Baileys' warnings (its snapshot MAC failures are warnings). */
function recordingLogger(warnings: unknown[]) {
  const silent = () => {};
  return { warn: (...args: unknown[]) => warnings.push(args), trace: silent, debug: silent, info: silent, error: silent, child: () => recordingLogger(warnings), level: 'warn' };
}

/** Our bytes → Baileys' decoder: the wire form, not our objects. */
const asBaileysPatch = (p: proto.ISyncdPatch) => baileys.SyncdPatch.decode(proto.SyncdPatch.encode(p).finish());

describe('Baileys reads the patches we build', () => {
  it('verifies and decrypts them, and holds the same LT-hash after each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 8 }), async (actions) => {
        const random = counterRandom();
        const ours = new Map<CollectionName, CollectionState>();
        const theirs = new Map<CollectionName, BaileysState>();
        for (const [i, a] of actions.entries()) {
          for (const [collection, mutations] of byCollection(actionMutations(a, T_MS + i))) {
            const built = buildPatch(collection, ours.get(collection) ?? emptyCollectionState(), signingKey, mutations, random);
            ours.set(collection, built.state);

            const warnings: unknown[] = [];
            const { state, mutationMap } = await baileysDecodePatches(
              collection, [asBaileysPatch(servedPatch(built.patch, built.state.version))], theirs.get(collection) ?? newLTHashState(),
              getAppStateSyncKey as never, {}, undefined, recordingLogger(warnings) as never, true,
            );
            theirs.set(collection, state);
            expect(warnings).toEqual([]);
            expect(state.version).toBe(built.state.version);
            expect(hex(state.hash)).toBe(hex(built.state.hash));
            expect(theirMacs(state)).toEqual(ourMacs(built.state));
            // What Baileys decrypted is what we encrypted (the last mutation of each index).
            for (const m of mutations) {
              const got = mutationMap[JSON.stringify(m.index)] as { syncAction: { value: unknown; version: number } } | undefined;
              const last = mutations.findLast((n) => JSON.stringify(n.index) === JSON.stringify(m.index));
              expect(got).toBeDefined();
              expect(baileys.SyncActionValue.toObject(got!.syncAction.value as never, PLAIN)).toEqual(
                proto.SyncActionValue.toObject(proto.SyncActionValue.fromObject(last!.value as Record<string, unknown>), PLAIN),
              );
              expect(got!.syncAction.version).toBe(last!.version);
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

/** Baileys' chat modifications, one per kind it builds. */
const modification = fc.oneof(
  fc.record({ mute: fc.oneof(fc.constant(null), fc.integer({ min: T_MS, max: T_MS + 1e9 })) }),
  fc.record({ archive: fc.boolean(), lastMessages: fc.constant([]) }),
  fc.record({ markRead: fc.boolean(), lastMessages: fc.constant([]) }),
  fc.record({ pin: fc.boolean() }),
  fc.record({ star: fc.record({ messages: fc.constant([{ id: '3EB0STAR0001', fromMe: true }]), star: fc.boolean() }) }),
  fc.record({ deleteForMe: fc.record({ key: fc.constant({ id: '3EB0DEL0001', fromMe: false }), timestamp: fc.constant(1_700_000_000), deleteMedia: fc.boolean() }) }),
  fc.record({ clear: fc.constant(true), lastMessages: fc.constant([]) }),
  fc.record({ delete: fc.constant(true), lastMessages: fc.constant([]) }),
  fc.record({ contact: fc.option(fc.record({ fullName: fc.string({ minLength: 1, maxLength: 12 }), firstName: fc.string({ maxLength: 6 }) }), { nil: undefined }) }),
  fc.record({ pushNameSetting: fc.string({ minLength: 1, maxLength: 12 }) }),
  fc.record({ addLabel: fc.record({ id: fc.constantFrom('1', '2'), name: fc.string({ maxLength: 10 }), color: fc.integer({ min: 0, max: 19 }), deleted: fc.boolean() }) }),
  fc.record({ addChatLabel: fc.record({ labelId: fc.constantFrom('1', '2') }) }),
  fc.record({ removeChatLabel: fc.record({ labelId: fc.constantFrom('1', '2') }) }),
);

describe('we read the patches Baileys builds', () => {
  it('decode them to its content and agree with its state after each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(modification, fc.constantFrom(...CHATS)), { minLength: 1, maxLength: 8 }), async (mods) => {
        const ours = new Map<string, CollectionState>();
        const theirs = new Map<string, BaileysState>();
        const servers = new Map<string, ServerCollection>();
        // Baileys' encodeSyncdPatch puts a REMOVEd index back in its own indexValueMap (its LT-hash
        // is right; only the map is wrong), so its map is compared without the indexes it removed.
        const removedByBaileys = new Set<string>();
        // A REMOVE of an index that holds no value (never set, or already removed) leaves an entry
        // in that map whose value MAC was never added; Baileys subtracts it at the next REMOVE or
        // SET of the index, so its own LT-hash (and the snapshot MAC it signs) goes wrong. Such a
        // REMOVE is left out: WhatsApp's clients remove only what is there.
        const liveIndexes = new Set<string>();
        for (const [mod, jid] of mods) {
          const appPatch = chatModificationToAppPatch(mod as never, jid);
          const collection = appPatch.type as CollectionName;
          const indexJson = JSON.stringify([collection, appPatch.index]);
          if (appPatch.operation === baileys.SyncdMutation.SyncdOperation.REMOVE) {
            if (!liveIndexes.has(indexJson)) continue;
            liveIndexes.delete(indexJson);
          } else liveIndexes.add(indexJson);
          const { patch, state } = await encodeSyncdPatch(appPatch, keyIdB64, theirs.get(collection) ?? newLTHashState(), getAppStateSyncKey as never);
          theirs.set(collection, state);
          const wire = baileys.SyncdPatch.encode({ ...patch, version: { version: state.version } }).finish();
          servers.set(collection, acceptPatch(servers.get(collection) ?? emptyServerCollection(), proto.SyncdPatch.decode(wire)));

          const result = decodePatch(collection, proto.SyncdPatch.decode(wire), ours.get(collection) ?? emptyCollectionState(), lookup);
          ours.set(collection, result.state);
          expect(result.state.version).toBe(state.version);
          expect(hex(result.state.hash)).toBe(hex(state.hash));
          const [m] = result.mutations;
          const indexKey = Buffer.from(m!.indexMac).toString('base64');
          if (m!.operation === 'remove') removedByBaileys.add(indexKey);
          else removedByBaileys.delete(indexKey);
          const theirLive = Object.fromEntries(Object.entries(theirMacs(state)).filter(([k]) => !removedByBaileys.has(k)));
          expect(ourMacs(result.state)).toEqual(theirLive);
          expect(result.mutations).toHaveLength(1);
          expect(m!.index).toEqual(appPatch.index);
          expect(m!.operation).toBe(appPatch.operation === baileys.SyncdMutation.SyncdOperation.REMOVE ? 'remove' : 'set');
          expect(m!.version).toBe(appPatch.apiVersion);
          expect(proto.SyncActionValue.toObject(m!.value, PLAIN)).toEqual(
            baileys.SyncActionValue.toObject(baileys.SyncActionValue.fromObject(appPatch.syncAction as Record<string, unknown>), PLAIN),
          );
        }

        // The server's snapshot of each collection verifies in both and gives the same state.
        for (const [collection, server] of servers) {
          const snapshot = snapshotOf(server)!;
          const mine = decodeSnapshot(collection as CollectionName, snapshot, lookup);
          expect(hex(mine.state.hash)).toBe(hex(ours.get(collection)!.hash));
          expect(ourMacs(mine.state)).toEqual(ourMacs(ours.get(collection)!));
          const warnings: unknown[] = [];
          const wire = baileys.SyncdSnapshot.decode(proto.SyncdSnapshot.encode(snapshot).finish());
          const { state } = await baileysDecodeSnapshot(collection as never, wire, getAppStateSyncKey as never, undefined, true, recordingLogger(warnings) as never);
          expect(warnings).toEqual([]);
          expect(hex(state.hash)).toBe(hex(mine.state.hash));
          expect(state.version).toBe(mine.state.version);
        }
      }),
      { numRuns: 40 },
    );
  });
});
