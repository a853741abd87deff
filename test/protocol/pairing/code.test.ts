// Pairing-code crypto of the companion against two independent counterparts:
// the simulator's phone (src/sim/phone/link-code.ts) and Baileys' primitives.
import { randomBytes } from 'node:crypto';
import { derivePairingCodeKey as baileysDerive } from 'baileys/lib/Utils/crypto.js';
import { bytesToCrockford as baileysCrockford } from 'baileys/lib/Utils/generics.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/protocol/crypto/index.js';
import {
  bytesToCrockford,
  companionFinish,
  CROCKFORD_ALPHABET,
  derivePairingCodeKeySync,
  newPairingCode,
  normalizePairingCode,
  normalizePhoneNumber,
  PairingError,
  unwrapEphemeralPub,
  wrapEphemeralPub,
  wrappedSalt,
} from '../../../src/protocol/pairing/index.js';
import { finishLinkCode, startLinkCode } from '../../../src/sim/phone/link-code.js';
import { BaileysCompanion } from '../../sim/phone/companion.js';

describe('pairing code', () => {
  it('is Crockford base32 exactly as Baileys makes it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 16 }), (bytes) => {
        expect(bytesToCrockford(bytes)).toBe(baileysCrockford(Buffer.from(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it('is 8 characters of the alphabet from 5 random bytes', () => {
    for (let i = 0; i < 50; i++) {
      const code = newPairingCode(randomBytes(5));
      expect(code).toHaveLength(8);
      for (const c of code) expect(CROCKFORD_ALPHABET).toContain(c);
      expect(normalizePairingCode(code.toLowerCase().slice(0, 4) + '-' + code.slice(4))).toBe(code);
    }
    expect(() => normalizePairingCode('ABCD123')).toThrow(PairingError);
    expect(() => normalizePairingCode('ABCDI234')).toThrow(PairingError);
  });

  it('checks phone numbers', () => {
    expect(normalizePhoneNumber('+1 (555) 000-1111')).toBe('15550001111');
    expect(() => normalizePhoneNumber('0551234567')).toThrow(PairingError);
    expect(() => normalizePhoneNumber('123')).toThrow(PairingError);
  });

  it('derives the same key as Baileys (PBKDF2-SHA256, 131072 rounds)', async () => {
    const salt = randomBytes(32);
    expect(Buffer.from(derivePairingCodeKeySync('ABCD1234', salt))).toEqual(Buffer.from(await baileysDerive('ABCD1234', salt)));
  });

  it('links end to end with the simulated phone: same ADV secret on both sides', () => {
    const code = newPairingCode(randomBytes(5));
    const ephemeral = generateKeyPair();
    const identity = generateKeyPair();
    const phoneIdentity = generateKeyPair();
    const salt = randomBytes(32);
    const hello = wrapEphemeralPub(derivePairingCodeKeySync(code, salt), salt, randomBytes(16), ephemeral.public);
    // The phone unwraps our ephemeral key and wraps its own.
    const start = startLinkCode(code, hello);
    expect(Buffer.from(start.state.companionEphemeralPub)).toEqual(Buffer.from(ephemeral.public));
    const wrapped = start.wrappedPrimaryEphemeralPub;
    const primaryEphemeralPub = unwrapEphemeralPub(derivePairingCodeKeySync(code, wrappedSalt(wrapped)), wrapped);
    expect(Buffer.from(primaryEphemeralPub)).toEqual(Buffer.from(start.state.primaryEphemeral.public));
    const ours = companionFinish({
      pairingEphemeral: ephemeral,
      identity,
      primaryIdentityPub: phoneIdentity.public,
      primaryEphemeralPub,
      random: randomBytes(32),
      salt: randomBytes(32),
      iv: randomBytes(12),
    });
    const theirs = finishLinkCode(start.state, phoneIdentity, ours.wrappedKeyBundle, identity.public);
    expect(Buffer.from(theirs.advSecret)).toEqual(Buffer.from(ours.advSecret));
    expect(Buffer.from(theirs.companionIdentityPub)).toEqual(Buffer.from(identity.public));
  });

  it("opens Baileys' companion hello with our unwrap", async () => {
    const companion = new BaileysCompanion();
    const hello = await companion.hello();
    const pub = unwrapEphemeralPub(derivePairingCodeKeySync(companion.code, wrappedSalt(hello)), hello);
    expect(Buffer.from(pub)).toEqual(Buffer.from(companion.ephemeral.public));
  });

  it('a mistyped code makes the phone refuse the bundle', () => {
    const ephemeral = generateKeyPair();
    const salt = randomBytes(32);
    const hello = wrapEphemeralPub(derivePairingCodeKeySync('AAAAAAAA', salt), salt, randomBytes(16), ephemeral.public);
    const start = startLinkCode('AAAAAAAB', hello);
    const wrapped = start.wrappedPrimaryEphemeralPub;
    const primaryEphemeralPub = unwrapEphemeralPub(derivePairingCodeKeySync('AAAAAAAA', wrappedSalt(wrapped)), wrapped);
    let bundle: Uint8Array;
    try {
      bundle = companionFinish({
        pairingEphemeral: ephemeral,
        identity: generateKeyPair(),
        primaryIdentityPub: generateKeyPair().public,
        primaryEphemeralPub,
        random: randomBytes(32),
        salt: randomBytes(32),
        iv: randomBytes(12),
      }).wrappedKeyBundle;
    } catch (err) {
      expect((err as PairingError).code).toBe('BAD_KEY');
      return;
    }
    expect(() => finishLinkCode(start.state, generateKeyPair(), bundle, generateKeyPair().public)).toThrow();
  });

  it('refuses short wrapped keys', () => {
    expect(() => wrappedSalt(new Uint8Array(79))).toThrow(PairingError);
  });
});
