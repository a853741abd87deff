import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesCbcDecrypt, aesCbcEncrypt, aesGcmDecrypt, aesGcmEncrypt, CryptoError, hkdf, hmacSha256 } from '../../../src/protocol/crypto/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('HKDF-SHA256', () => {
  it('matches RFC 5869 test case 1', () => {
    const okm = hkdf(fromHex('0b'.repeat(22)), 42, { salt: fromHex('000102030405060708090a0b0c'), info: fromHex('f0f1f2f3f4f5f6f7f8f9') });
    expect(hex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });
  it('matches RFC 5869 test case 3 (no salt, no info)', () => {
    expect(hex(hkdf(fromHex('0b'.repeat(22)), 42))).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  });
});

describe('HMAC-SHA256', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(hex(hmacSha256(new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want '), new TextEncoder().encode('for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('AES', () => {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
  it('GCM round trips and rejects any tampering with AUTH_FAILED', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 20 }), fc.nat(), (k, iv, pt, aad, pos) => {
        const ct = aesGcmEncrypt(k, iv, pt, aad);
        expect(hex(aesGcmDecrypt(k, iv, ct, aad))).toBe(hex(pt));
        const bad = new Uint8Array(ct);
        bad[pos % bad.length]! ^= 0x40;
        try {
          aesGcmDecrypt(k, iv, bad, aad);
          expect.fail('tampered ciphertext decrypted');
        } catch (e) {
          expect(e).toBeInstanceOf(CryptoError);
          expect((e as CryptoError).code).toBe('AUTH_FAILED');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('CBC matches node:crypto and rejects bad lengths with BAD_INPUT', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 200 }), (k, iv, pt) => {
        const ct = aesCbcEncrypt(k, iv, pt);
        const c = createCipheriv('aes-256-cbc', k, iv);
        expect(hex(ct)).toBe(hex(Buffer.concat([c.update(pt), c.final()])));
        expect(hex(aesCbcDecrypt(k, iv, ct))).toBe(hex(pt));
      }),
      { numRuns: 200 },
    );
    expect(() => aesCbcDecrypt(new Uint8Array(32), new Uint8Array(16), new Uint8Array(15))).toThrow(CryptoError);
  });
});
