// A companion's side of pairing written from Baileys' own exported
// primitives: the steps of Baileys' requestPairingCode (generatePairingKey),
// its link_code_companion_reg notification handler, and (for QR) its
// buildPairingQRData + configureSuccessfulPairing. Used as the independent
// counterpart of the phone's pairing code.
import { randomBytes } from 'node:crypto';
import { aesEncryptCTR, aesEncryptGCM, Curve, derivePairingCodeKey as baileysDerive, hkdf as baileysHkdf } from 'baileys/lib/Utils/crypto.js';
import { bytesToCrockford } from 'baileys/lib/Utils/generics.js';

export type Pair = { private: Uint8Array; public: Uint8Array };

/** Baileys' companion: hello, then (on the notification) companion_finish. */
export class BaileysCompanion {
  constructor(readonly code: string = bytesToCrockford(randomBytes(5))) {}

  readonly ephemeral: Pair = Curve.generateKeyPair();
  readonly identity: Pair = Curve.generateKeyPair();
  advSecretB64 = '';

  async hello(): Promise<Uint8Array> {
    const salt = randomBytes(32);
    const iv = randomBytes(16);
    const key = await baileysDerive(this.code, salt);
    return Buffer.concat([salt, iv, aesEncryptCTR(Buffer.from(this.ephemeral.public), key, iv)]);
  }

  async onNotification(primaryIdentityPub: Uint8Array, wrappedPrimary: Uint8Array): Promise<Uint8Array> {
    const buf = Buffer.from(wrappedPrimary);
    const key = await baileysDerive(this.code, buf.subarray(0, 32));
    const primaryEphemeralPub = aesEncryptCTR(buf.subarray(48, 80), key, buf.subarray(32, 48));
    const companionShared = Curve.sharedKey(this.ephemeral.private, primaryEphemeralPub);
    const random = randomBytes(32);
    const salt = randomBytes(32);
    const bundleKey = Buffer.from(baileysHkdf(companionShared, 32, { salt, info: 'link_code_pairing_key_bundle_encryption_key' }));
    const iv = randomBytes(12);
    const sealed = aesEncryptGCM(Buffer.concat([Buffer.from(this.identity.public), Buffer.from(primaryIdentityPub), random]), bundleKey, iv, Buffer.alloc(0));
    const identityShared = Curve.sharedKey(this.identity.private, Buffer.from(primaryIdentityPub));
    this.advSecretB64 = Buffer.from(baileysHkdf(Buffer.concat([companionShared, identityShared, random]), 32, { info: 'adv_secret' })).toString('base64');
    return Buffer.concat([salt, iv, sealed]);
  }
}

