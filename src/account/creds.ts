/**
 * Fresh credentials for an account that is about to be linked: a Noise key
 * (the server knows the device by it), the Signal identity, registration id
 * and signed prekey (sent in the registration payload), the ephemeral key of
 * pairing by code, and the ADV secret shown in the QR. Stored in one record
 * before the first connection, so a QR shown before a crash stays valid.
 */
import { randomBytes } from 'node:crypto';
import { generateKeyPair } from '../protocol/crypto/index.js';
import { generateIdentityKeyPair, generateRegistrationId, generateSignedPreKey } from '../protocol/signal/index.js';
import type { Creds } from '../store/index.js';

export function newCreds(): Creds {
  const identityKey = generateIdentityKeyPair();
  return {
    noiseKey: generateKeyPair(),
    pairingEphemeralKeyPair: generateKeyPair(),
    identityKey,
    signedPreKey: generateSignedPreKey(identityKey, 1),
    registrationId: generateRegistrationId(),
    advSecretKey: new Uint8Array(randomBytes(32)),
    nextPreKeyId: 1,
    firstUnuploadedPreKeyId: 1,
    accountSyncCounter: 0,
    registered: false,
  };
}
