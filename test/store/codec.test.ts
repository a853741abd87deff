import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, decodeValue, encodeRecord, encodeValue, type Value } from '../../src/store/codec/value.js';
import { StoreError } from '../../src/store/errors.js';
import { compareKeys, key, prefixEnd, prefixOf, u32, u64 } from '../../src/store/keys.js';

const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: false }),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie('v'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).v;

describe('value codec', () => {
  it('round-trips every value, bytes as Uint8Array', () => {
    fc.assert(
      fc.property(value, (v) => {
        const back = decodeValue(encodeValue(v));
        expect(back).toStrictEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it('golden bytes', () => {
    expect([...encodeValue({ a: 1, b: new Uint8Array([7]), c: [true, null, -2, 'é'] })]).toEqual([
      0x08, 3, 1, 0x61, 0x03, 1, 1, 0x62, 0x06, 1, 7, 1, 0x63, 0x07, 4, 0x02, 0x00, 0x09, 2, 0x05, 2, 0xc3, 0xa9,
    ]);
    expect([...encodeValue(300)]).toEqual([0x03, 0xac, 0x02]);
    expect([...encodeValue(2 ** 53 - 1)]).toEqual([0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect([...encodeValue(0.5)]).toEqual([0x04, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0]);
  });

  it('leaves out undefined map fields and keeps -0 as a float', () => {
    expect(decodeValue(encodeValue({ a: undefined, b: 1 }))).toStrictEqual({ b: 1 });
    expect(Object.is(decodeValue(encodeValue(-0)), -0)).toBe(true);
  });

  it('refuses what it cannot represent', () => {
    const cyclic: Record<string, Value> = {};
    cyclic['self'] = cyclic;
    for (const bad of [cyclic, [undefined], new Date(), new Map(), (() => 1) as unknown]) {
      expect(() => encodeValue(bad as Value)).toThrowError(StoreError);
    }
  });

  it('a "__proto__" key stays data', () => {
    const bytes = encodeValue(JSON.parse('{"__proto__": {"polluted": 1}}') as Value);
    const back = decodeValue(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('corrupt input only ever throws CORRUPT_RECORD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeValue(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(StoreError);
          expect((err as StoreError).code).toBe('CORRUPT_RECORD');
        }
      }),
      { numRuns: 2000 },
    );
    // A truncated valid encoding is always detected.
    fc.assert(
      fc.property(value, fc.nat(), (v, cut) => {
        const bytes = encodeValue(v);
        const at = cut % bytes.length;
        expect(() => decodeValue(bytes.subarray(0, at))).toThrowError(StoreError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects deep nesting without overflowing the stack', () => {
    const deep = new Uint8Array(100_000).fill(0x07);
    expect(() => decodeValue(deep)).toThrowError(/nested too deeply|count past the end/);
  });

  it('decoded bytes are independent plain copies, also from a Buffer', () => {
    const stored = Buffer.from(encodeValue({ key: new Uint8Array([1, 2, 3]) }));
    const decoded = decodeValue(stored) as { key: Uint8Array };
    expect(Buffer.isBuffer(decoded.key)).toBe(false);
    decoded.key[0] = 99;
    expect((decodeValue(stored) as { key: Uint8Array }).key[0]).toBe(1);
  });

  it('records carry a format version', () => {
    const r = decodeRecord(encodeRecord(3, { x: 1 }));
    expect(r).toStrictEqual({ formatVersion: 3, value: { x: 1 } });
  });
});

describe('keys', () => {
  it('u64 and u32 keys sort like the numbers', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.maxSafeInteger(), (a, b) => {
        const [x, y] = [Math.abs(a), Math.abs(b)];
        expect(Math.sign(compareKeys(u64(x), u64(y)))).toBe(Math.sign(x - y));
      }),
    );
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (x, y) => {
        expect(Math.sign(compareKeys(u32(x), u32(y)))).toBe(Math.sign(x - y));
      }),
    );
  });

  it('a prefix range holds exactly the keys under it', () => {
    const ns = new TextEncoder().encode('a/acc1/');
    const p = prefixOf(ns, 'ses', 'lid', '123');
    const end = prefixEnd(p);
    const inside = key(ns, 'ses', 'lid', '123', '7');
    const outside = [key(ns, 'ses', 'lid', '1234', '0'), key(ns, 'ses', 'lid', '12'), key(ns, 'ses', 'lid', '123')];
    expect(compareKeys(inside, p) >= 0 && compareKeys(inside, end) < 0).toBe(true);
    for (const k of outside) expect(compareKeys(k, p) >= 0 && compareKeys(k, end) < 0).toBe(false);
  });

  it('refuses separators inside text parts', () => {
    const ns = new Uint8Array([0x61]);
    for (const bad of ['a/b', '', 'x\0y']) expect(() => key(ns, bad)).toThrowError(StoreError);
  });
});
