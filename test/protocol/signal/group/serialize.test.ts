// The stored form of sender-key records: exact round trips (including the
// skipped keys), and BAD_RECORD for anything else.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GroupCipherError,
  SENDER_KEY_RECORD_FORMAT,
  createSenderKeyDistribution,
  deserializeSenderKeyRecord,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
  serializeSenderKeyRecord,
  type SenderKeyRecord,
} from '../../../../src/protocol/signal/group/index.js';
import { generateKeyPair } from '../../../../src/protocol/crypto/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A receiving record with several states, some with skipped keys, and its senders. */
function busyRecord(seed: number[]): { record: SenderKeyRecord; senders: SenderKeyRecord[] } {
  let record: SenderKeyRecord | undefined;
  const senders: SenderKeyRecord[] = [];
  for (const jump of seed) {
    let { record: sender, distribution } = createSenderKeyDistribution(undefined);
    record = processSenderKeyDistribution(record, distribution);
    let last: Uint8Array | undefined;
    for (let i = 0; i <= jump; i++) {
      const out = groupEncrypt(sender, new Uint8Array([i & 0xff]));
      sender = out.record;
      last = out.ciphertext;
    }
    record = groupDecrypt(record, last!).record;
    senders.push(sender);
  }
  return { record: record!, senders };
}

describe('sender key record bytes', () => {
  it('round trip exactly, and the restored record keeps decrypting', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(40), { minLength: 1, maxLength: 6 }), (jumps) => {
        const { record, senders } = busyRecord(jumps);
        const bytes = serializeSenderKeyRecord(record);
        const back = deserializeSenderKeyRecord(bytes);
        expect(back).toEqual(record);
        expect(hex(serializeSenderKeyRecord(back))).toBe(hex(bytes));
        // The newest sender's next message decrypts with the restored record.
        const next = groupEncrypt(senders[senders.length - 1]!, new Uint8Array([42]));
        expect([...groupDecrypt(back, next.ciphertext).plaintext]).toEqual([42]);
      }),
      { numRuns: 25 },
    );
  });

  it('round trip our sending record with its private key and signing seed', () => {
    const { record } = createSenderKeyDistribution(undefined);
    expect(record.states[0]!.signingSeed?.length).toBe(32);
    const back = deserializeSenderKeyRecord(serializeSenderKeyRecord(record));
    expect(back).toEqual(record);
    // Seeded signatures are deterministic: the restored seed signs exactly as the original.
    expect(hex(groupEncrypt(back, new Uint8Array(1)).ciphertext)).toBe(hex(groupEncrypt(record, new Uint8Array(1)).ciphertext));
  });

  it('read a sending record without a seed (a bare key pair, or stored before seeds) and sign with it as XEdDSA', () => {
    const { record, distribution } = createSenderKeyDistribution(undefined, { signingKeyPair: generateKeyPair() });
    expect(record.states[0]!.signingSeed).toBeUndefined();
    const bytes = serializeSenderKeyRecord(record);
    expect(bytes[2 + 72]).toBe(1); // flags: a private key, no seed
    const back = deserializeSenderKeyRecord(bytes);
    expect(back).toEqual(record);
    const receiver = processSenderKeyDistribution(undefined, distribution);
    expect([...groupDecrypt(receiver, groupEncrypt(back, new Uint8Array([9])).ciphertext).plaintext]).toEqual([9]);
  });

  it('refuse a seed flag without a private key', () => {
    const bytes = serializeSenderKeyRecord(busyRecord([1]).record);
    expect(bytes[2 + 72]).toBe(0);
    const flagged = new Uint8Array(bytes);
    flagged[2 + 72] = 2;
    expect(() => deserializeSenderKeyRecord(flagged)).toThrow(GroupCipherError);
  });

  it('shares no memory with the input bytes, even a Buffer (whose slice is a view)', () => {
    const { record } = busyRecord([3]);
    for (const bytes of [serializeSenderKeyRecord(record), Buffer.from(serializeSenderKeyRecord(record))]) {
      const back = deserializeSenderKeyRecord(bytes);
      bytes.fill(0);
      expect(back).toEqual(record);
    }
  });

  it('rejects every truncation, an unknown format and trailing bytes with BAD_RECORD', () => {
    const bytes = serializeSenderKeyRecord(busyRecord([2, 5]).record);
    const codes = new Set<string>();
    const attempt = (b: Uint8Array) => {
      try {
        deserializeSenderKeyRecord(b);
        codes.add('ok');
      } catch (e) {
        expect(e).toBeInstanceOf(GroupCipherError);
        codes.add((e as GroupCipherError).code);
      }
    };
    for (let n = 0; n < bytes.length; n++) attempt(bytes.subarray(0, n));
    attempt(new Uint8Array([...bytes, 0]));
    const other = new Uint8Array(bytes);
    other[0] = SENDER_KEY_RECORD_FORMAT + 1;
    attempt(other);
    expect([...codes]).toEqual(['BAD_RECORD']);
  });

  it('never throws anything but BAD_RECORD on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (b, fixHeader) => {
        if (fixHeader && b.length > 1) {
          b[0] = SENDER_KEY_RECORD_FORMAT;
          b[1] = b[1]! % 6;
        }
        try {
          deserializeSenderKeyRecord(b);
        } catch (e) {
          expect(e).toBeInstanceOf(GroupCipherError);
          expect((e as GroupCipherError).code).toBe('BAD_RECORD');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('rejects skipped keys out of order (lookups binary-search)', () => {
    const p = createSenderKeyDistribution(undefined);
    let sender = p.record;
    const cts = [];
    for (let i = 0; i < 4; i++) {
      const out = groupEncrypt(sender, randomBytes(3));
      sender = out.record;
      cts.push(out.ciphertext);
    }
    const r = groupDecrypt(processSenderKeyDistribution(undefined, p.distribution), cts[3]!).record;
    const bytes = serializeSenderKeyRecord(r);
    // Swap the first two skipped entries (iterations 0 and 1).
    const at = bytes.length - 3 * 36;
    const swapped = new Uint8Array(bytes);
    swapped.set(bytes.subarray(at + 36, at + 72), at);
    swapped.set(bytes.subarray(at, at + 36), at + 36);
    expect(() => deserializeSenderKeyRecord(swapped)).toThrow(GroupCipherError);
  });
});
