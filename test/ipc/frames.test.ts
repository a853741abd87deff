/**
 * The ack frame is written as text rather than serialised from a copy of the
 * result: for any result it must say exactly what serialising the copy with
 * `success: true` added last says, and keep the envelope's fields.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ackFrame, withField } from '../../src/ipc/frames.js';

// '__proto__' is left out: a copy made with Object.assign turns it into the prototype, the text keeps it as a field.
const key = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__');
const result = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }) as fc.Arbitrary<Record<string, unknown>>;

describe('ackFrame', () => {
  it('says what serialising the result with success: true added would, in the same order', () => {
    fc.assert(
      fc.property(result, key, fc.option(fc.constantFrom('alice', 'bob_2', 'a"b'), { nil: undefined }), (r, replyTo, tenant) => {
        const text = ackFrame(replyTo, r, tenant);
        const frame = JSON.parse(text) as Record<string, unknown>;
        expect(frame['type']).toBe('ack');
        expect(frame['version']).toBe(1);
        expect(frame['replyTo']).toBe(replyTo);
        expect(frame['tenantId']).toBe(tenant);
        expect(typeof frame['id']).toBe('string');
        expect(typeof frame['timestamp']).toBe('number');
        expect(text.endsWith(`,"data":${JSON.stringify(withField(r, 'success', true))}}`)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('overrides a success field of the result itself, and serialises a toJSON of its own as before', () => {
    expect(JSON.parse(ackFrame('r1', { success: false, n: 1 }))['data']).toEqual({ success: true, n: 1 });
    const odd = { toJSON: () => 'not an object' } as unknown as Record<string, unknown>;
    expect(JSON.parse(ackFrame('r2', odd))['data']).toBe('not an object');
    expect(JSON.parse(ackFrame('r3', {}))['data']).toEqual({ success: true });
  });
});
