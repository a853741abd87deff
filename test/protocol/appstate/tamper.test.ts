// Anti-tampering: any change to a patch or snapshot on the way is refused with
// the code that says what failed, nothing is returned, and the state the
// caller holds is left as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptPatch,
  actionMutations,
  AppStateError,
  buildPatch,
  decodePatch,
  decodeSnapshot,
  emptyCollectionState,
  emptyServerCollection,
  expandAppStateKeys,
  Keyring,
  servedPatch,
  snapshotOf,
  type AppStateErrorCode,
  type CollectionState,
} from '../../../src/protocol/appstate/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { counterRandom, KEY, OTHER_KEY, T_MS } from './arbitraries.js';

const CHAT = '15550001111@s.whatsapp.net';
const signing = { keyId: KEY.keyId, keys: expandAppStateKeys(KEY.keyData) };
const lookup = new Keyring([KEY, OTHER_KEY]).lookup;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const copy = (p: proto.ISyncdPatch) => proto.SyncdPatch.decode(proto.SyncdPatch.encode(p).finish());
const copySnapshot = (s: proto.ISyncdSnapshot) => proto.SyncdSnapshot.decode(proto.SyncdSnapshot.encode(s).finish());
const flip = (b: Uint8Array, at: number) => {
  b[at % b.length]! ^= 1 << (at % 8);
};

function codeOf(fn: () => unknown): AppStateErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (e instanceof AppStateError) return e.code;
    throw e;
  }
}

/** A regular_high collection at version 1 (one mute), and a served v2 patch of 1 to 3 mutations. */
function scenario(count: number) {
  const random = counterRandom();
  const first = buildPatch('regular_high', emptyCollectionState(), signing, actionMutations({ type: 'mute', chat: CHAT, until: -1 }, T_MS), random);
  const mutations = [
    ...actionMutations({ type: 'mute', chat: CHAT, until: null }, T_MS + 1),
    ...actionMutations({ type: 'star', chat: CHAT, message: { id: 'M1', fromMe: true }, starred: true }, T_MS + 1),
    ...actionMutations({ type: 'deleteChat', chat: '15550002222@s.whatsapp.net', deleteMedia: false }, T_MS + 1),
  ].slice(0, count);
  const second = buildPatch('regular_high', first.state, signing, mutations, random);
  return { state: first.state, patch: copy(servedPatch(second.patch, 2)), expected: second.state };
}

type Tamper = (p: proto.ISyncdPatch, at: number) => void;
const record = (p: proto.ISyncdPatch, at: number) => p.mutations![at % p.mutations!.length]!.record!;

const TAMPERS: Record<string, [Tamper, AppStateErrorCode]> = {
  'a bit of the patch MAC': [(p, at) => flip(p.patchMac!, at), 'BAD_PATCH_MAC'],
  'a bit of the snapshot MAC': [(p, at) => flip(p.snapshotMac!, at), 'BAD_PATCH_MAC'],
  'a bit of a value MAC': [(p, at) => flip(record(p, at).value!.blob!.subarray(-32), at), 'BAD_PATCH_MAC'],
  'a bit of an IV or ciphertext': [(p, at) => flip(record(p, at).value!.blob!.subarray(0, -32), at), 'BAD_VALUE_MAC'],
  'a bit of an index MAC': [(p, at) => flip(record(p, at).index!.blob!, at), 'BAD_INDEX_MAC'],
  'SET turned into REMOVE': [(p, at) => void (p.mutations![at % p.mutations!.length]!.operation = proto.SyncdMutation.SyncdOperation.REMOVE), 'BAD_VALUE_MAC'],
  'a record moved to another key': [(p, at) => void (record(p, at).keyId = { id: OTHER_KEY.keyId }), 'BAD_VALUE_MAC'],
  'a record moved to an unknown key': [(p, at) => void (record(p, at).keyId = { id: new Uint8Array([9, 9, 9]) }), 'MISSING_KEY'],
  'the patch moved to an unknown key': [(p) => void (p.keyId = { id: new Uint8Array([9, 9, 9]) }), 'MISSING_KEY'],
  'a mutation dropped': [(p, at) => void p.mutations!.splice(at % p.mutations!.length, 1), 'BAD_PATCH_MAC'],
  'the version changed': [(p, at) => void (p.version = { version: at % 2 === 0 ? 1 : 3 }), 'VERSION_MISMATCH'],
  'the value cut short': [(p, at) => void (record(p, at).value!.blob = record(p, at).value!.blob!.subarray(0, 40)), 'BAD_RECORD'],
};

describe('a tampered patch', () => {
  it.each(Object.entries(TAMPERS))('%s is refused', (_name, [tamper, code]) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.nat(), (count, at) => {
        const { state, patch, expected } = scenario(count);
        expect(hex(decodePatch('regular_high', copy(patch), state, lookup).state.hash)).toBe(hex(expected.hash));
        const before = hex(state.hash);
        tamper(patch, at);
        expect(codeOf(() => decodePatch('regular_high', patch, state, lookup))).toBe(code);
        expect(hex(state.hash)).toBe(before);
      }),
      { numRuns: 25 },
    );
  });

  it('under another collection name fails its patch MAC', () => {
    const { state, patch } = scenario(2);
    expect(codeOf(() => decodePatch('regular_low', patch, state, lookup))).toBe('BAD_PATCH_MAC');
  });

  it('with its mutations swapped fails its patch MAC', () => {
    const { state, patch } = scenario(3);
    patch.mutations!.reverse();
    expect(codeOf(() => decodePatch('regular_high', patch, state, lookup))).toBe('BAD_PATCH_MAC');
  });

  it('without its external mutations downloaded is refused', () => {
    const { state, patch } = scenario(1);
    patch.externalMutations = { directPath: '/v/t62/x', mediaKey: new Uint8Array(32) };
    patch.mutations = [];
    expect(codeOf(() => decodePatch('regular_high', patch, state, lookup))).toBe('BAD_PATCH');
  });

  it('names its collection, version and key in the error', () => {
    const { state, patch } = scenario(1);
    patch.keyId = { id: new Uint8Array([1, 2, 3]) };
    const err = (() => {
      try {
        decodePatch('regular_high', patch, state, lookup);
      } catch (e) {
        return e as AppStateError;
      }
      throw new Error('decoded');
    })();
    expect([err.code, err.collection, err.version, hex(err.keyId!)]).toEqual(['MISSING_KEY', 'regular_high', 2, '010203']);
  });
});

describe('a collection that diverged from the writer\'s', () => {
  const OTHER = '15550002222@s.whatsapp.net';
  const mute = (chat: string, until: number | null) => actionMutations({ type: 'mute', chat, until }, T_MS);

  /** Two chains to version 2: the writer's holds mutes of CHAT and OTHER; ours, of a third chat only. */
  function chains() {
    const random = counterRandom();
    const w1 = buildPatch('regular_high', emptyCollectionState(), signing, mute(CHAT, -1), random);
    const w2 = buildPatch('regular_high', w1.state, signing, mute(OTHER, -1), random);
    const o1 = buildPatch('regular_high', emptyCollectionState(), signing, mute('120363025246125888@g.us', -1), random);
    const o2 = buildPatch('regular_high', o1.state, signing, mute('120363025246125888@g.us', 5), random);
    return { writer: w2.state, ours: o2.state, random };
  }

  function failure(patch: proto.ISyncdPatch, state: CollectionState): AppStateError | undefined {
    try {
      decodePatch('regular_high', patch, state, lookup);
    } catch (e) {
      return e as AppStateError;
    }
    return undefined;
  }

  it('fails the snapshot MAC of the next patch', () => {
    const { writer, ours, random } = chains();
    const next = copy(servedPatch(buildPatch('regular_high', writer, signing, mute(CHAT, null), random).patch, 3));
    expect(hex(decodePatch('regular_high', next, writer, lookup).state.hash)).not.toBe(hex(writer.hash));
    const err = failure(next, ours);
    expect([err?.code, err?.missingRemoves]).toEqual(['BAD_SNAPSHOT_MAC', 0]);
  });

  it('counts the REMOVEs of records we never had', () => {
    const { writer, ours, random } = chains();
    const remove = { ...mute(CHAT, null)[0]!, operation: 'remove' as const };
    const next = copy(servedPatch(buildPatch('regular_high', writer, signing, [remove], random).patch, 3));
    const err = failure(next, ours);
    expect([err?.code, err?.missingRemoves]).toEqual(['BAD_SNAPSHOT_MAC', 1]);
  });

  it('is not detected while the sets agree: a REMOVE of what neither side has is harmless', () => {
    const random = counterRandom();
    const set = buildPatch('regular_high', emptyCollectionState(), signing, mute(CHAT, -1), random);
    const remove = { ...mute(CHAT, null)[0]!, operation: 'remove' as const };
    const removal = copy(servedPatch(buildPatch('regular_high', set.state, signing, [remove], random).patch, 2));
    // Our copy never saw the mute; after the writer removes it both collections are empty.
    const lagging: CollectionState = { ...emptyCollectionState(), version: 1 };
    expect(hex(decodePatch('regular_high', removal, lagging, lookup).state.hash)).toBe('00'.repeat(128));
    expect(hex(decodePatch('regular_high', removal, set.state, lookup).state.hash)).toBe('00'.repeat(128));
  });
});

describe('a tampered snapshot', () => {
  const random = counterRandom();
  let server = emptyServerCollection();
  let state = emptyCollectionState();
  for (const [i, chat] of ['15550001111@s.whatsapp.net', '15550002222@s.whatsapp.net', '120363025246125888@g.us'].entries()) {
    const built = buildPatch('regular_low', state, signing, actionMutations({ type: 'pin', chat, pinned: true }, T_MS + i), random);
    state = built.state;
    server = acceptPatch(server, servedPatch(built.patch, built.state.version));
  }
  const snapshot = snapshotOf(server)!;

  it('verifies untouched', () => {
    expect(hex(decodeSnapshot('regular_low', copySnapshot(snapshot), lookup).state.hash)).toBe(hex(state.hash));
  });

  const cases: Record<string, [(s: proto.ISyncdSnapshot, at: number) => void, AppStateErrorCode]> = {
    'a bit of its MAC': [(s, at) => flip(s.mac!, at), 'BAD_SNAPSHOT_MAC'],
    'a record dropped': [(s, at) => void s.records!.splice(at % 3, 1), 'BAD_SNAPSHOT_MAC'],
    'the version changed': [(s, at) => void (s.version = { version: 4 + (at % 5) }), 'BAD_SNAPSHOT_MAC'],
    'a bit of a value MAC': [(s, at) => flip(s.records![at % 3]!.value!.blob!.subarray(-32), at), 'BAD_VALUE_MAC'],
    'a bit of a ciphertext': [(s, at) => flip(s.records![at % 3]!.value!.blob!.subarray(16, -32), at), 'BAD_VALUE_MAC'],
    'a bit of an index MAC': [(s, at) => flip(s.records![at % 3]!.index!.blob!, at), 'BAD_INDEX_MAC'],
    'an unknown key': [(s) => void (s.keyId = { id: new Uint8Array([7]) }), 'MISSING_KEY'],
  };
  it.each(Object.entries(cases))('with %s is refused', (_name, [tamper, code]) => {
    fc.assert(
      fc.property(fc.nat(), (at) => {
        const s = copySnapshot(snapshot);
        tamper(s, at);
        expect(codeOf(() => decodeSnapshot('regular_low', s, lookup))).toBe(code);
      }),
      { numRuns: 15 },
    );
  });
});
