// The linking QR string against the exact builder Baileys uses to print it.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPairingQRData } from 'baileys/lib/Utils/companion-reg-client-utils.js';
import { formatLinkQr, parseLinkQr, QR_PREFIX } from '../../../src/sim/phone/qr.js';
import { PhoneError } from '../../../src/sim/phone/errors.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function baileysQr(ref = '2@' + randomBytes(30).toString('base64'), browser: [string, string, string] = ['Mac OS', 'Chrome', '14.4.1']) {
  const noise = randomBytes(32);
  const identity = randomBytes(32);
  const adv = randomBytes(32);
  return { ref, noise, identity, adv, qr: buildPairingQRData(ref, b64(noise), b64(identity), b64(adv), browser) as string };
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof PhoneError) return e.code;
    throw e;
  }
  return undefined;
}

describe('parseLinkQr', () => {
  it('reads every field of a QR printed by Baileys', () => {
    const q = baileysQr();
    const p = parseLinkQr(q.qr);
    expect(p.ref).toBe(q.ref);
    expect(Buffer.from(p.noiseKey)).toEqual(q.noise);
    expect(Buffer.from(p.identityKey)).toEqual(q.identity);
    expect(Buffer.from(p.advSecret)).toEqual(q.adv);
    expect(p.advSecretB64).toBe(b64(q.adv));
    expect(p.platformId).toBe(1);
  });

  it('maps Baileys browsers to their platform ids', () => {
    expect(parseLinkQr(baileysQr(undefined, ['Windows', 'Desktop', '10']).qr).platformId).toBe(8);
    expect(parseLinkQr(baileysQr(undefined, ['Mac OS', 'Desktop', '10']).qr).platformId).toBe(7);
    expect(parseLinkQr(baileysQr(undefined, ['Ubuntu', 'Firefox', '1']).qr).platformId).toBe(3);
    expect(parseLinkQr(baileysQr(undefined, ['Ubuntu', 'Netscape', '1']).qr).platformId).toBe(9);
  });

  it('round-trips through formatLinkQr', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9@+/=._-]{1,80}$/),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 9 }),
        (ref, noiseKey, identityKey, advSecret, platformId) => {
          const p = parseLinkQr(formatLinkQr({ ref, noiseKey, identityKey, advSecret, platformId }));
          expect(p.ref).toBe(ref);
          expect(p.noiseKey).toEqual(noiseKey);
          expect(p.identityKey).toEqual(identityKey);
          expect(p.advSecret).toEqual(advSecret);
          expect(p.platformId).toBe(platformId);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects malformed QRs with BAD_QR', () => {
    const q = baileysQr('REF');
    const fields = q.qr.slice(QR_PREFIX.length).split(',');
    const withField = (i: number, v: string) => QR_PREFIX + fields.map((f, j) => (j === i ? v : f)).join(',');
    const bad = [
      '',
      'hello',
      q.qr.replace('https://wa.me/', 'https://example.com/'),
      QR_PREFIX + fields.slice(0, 4).join(','),
      q.qr + ',extra',
      withField(0, ''),
      withField(1, b64(randomBytes(31))),
      withField(2, b64(randomBytes(33))),
      withField(2, 'not base64!!'),
      withField(3, ''),
      withField(4, 'chrome'),
      withField(4, ''),
    ];
    for (const s of bad) expect(code(() => parseLinkQr(s)), s).toBe('BAD_QR');
    expect(code(() => parseLinkQr(undefined as unknown as string))).toBe('BAD_QR');
  });

  it('never throws anything but PhoneError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (tail) => {
        const c = code(() => parseLinkQr(QR_PREFIX + tail));
        expect(c === undefined || c === 'BAD_QR').toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
