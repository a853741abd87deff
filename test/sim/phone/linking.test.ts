// Linking through the host contract, both flows, with the companion played by
// Baileys' own code: its QR builder, its pairing-code steps (companion.ts) and
// its unmodified pair-success handler (configureSuccessfulPairing), whose
// pair-device-sign reply the server-side check (verifyPairDeviceSign) accepts.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPairingQRData } from 'baileys/lib/Utils/companion-reg-client-utils.js';
import { Curve } from 'baileys/lib/Utils/crypto.js';
import { configureSuccessfulPairing } from 'baileys/lib/Utils/validate-connection.js';
import { proto } from '../../../src/protocol/proto/index.js';
import type { CompanionReservation, PendingCodeLink, SimNode } from '../../../src/sim/phone-host.js';
import { SimError } from '../../../src/sim/errors.js';
import { SimPhone, verifyPairDeviceSign } from '../../../src/sim/phone/index.js';
import { BaileysCompanion, type Pair } from './companion.js';
import { FakeNetwork } from './fake-host.js';

const require = createRequire(import.meta.url);
const libCurve = require('libsignal/src/curve.js') as { verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean };
const PHONE = '15550001111@s.whatsapp.net';
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

interface Linked {
  reservation: CompanionReservation;
  deviceJid: string;
  signedIdentity: Uint8Array;
  keyIndex: number;
}

/** A host whose pairing methods drive a Baileys companion the way the sim server would. */
function pairingHost(companion: { identity: Pair; advSecretB64: () => string; hello?: PendingCodeLink; onHello?: BaileysCompanion }) {
  const net = new FakeNetwork();
  const linked: Linked[] = [];
  let nextDevice = 2;
  let nextIndex = 1;
  let reservation: CompanionReservation | undefined;
  const host = net.hostFor(PHONE, {
    reserveCompanion(req) {
      if (req.ref.startsWith('stale')) throw new SimError('UNKNOWN_REF', `no companion holds ${req.ref}`);
      reservation = req;
      const deviceId = nextDevice++;
      return { deviceJid: `15550001111:${deviceId}@s.whatsapp.net`, lidJid: `915550001111:${deviceId}@lid`, deviceId, keyIndex: nextIndex++ };
    },
    async completeCompanion({ deviceJid, deviceIdentity }) {
      const stanza = {
        tag: 'iq',
        attrs: { id: 'PS', type: 'result', from: 's.whatsapp.net' },
        content: [{ tag: 'pair-success', attrs: {}, content: [
          { tag: 'device-identity', attrs: {}, content: deviceIdentity },
          { tag: 'device', attrs: { jid: deviceJid, lid: deviceJid.replace('@s.whatsapp.net', '@lid') } },
        ] }],
      };
      const { reply } = configureSuccessfulPairing(stanza as never, {
        advSecretKey: companion.advSecretB64(),
        signedIdentityKey: { public: Buffer.from(companion.identity.public), private: Buffer.from(companion.identity.private) },
        signalIdentities: [],
      } as never) as unknown as { reply: { content: SimNode[] } };
      const sign = (reply.content[0]!.content as SimNode[])[0]!;
      const verified = verifyPairDeviceSign(deviceIdentity, sign.content as Uint8Array, companion.identity.public);
      expect(String(verified.keyIndex)).toBe(sign.attrs['key-index']);
      linked.push({ reservation: reservation!, deviceJid, signedIdentity: verified.signed, keyIndex: verified.keyIndex });
    },
    pendingCodeLink: () => companion.hello,
    async sendPrimaryHello(req) {
      expect(req.ref).toBe(companion.hello!.ref);
      const wrappedKeyBundle = await companion.onHello!.onNotification(req.primaryIdentityPub, req.wrappedPrimaryEphemeralPub);
      return { wrappedKeyBundle, companionIdentityKey: companion.identity.public };
    },
  });
  return { net, host, linked };
}

function checkAccountSignature(phone: SimPhone, l: Linked, companionPub: Uint8Array): void {
  const signed = proto.ADVSignedDeviceIdentity.decode(l.signedIdentity);
  expect(Buffer.from(signed.accountSignatureKey!)).toEqual(Buffer.from(phone.identityKey));
  const msg = Buffer.concat([Buffer.of(6, 0), signed.details!, companionPub]);
  expect(libCurve.verifySignature(Buffer.concat([Buffer.of(5), phone.identityKey]), msg, Buffer.from(signed.accountSignature!))).toBe(true);
}

describe('linkByQr', () => {
  it("links a companion from Baileys' QR; Baileys accepts the pair-success and its countersignature verifies", async () => {
    const identity = Curve.generateKeyPair();
    const noise = Curve.generateKeyPair();
    const adv = b64(randomBytes(32));
    const { host, linked } = pairingHost({ identity, advSecretB64: () => adv });
    const phone = await SimPhone.create(host);
    const qr = buildPairingQRData('2@REFREF', b64(noise.public), b64(identity.public), adv, ['Mac OS', 'Chrome', '14']);
    await expect(phone.linkByQr(qr)).resolves.toEqual({ deviceJid: '15550001111:2@s.whatsapp.net' });
    const qr2 = buildPairingQRData('2@SECOND', b64(noise.public), b64(identity.public), adv, ['Windows', 'Desktop', '10']);
    await expect(phone.linkByQr(qr2)).resolves.toEqual({ deviceJid: '15550001111:3@s.whatsapp.net' });
    expect(linked.map((l) => [l.keyIndex, l.reservation.ref, l.reservation.platformId])).toEqual([
      [1, '2@REFREF', 1],
      [2, '2@SECOND', 8],
    ]);
    expect(Buffer.from(linked[0]!.reservation.noiseKey)).toEqual(Buffer.from(noise.public));
    checkAccountSignature(phone, linked[0]!, identity.public);
  });

  it('fails with BAD_QR for a malformed QR and passes the host error through for a stale ref', async () => {
    const identity = Curve.generateKeyPair();
    const { host } = pairingHost({ identity, advSecretB64: () => b64(randomBytes(32)) });
    const phone = await SimPhone.create(host);
    await expect(phone.linkByQr('https://wa.me/settings/linked_devices#a,b')).rejects.toMatchObject({ code: 'BAD_QR' });
    const stale = buildPairingQRData('stale-ref', b64(randomBytes(32)), b64(identity.public), b64(randomBytes(32)), ['Mac OS', 'Chrome', '1']);
    await expect(phone.linkByQr(stale)).rejects.toMatchObject({ code: 'UNKNOWN_REF' });
  });
});

describe('linkByCode', () => {
  async function codeSetup() {
    const companion = new BaileysCompanion();
    const noise = Curve.generateKeyPair();
    const hello: PendingCodeLink = {
      ref: 'CODEREF',
      wrappedCompanionEphemeralPub: await companion.hello(),
      noiseKey: noise.public,
      platformId: 1,
      platformDisplay: 'Chrome (Mac OS)',
    };
    const ctx = pairingHost({ identity: companion.identity, advSecretB64: () => companion.advSecretB64, hello, onHello: companion });
    return { companion, noise, ...ctx, phone: await SimPhone.create(ctx.host) };
  }

  it('links with the code the companion shows; both sides derive the same ADV secret (Baileys checks the HMAC)', async () => {
    const { companion, noise, linked, phone } = await codeSetup();
    const shown = companion.code.slice(0, 4) + '-' + companion.code.slice(4);
    await expect(phone.linkByCode(shown)).resolves.toEqual({ deviceJid: '15550001111:2@s.whatsapp.net' });
    expect(linked).toHaveLength(1);
    expect(linked[0]!.reservation).toMatchObject({ ref: 'CODEREF', platformId: 1 });
    expect(Buffer.from(linked[0]!.reservation.noiseKey)).toEqual(Buffer.from(noise.public));
    expect(Buffer.from(linked[0]!.reservation.identityKey)).toEqual(Buffer.from(companion.identity.public));
    checkAccountSignature(phone, linked[0]!, companion.identity.public);
  });

  it('fails with BAD_LINK_BUNDLE for a mistyped code and NO_PENDING_LINK without a hello', async () => {
    const { companion, phone, linked } = await codeSetup();
    const wrong = companion.code.slice(0, 7) + (companion.code[7] === 'A' ? 'B' : 'A');
    // The Baileys companion cannot tell; the phone finds out when the bundle does not open.
    await expect(phone.linkByCode(wrong)).rejects.toMatchObject({ code: 'BAD_LINK_BUNDLE' });
    expect(linked).toHaveLength(0);
    await expect(phone.linkByCode('nope')).rejects.toMatchObject({ code: 'BAD_LINK_CODE' });
    const lonely = await SimPhone.create(new FakeNetwork().hostFor(PHONE));
    await expect(lonely.linkByCode('ABCD1234')).rejects.toMatchObject({ code: 'NO_PENDING_LINK' });
  });
});
