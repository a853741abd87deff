// The phone's pairing-code crypto against a companion written here from
// Baileys' own exported primitives (derivePairingCodeKey, aesEncryptCTR,
// aesEncryptGCM, hkdf, Curve): the same steps as Baileys' requestPairingCode
// (generatePairingKey) and its link_code_companion_reg notification handler.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesEncryptCTR, derivePairingCodeKey as baileysDerive } from 'baileys/lib/Utils/crypto.js';
import { bytesToCrockford } from 'baileys/lib/Utils/generics.js';
import { generateKeyPair } from '../../../src/protocol/crypto/index.js';
import {
  derivePairingCodeKey,
  finishLinkCode,
  normalizeLinkCode,
  startLinkCode,
  unwrapEphemeralPub,
  wrapEphemeralPub,
} from '../../../src/sim/phone/link-code.js';
import { PhoneError } from '../../../src/sim/phone/errors.js';
import { BaileysCompanion } from './companion.js';

function errCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof PhoneError) return e.code;
    throw e;
  }
  return undefined;
}

describe('derivePairingCodeKey', () => {
  it('equals Baileys derivePairingCodeKey (WebCrypto PBKDF2, 131072 rounds)', async () => {
    for (const code of ['ABCD1234', bytesToCrockford(randomBytes(5)), 'zz99zz99']) {
      const salt = randomBytes(32);
      expect(Buffer.from(derivePairingCodeKey(code, salt))).toEqual(await baileysDerive(code, salt));
    }
  });
});

describe('ephemeral key wrapping', () => {
  it('unwraps what Baileys wraps, and Baileys unwraps what we wrap', async () => {
    const c = new BaileysCompanion();
    expect(Buffer.from(unwrapEphemeralPub(c.code, await c.hello()))).toEqual(Buffer.from(c.ephemeral.public));
    const pub = generateKeyPair().public;
    const wrapped = Buffer.from(wrapEphemeralPub(c.code, pub));
    expect(wrapped.length).toBe(80);
    const key = await baileysDerive(c.code, wrapped.subarray(0, 32));
    expect(new Uint8Array(aesEncryptCTR(wrapped.subarray(48), key, wrapped.subarray(32, 48)))).toEqual(pub);
  });

  it('rejects a short wrapped key', () => {
    expect(errCode(() => unwrapEphemeralPub('ABCD1234', new Uint8Array(79)))).toBe('BAD_LINK_BUNDLE');
  });
});

describe('normalizeLinkCode', () => {
  it('accepts 8 alphanumerics with an optional middle dash, keeping case', () => {
    expect(normalizeLinkCode('ABCD-1234')).toBe('ABCD1234');
    expect(normalizeLinkCode(' abcd1234 ')).toBe('abcd1234');
    for (const bad of ['', 'ABC1234', 'ABCD12345', 'AB-CD1234', 'ABCD 1234', 'ABCD!234']) {
      expect(errCode(() => normalizeLinkCode(bad)), bad).toBe('BAD_LINK_CODE');
    }
  });
});

describe('full pairing-code exchange with a Baileys companion', () => {
  it('derives the same ADV secret on both sides', async () => {
    const primaryIdentity = generateKeyPair();
    const c = new BaileysCompanion();
    const start = startLinkCode(c.code.slice(0, 4) + '-' + c.code.slice(4), await c.hello());
    expect(Buffer.from(start.state.companionEphemeralPub)).toEqual(Buffer.from(c.ephemeral.public));
    const bundle = await c.onNotification(primaryIdentity.public, start.wrappedPrimaryEphemeralPub);
    const fin = finishLinkCode(start.state, primaryIdentity, bundle, c.identity.public);
    expect(Buffer.from(fin.advSecret).toString('base64')).toBe(c.advSecretB64);
    expect(Buffer.from(fin.companionIdentityPub)).toEqual(Buffer.from(c.identity.public));
  });

  it('fails with BAD_LINK_BUNDLE when the phone typed a wrong code', async () => {
    const primaryIdentity = generateKeyPair();
    const c = new BaileysCompanion();
    const wrong = c.code.slice(0, 7) + (c.code[7] === 'A' ? 'B' : 'A');
    const start = startLinkCode(wrong, await c.hello());
    // The companion cannot unwrap our key either; give it the right-code wrapping so only our side is wrong.
    const honest = startLinkCode(c.code, await c.hello(), start.state.primaryEphemeral);
    const bundle = await c.onNotification(primaryIdentity.public, honest.wrappedPrimaryEphemeralPub);
    expect(errCode(() => finishLinkCode(start.state, primaryIdentity, bundle, c.identity.public))).toBe('BAD_LINK_BUNDLE');
  });

  it('rejects a bundle for another primary or another companion identity, and a tampered bundle', async () => {
    const primaryIdentity = generateKeyPair();
    const c = new BaileysCompanion();
    const start = startLinkCode(c.code, await c.hello());
    const other = generateKeyPair();
    const forOther = await c.onNotification(other.public, start.wrappedPrimaryEphemeralPub);
    expect(errCode(() => finishLinkCode(start.state, primaryIdentity, forOther, c.identity.public))).toBe('LINK_IDENTITY_MISMATCH');
    const good = await c.onNotification(primaryIdentity.public, start.wrappedPrimaryEphemeralPub);
    expect(errCode(() => finishLinkCode(start.state, primaryIdentity, good, generateKeyPair().public))).toBe('LINK_IDENTITY_MISMATCH');
    const tampered = new Uint8Array(good);
    tampered[60]! ^= 1;
    expect(errCode(() => finishLinkCode(start.state, primaryIdentity, tampered, c.identity.public))).toBe('BAD_LINK_BUNDLE');
    expect(errCode(() => finishLinkCode(start.state, primaryIdentity, good.subarray(1), c.identity.public))).toBe('BAD_LINK_BUNDLE');
  });
});
