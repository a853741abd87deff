// The pkmsg/msg wire formats against libsignal-node's own protobuf code
// (WhisperTextProtocol.js): same bytes for the same fields, each side reads the
// other's, and the MAC layout (sender ‖ receiver identity ‖ 0x33 ‖ body).
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256 } from '../../../src/protocol/crypto/hash.js';
import {
  encodePreKeyMessage,
  encodeWhisperMessage,
  parsePreKeyMessage,
  parseWhisperMessage,
  VERSION_BYTE,
} from '../../../src/protocol/signal/wire.js';
import { hex } from './support.js';

const require = createRequire(import.meta.url);
interface PbType {
  encode(m: object): { finish(): Uint8Array };
  decode(b: Uint8Array): Record<string, unknown>;
}
const libProto = require('libsignal/src/protobufs.js') as { WhisperMessage: PbType; PreKeyWhisperMessage: PbType };

const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u32 = fc.nat({ max: 0xffffffff });
const prefixed = (k: Uint8Array) => Uint8Array.of(5, ...k);

describe('msg', () => {
  it('encodes the protobuf byte for byte as libsignal, with the MAC over both identities', () => {
    fc.assert(
      fc.property(key, u32, u32, fc.uint8Array({ maxLength: 100 }), key, key, key, (ratchetKey, counter, previousCounter, ciphertext, macKey, sender, receiver) => {
        const ours = encodeWhisperMessage({ ratchetKey, counter, previousCounter, ciphertext }, macKey, prefixed(sender), prefixed(receiver));
        const body = libProto.WhisperMessage.encode({ ephemeralKey: Buffer.from(prefixed(ratchetKey)), counter, previousCounter, ciphertext: Buffer.from(ciphertext) }).finish();
        const mac = hmacSha256(macKey, Buffer.concat([prefixed(sender), prefixed(receiver), Uint8Array.of(0x33), body])).subarray(0, 8);
        expect(hex(ours)).toBe(hex(Uint8Array.of(0x33, ...body, ...mac)));
        const parsed = parseWhisperMessage(ours);
        expect(parsed).toMatchObject({ counter, previousCounter });
        expect(hex(parsed.ratchetKey)).toBe(hex(ratchetKey));
        expect(hex(parsed.ciphertext)).toBe(hex(ciphertext));
        expect(hex(parsed.mac)).toBe(hex(mac));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects other versions and incomplete messages', () => {
    const body = libProto.WhisperMessage.encode({ ephemeralKey: Buffer.from(prefixed(new Uint8Array(32).fill(1))), counter: 1, ciphertext: Buffer.alloc(16) }).finish();
    const mac = new Uint8Array(8);
    expect(() => parseWhisperMessage(Uint8Array.of(0x23, ...body, ...mac))).toThrow(expect.objectContaining({ code: 'BAD_VERSION' }));
    expect(() => parseWhisperMessage(Uint8Array.of(0x43, ...body, ...mac))).toThrow(expect.objectContaining({ code: 'BAD_VERSION' }));
    expect(parseWhisperMessage(Uint8Array.of(0x33, ...body, ...mac)).previousCounter).toBe(0);
    const noCounter = libProto.WhisperMessage.encode({ ephemeralKey: Buffer.from(prefixed(new Uint8Array(32))), ciphertext: Buffer.alloc(16) }).finish();
    expect(() => parseWhisperMessage(Uint8Array.of(0x33, ...noCounter, ...mac))).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
    const rawKey = libProto.WhisperMessage.encode({ ephemeralKey: Buffer.alloc(32, 1), counter: 1, ciphertext: Buffer.alloc(16) }).finish();
    expect(() => parseWhisperMessage(Uint8Array.of(0x33, ...rawKey, ...mac))).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
  });
});

describe('pkmsg', () => {
  it('encodes byte for byte as libsignal, with and without a one-time prekey id', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 16383 }),
        fc.option(fc.integer({ min: 1, max: 0xffffff }), { nil: undefined }),
        fc.nat({ max: 0xffffff }),
        key,
        key,
        fc.uint8Array({ minLength: 50, maxLength: 80 }),
        (registrationId, preKeyId, signedPreKeyId, baseKey, identityKey, inner) => {
          inner[0] = 0x33;
          const ours = encodePreKeyMessage({ registrationId, preKeyId, signedPreKeyId, baseKey, identityKey }, inner);
          // libsignal's SessionCipher.encrypt builds it this way.
          const m: Record<string, unknown> = {
            identityKey: Buffer.from(prefixed(identityKey)),
            registrationId,
            baseKey: Buffer.from(prefixed(baseKey)),
            signedPreKeyId,
            message: Buffer.from(inner),
          };
          if (preKeyId) m.preKeyId = preKeyId;
          expect(hex(ours)).toBe(hex(Uint8Array.of(VERSION_BYTE, ...libProto.PreKeyWhisperMessage.encode(m).finish())));
          const back = libProto.PreKeyWhisperMessage.decode(ours.subarray(1));
          expect(back.registrationId).toBe(registrationId);
          expect(back.signedPreKeyId).toBe(signedPreKeyId);
          // libsignal's proto2 code reads an absent field as 0.
          expect(back.preKeyId).toBe(preKeyId ?? 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('parses libsignal’s encoding, including a missing registration id', () => {
    const inner = libProto.WhisperMessage.encode({ ephemeralKey: Buffer.from(prefixed(new Uint8Array(32).fill(3))), counter: 0, ciphertext: Buffer.alloc(16) }).finish();
    const msg = Uint8Array.of(0x33, ...inner, ...new Uint8Array(8));
    const body = libProto.PreKeyWhisperMessage.encode({
      baseKey: Buffer.from(prefixed(new Uint8Array(32).fill(1))),
      identityKey: Buffer.from(prefixed(new Uint8Array(32).fill(2))),
      signedPreKeyId: 7,
      message: Buffer.from(msg),
    }).finish();
    const parsed = parsePreKeyMessage(Uint8Array.of(0x33, ...body));
    expect(parsed).toMatchObject({ registrationId: 0, preKeyId: undefined, signedPreKeyId: 7 });
    expect(hex(parsed.baseKey)).toBe('01'.repeat(32));
    expect(hex(parsed.identityKey)).toBe('02'.repeat(32));
    expect(hex(parsed.message.ratchetKey)).toBe('03'.repeat(32));
    const noSigned = libProto.PreKeyWhisperMessage.encode({ baseKey: Buffer.alloc(33, 5), identityKey: Buffer.alloc(33, 5), message: Buffer.from(msg) }).finish();
    expect(() => parsePreKeyMessage(Uint8Array.of(0x33, ...noSigned))).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
  });

  it('parsed keys are copies, not views of the input', () => {
    const inner = libProto.WhisperMessage.encode({ ephemeralKey: Buffer.from(prefixed(new Uint8Array(32).fill(3))), counter: 0, ciphertext: Buffer.alloc(16) }).finish();
    for (const bytes of [Uint8Array.of(0x33, ...inner, ...new Uint8Array(8)), Buffer.from([0x33, ...inner, ...new Uint8Array(8)])]) {
      const parsed = parseWhisperMessage(bytes);
      bytes.fill(0);
      expect(hex(parsed.ratchetKey)).toBe('03'.repeat(32));
      expect(parsed.ratchetKey.buffer).not.toBe(bytes.buffer);
    }
  });
});
