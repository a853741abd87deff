// The phone's key material: signed prekey verifiable by libsignal, one-time
// prekeys minted with fresh ids and consumed once, snapshot round trip.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PhoneKeys } from '../../../src/sim/phone/keys.js';

const require = createRequire(import.meta.url);
const libCurve = require('libsignal/src/curve.js') as { verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean };
const sig05 = (k: Uint8Array) => Buffer.concat([Buffer.of(5), k]);

describe('PhoneKeys', () => {
  it('signs its signed prekey (0x05 ‖ pub) with the identity key', () => {
    const k = PhoneKeys.generate();
    const up = k.mintPreKeys(3);
    expect(up.registrationId).toBe(k.registrationId);
    expect(k.registrationId).toBeGreaterThan(0);
    expect(k.registrationId).toBeLessThan(0x4000);
    expect(libCurve.verifySignature(sig05(up.identityKey), sig05(up.signedPreKey.publicKey), Buffer.from(up.signedPreKey.signature))).toBe(true);
    expect(libCurve.verifySignature(sig05(up.identityKey), Buffer.from(up.signedPreKey.publicKey), Buffer.from(up.signedPreKey.signature))).toBe(false);
  });

  it('mints distinct ids, looks them up and consumes each once', () => {
    const k = PhoneKeys.generate();
    const a = k.mintPreKeys(5).preKeys;
    const b = k.mintPreKeys(5).preKeys;
    const ids = [...a, ...b].map((p) => p.keyId);
    expect(new Set(ids).size).toBe(10);
    expect(k.preKeyCount).toBe(10);
    const first = a[0]!;
    expect(Buffer.from(k.preKey(first.keyId)!.public)).toEqual(Buffer.from(first.publicKey));
    k.consumePreKey(first.keyId);
    expect(k.preKey(first.keyId)).toBeUndefined();
    expect(k.preKeyCount).toBe(9);
  });

  it('survives a JSON snapshot with the same keys and id counter', () => {
    const k = PhoneKeys.generate();
    const up = k.mintPreKeys(2);
    const r = PhoneKeys.fromJSON(JSON.parse(JSON.stringify(k.toJSON())));
    expect(r.registrationId).toBe(k.registrationId);
    expect(r.advRawId).toBe(k.advRawId);
    expect(Buffer.from(r.identity.private)).toEqual(Buffer.from(k.identity.private));
    expect(Buffer.from(r.signedPreKey.signature)).toEqual(Buffer.from(k.signedPreKey.signature));
    expect(Buffer.from(r.preKey(up.preKeys[1]!.keyId)!.public)).toEqual(Buffer.from(up.preKeys[1]!.publicKey));
    expect(r.mintPreKeys(1).preKeys[0]!.keyId).toBe(k.mintPreKeys(1).preKeys[0]!.keyId);
    expect(() => PhoneKeys.fromJSON({} as never)).toThrow(TypeError);
  });
});
