// The LT-hash as a set hash, and the collection state against a model of the
// live records (a map from index to value MAC).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppStateError, emptyCollectionState, emptyLtHash, ltHashSubtractThenAdd, mixMutations, type MacEntry } from '../../../src/protocol/appstate/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const mac = fc.uint8Array({ minLength: 32, maxLength: 32 });
const hash = fc.uint8Array({ minLength: 128, maxLength: 128 });

describe('the LT-hash', () => {
  it('does not depend on the order items are added', () => {
    fc.assert(
      fc.property(hash, fc.array(mac, { maxLength: 8 }), fc.nat(), (base, items, seed) => {
        const shuffled = [...items].sort((a, b) => ((a[0]! ^ seed) & 0xff) - ((b[0]! ^ seed) & 0xff));
        let oneByOne: Uint8Array = base;
        for (const item of items) oneByOne = ltHashSubtractThenAdd(oneByOne, [], [item]);
        expect(hex(ltHashSubtractThenAdd(base, [], shuffled))).toBe(hex(oneByOne));
      }),
      { numRuns: 100 },
    );
  });

  it('subtracting what was added gives the base back, and never changes its input', () => {
    fc.assert(
      fc.property(hash, fc.array(mac, { maxLength: 6 }), fc.array(mac, { maxLength: 6 }), (base, added, other) => {
        const before = hex(base);
        const withAll = ltHashSubtractThenAdd(base, [], [...added, ...other]);
        expect(hex(ltHashSubtractThenAdd(withAll, added, []))).toBe(hex(ltHashSubtractThenAdd(base, [], other)));
        expect(hex(ltHashSubtractThenAdd(withAll, [...other, ...added], []))).toBe(before);
        expect(hex(base)).toBe(before);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a hash that is not 128 bytes', () => {
    expect(() => ltHashSubtractThenAdd(new Uint8Array(127), [], [])).toThrow(AppStateError);
    expect(hex(ltHashSubtractThenAdd(emptyLtHash(), [], []))).toBe('00'.repeat(128));
  });
});

describe('mixing mutations into a collection state', () => {
  // Small index space so sequences overwrite and remove each other.
  const entry = fc.record({ operation: fc.constantFrom('set' as const, 'remove' as const), index: fc.integer({ min: 0, max: 4 }), valueMac: mac });

  it('holds the LT-hash and value MACs of exactly the live records', () => {
    fc.assert(
      fc.property(fc.array(fc.array(entry, { maxLength: 6 }), { maxLength: 5 }), (batches) => {
        const indexMacs = [0, 1, 2, 3, 4].map((i) => new Uint8Array(32).fill(i + 1));
        const model = new Map<number, Uint8Array>();
        let missing = 0;
        let state: Pick<ReturnType<typeof emptyCollectionState>, 'hash' | 'indexValueMacs'> = emptyCollectionState();
        let reported = 0;
        for (const batch of batches) {
          const entries: MacEntry[] = batch.map((e) => ({ operation: e.operation, indexMac: indexMacs[e.index]!, valueMac: e.valueMac }));
          for (const e of batch) {
            if (e.operation === 'set') model.set(e.index, e.valueMac);
            else if (!model.delete(e.index)) missing++;
          }
          const mixed = mixMutations(state, entries);
          reported += mixed.missingRemoves;
          state = mixed;
        }
        expect(hex(state.hash)).toBe(hex(ltHashSubtractThenAdd(emptyLtHash(), [], [...model.values()])));
        expect(Object.fromEntries(Object.entries(state.indexValueMacs).map(([k, v]) => [k, hex(v)]))).toEqual(
          Object.fromEntries([...model].map(([i, v]) => [Buffer.from(indexMacs[i]!).toString('base64'), hex(v)])),
        );
        expect(reported).toBe(missing);
      }),
      { numRuns: 200 },
    );
  });
});
