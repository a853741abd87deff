import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/store/cache.js';

describe('LruCache', () => {
  it('never holds more than its entry and byte limits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.option(fc.nat({ max: 300 }), { nil: null })), { maxLength: 200 }),
        (ops) => {
          const cache = new LruCache({ maxEntries: 10, maxBytes: 1500 });
          for (const [k, size] of ops) {
            cache.set(k, size === null ? null : new Uint8Array(size));
            expect(cache.size).toBeLessThanOrEqual(10);
            expect(cache.bytes).toBeLessThanOrEqual(1500);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('evicts the least recently used entry', () => {
    const cache = new LruCache({ maxEntries: 2, maxBytes: 1 << 20 });
    cache.set('a', new Uint8Array(1));
    cache.set('b', new Uint8Array(1));
    cache.get('a');
    cache.set('c', new Uint8Array(1));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('keeps absence apart from "not cached"', () => {
    const cache = new LruCache({ maxEntries: 4, maxBytes: 1024 });
    cache.set('gone', null);
    expect(cache.get('gone')).toBeNull();
    expect(cache.get('never')).toBeUndefined();
  });

  it('does not keep a record larger than the whole budget', () => {
    const cache = new LruCache({ maxEntries: 4, maxBytes: 100 });
    cache.set('big', new Uint8Array(500));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
