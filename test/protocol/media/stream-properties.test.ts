// The incremental encryptor and decryptor over random sizes and random
// chunkings (boundaries not aligned to 16, chunks smaller than the MAC):
// chunked output equals the one-shot blob; every altered, cut or extended
// blob fails with a typed error in final(); declared lengths and caps stop a
// blob as soon as it runs over.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encryptedLength,
  encryptMedia,
  MediaCryptoError,
  MediaDecipher,
  MediaDecryptor,
  MediaEncryptor,
  deriveMediaKeys,
  type MediaExpectations,
} from '../../../src/protocol/media/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Cuts `bytes` at the given sorted offsets. */
function chunks(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

function decryptChunked(blob: Uint8Array, mediaKey: Uint8Array, cuts: number[], expected?: MediaExpectations): Buffer {
  const d = MediaDecryptor.forType(mediaKey, 'document', expected);
  const parts = chunks(blob, cuts).map((c) => d.update(c));
  return Buffer.concat([...parts, d.final().tail]);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MediaCryptoError) return e.code;
    throw e;
  }
  return 'OK';
}

const sized = fc.oneof(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ minLength: 100, maxLength: 5_000 }));
const cutsArb = fc.array(fc.nat(6_000), { maxLength: 40 });

describe('incremental media crypto', () => {
  it('chunked encryption equals one-shot encryption, whatever the chunking', () => {
    fc.assert(
      fc.property(sized, cutsArb, (plaintext, cuts) => {
        const key = randomBytes(32);
        const whole = encryptMedia(plaintext, 'video', key);
        const enc = new MediaEncryptor('video', key);
        const parts = chunks(plaintext, cuts).map((c) => enc.update(c));
        const fin = enc.final();
        expect(hex(Buffer.concat([...parts, fin.tail]))).toBe(hex(whole.blob));
        expect(fin.encLength).toBe(encryptedLength(plaintext.length));
        expect(fin.fileLength).toBe(plaintext.length);
        expect(hex(fin.fileEncSha256)).toBe(hex(whole.fileEncSha256));
      }),
      { numRuns: 200 },
    );
  });

  it('chunked decryption returns the plaintext and the same hashes, whatever the chunking', () => {
    fc.assert(
      fc.property(sized, cutsArb, (plaintext, cuts) => {
        const e = encryptMedia(plaintext, 'document');
        const expected = { fileSha256: e.fileSha256, fileEncSha256: e.fileEncSha256, fileLength: e.fileLength };
        expect(hex(decryptChunked(e.blob, e.mediaKey, cuts, expected))).toBe(hex(plaintext));
        // absorb() verifies the same way and hands nothing out.
        const d = MediaDecryptor.forType(e.mediaKey, 'document', expected);
        for (const c of chunks(e.blob, cuts)) d.absorb(c);
        expect(hex(d.final().fileSha256)).toBe(hex(e.fileSha256));
      }),
      { numRuns: 200 },
    );
  });

  it('MediaDecipher (the second pass) deciphers the verified blob without its MAC', () => {
    fc.assert(
      fc.property(sized, cutsArb, (plaintext, cuts) => {
        const e = encryptMedia(plaintext, 'image');
        const dc = new MediaDecipher(deriveMediaKeys(e.mediaKey, 'image'));
        const parts = chunks(e.blob.subarray(0, e.blob.length - 10), cuts).map((c) => dc.update(c));
        expect(hex(Buffer.concat([...parts, dc.final()]))).toBe(hex(plaintext));
      }),
      { numRuns: 100 },
    );
  });

  it('one flipped bit anywhere is HASH_MISMATCH when fileEncSha256 is declared, BAD_MAC when it is not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3_000 }), fc.nat(), fc.nat(7), cutsArb, (plaintext, pos, bit, cuts) => {
        const e = encryptMedia(plaintext, 'document');
        const bad = Buffer.from(e.blob);
        bad[pos % bad.length]! ^= 1 << bit;
        expect(codeOf(() => decryptChunked(bad, e.mediaKey, cuts, { fileEncSha256: e.fileEncSha256 }))).toBe('HASH_MISMATCH');
        expect(codeOf(() => decryptChunked(bad, e.mediaKey, cuts))).toBe('BAD_MAC');
        expect(codeOf(() => decryptChunked(bad, e.mediaKey, cuts, { fileLength: e.fileLength }))).toBe('BAD_MAC');
      }),
      { numRuns: 300 },
    );
  });

  it('a cut blob is TRUNCATED when its length is declared, and never decrypts when it is not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3_000 }), fc.nat(), cutsArb, (plaintext, n, cuts) => {
        const e = encryptMedia(plaintext, 'document');
        const cut = e.blob.subarray(0, n % e.blob.length);
        expect(codeOf(() => decryptChunked(cut, e.mediaKey, cuts, { fileLength: e.fileLength }))).toBe('TRUNCATED');
        expect(['TRUNCATED', 'BAD_MAC']).toContain(codeOf(() => decryptChunked(cut, e.mediaKey, cuts)));
      }),
      { numRuns: 300 },
    );
  });

  it('a wrong media key, or the right key of another media type, is BAD_MAC', () => {
    const e = encryptMedia(randomBytes(5_000), 'document');
    expect(codeOf(() => decryptChunked(e.blob, randomBytes(32), [77]))).toBe('BAD_MAC');
    expect(codeOf(() => decryptChunked(e.blob, e.mediaKey, [77]))).toBe('OK');
    const d = MediaDecryptor.forType(e.mediaKey, 'image');
    d.update(e.blob);
    expect(codeOf(() => d.final())).toBe('BAD_MAC');
  });

  it('a good MAC over a blob whose declared hash or length is wrong is HASH_MISMATCH / LENGTH_MISMATCH', () => {
    const e = encryptMedia(randomBytes(1_000), 'document');
    const other = randomBytes(32);
    expect(codeOf(() => decryptChunked(e.blob, e.mediaKey, [], { fileSha256: other }))).toBe('HASH_MISMATCH');
    // 1,001 bytes pad to the same blob length as 1,000: only the plaintext length can tell.
    expect(codeOf(() => decryptChunked(e.blob, e.mediaKey, [], { fileLength: 1_001 }))).toBe('LENGTH_MISMATCH');
    try {
      decryptChunked(e.blob, e.mediaKey, [], { fileSha256: other });
    } catch (err) {
      expect((err as MediaCryptoError).field).toBe('fileSha256');
    }
  });

  it('extra bytes past the declared length or the cap stop in update(), before final()', () => {
    const e = encryptMedia(randomBytes(100), 'document');
    const long = Buffer.concat([e.blob, Buffer.alloc(1)]);
    const d = MediaDecryptor.forType(e.mediaKey, 'document', { fileLength: 100 });
    d.update(e.blob);
    expect(codeOf(() => d.update(Buffer.alloc(1)))).toBe('TOO_LARGE');
    expect(codeOf(() => d.final())).toBe('FINISHED');
    expect(codeOf(() => decryptChunked(long, e.mediaKey, [], { maxEncLength: e.blob.length }))).toBe('TOO_LARGE');
    expect(codeOf(() => decryptChunked(e.blob, e.mediaKey, [5, 50], { maxEncLength: e.blob.length }))).toBe('OK');
  });

  it('a blob of zero plaintext bytes is one padding block and the MAC', () => {
    const e = encryptMedia(new Uint8Array(0), 'document');
    expect(e.blob.length).toBe(26);
    expect(decryptChunked(e.blob, e.mediaKey, [3, 9, 11, 20]).length).toBe(0);
  });

  it('refuses use after final()', () => {
    const enc = new MediaEncryptor('image');
    enc.final();
    expect(codeOf(() => enc.update(new Uint8Array(1)))).toBe('FINISHED');
    expect(codeOf(() => enc.final())).toBe('FINISHED');
  });
});
