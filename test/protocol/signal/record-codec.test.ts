// The stored form of session records: exact round trips of every field
// (skipped keys, closed chains, pending prekeys, archived sessions), typed
// errors for damaged bytes, and a size that stays flat over a long chat.
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  closeSession,
  deserializeSessionRecord,
  RecordFormatError,
  serializeSessionRecord,
  type SessionRecord,
} from '../../../src/protocol/signal/index.js';
import { LibPeer, OurPeer } from './support.js';

const text = (s: string) => new TextEncoder().encode(s);

/** Plain data with every byte array as hex, so Buffer and Uint8Array views compare equal. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Records in many shapes, from a short chat with gaps between two of our peers. */
async function sampleRecords(): Promise<SessionRecord[]> {
  const a = new OurPeer('a');
  const b = new OurPeer('b');
  const records: SessionRecord[] = [];
  await a.startSession(b.bundle(true));
  records.push(a.record!); // pending prekey with a one-time prekey id
  const m = [await a.encrypt(text('0')), await a.encrypt(text('1')), await a.encrypt(text('2'))];
  await b.decrypt(m[2]!.type, m[2]!.ciphertext); // skipped keys 0 and 1
  records.push(b.record!);
  const r = await b.encrypt(text('r'));
  await a.decrypt(r.type, r.ciphertext);
  const again = await a.encrypt(text('3'));
  await b.decrypt(again.type, again.ciphertext); // b closes its first chain, keeping the skipped keys
  records.push(a.record!, b.record!);
  await a.startSession(b.bundle(false)); // archived session + pending without a one-time prekey
  records.push(a.record!, closeSession(a.record!), { current: undefined, previous: [] });
  return records;
}

describe('session record bytes', () => {
  beforeAll(() => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
  });

  it('round trip every field exactly', async () => {
    const records = await sampleRecords();
    const shapes = records.map((r) => r.current?.receiving[0]?.skipped.length ?? -1);
    expect(shapes).toContain(2);
    for (const record of records) {
      const bytes = serializeSessionRecord(record);
      const back = deserializeSessionRecord(bytes);
      expect(plain(back)).toEqual(plain(record));
      expect(Buffer.from(serializeSessionRecord(back)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('decoded records do not alias the input bytes', async () => {
    const [record] = await sampleRecords();
    for (const bytes of [serializeSessionRecord(record!), Buffer.from(serializeSessionRecord(record!))]) {
      const back = deserializeSessionRecord(bytes);
      bytes.fill(0);
      expect(plain(back)).toEqual(plain(record));
    }
  });

  it('damaged bytes fail with RecordFormatError only', async () => {
    const records = await sampleRecords();
    for (const record of records) {
      const bytes = serializeSessionRecord(record);
      for (let n = 0; n < bytes.length; n++) expect(() => deserializeSessionRecord(bytes.subarray(0, n))).toThrow(RecordFormatError);
      expect(() => deserializeSessionRecord(Uint8Array.of(...bytes, 0))).toThrow(RecordFormatError);
      expect(() => deserializeSessionRecord(Uint8Array.of(2, ...bytes.subarray(1)))).toThrow(expect.objectContaining({ code: 'BAD_RECORD' }));
    }
    const sample = serializeSessionRecord(records[3]!);
    fc.assert(
      fc.property(fc.nat(sample.length * 8 - 1), (bit) => {
        const damaged = sample.slice();
        damaged[bit >> 3]! ^= 1 << (bit & 7);
        try {
          deserializeSessionRecord(damaged);
        } catch (e) {
          expect(e).toBeInstanceOf(RecordFormatError);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          deserializeSessionRecord(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(RecordFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stays the same size over a long chat (libsignal’s JSON grows with every round trip)', async () => {
    const ours = new OurPeer();
    const lib = new LibPeer();
    await ours.startSession(lib.bundle(true));
    const sizes: number[] = [];
    const libSizes: number[] = [];
    for (let i = 0; i < 120; i++) {
      const q = await ours.encrypt(text(`q${i}`));
      await lib.decrypt(q.type, q.ciphertext);
      const a = await lib.encrypt(text(`a${i}`));
      await ours.decrypt(a.type, a.ciphertext);
      if (i === 20 || i === 119) {
        sizes.push(serializeSessionRecord(ours.record!).length);
        libSizes.push(lib.sessions.get(lib.address.toString())!.length);
      }
    }
    expect(sizes[1]).toBe(sizes[0]);
    expect(sizes[1]).toBeLessThan(1024);
    expect(libSizes[1]).toBeGreaterThan(libSizes[0]! * 3);
  });
});
