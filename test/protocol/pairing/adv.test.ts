// pair-success on the companion's side against the simulated phone's ADV
// (src/sim/phone/adv.ts) and Baileys' configureSuccessfulPairing.
import { randomBytes } from 'node:crypto';
import { configureSuccessfulPairing } from 'baileys/lib/Utils/validate-connection.js';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { generateKeyPair, hmacSha256, xeddsaVerify } from '../../../src/protocol/crypto/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import {
  ADV_DEVICE_SIG_PREFIX,
  buildPairDeviceSign,
  buildQrString,
  encodeDeviceIdentity,
  parsePairSuccess,
  PairingError,
  verifyAndSignDeviceIdentity,
} from '../../../src/protocol/pairing/index.js';
import { buildDeviceIdentity, verifyCompanionSignature } from '../../../src/sim/phone/adv.js';
import { parseLinkQr } from '../../../src/sim/phone/qr.js';
import { buildPairingQRData } from 'baileys/lib/Utils/companion-reg-client-utils.js';

function setup() {
  const account = generateKeyPair();
  const identity = generateKeyPair();
  const advSecret = new Uint8Array(randomBytes(32));
  const issued = buildDeviceIdentity({ account, companionIdentityPub: identity.public, advSecret, rawId: 7, keyIndex: 3, timestamp: 1_700_000_000 });
  return { account, identity, advSecret, issued };
}

describe('pair-success', () => {
  it('verifies the phone and countersigns so the phone accepts it', () => {
    const { account, identity, advSecret, issued } = setup();
    const v = verifyAndSignDeviceIdentity(issued.hmacWrapped, advSecret, identity);
    expect(v.keyIndex).toBe(3);
    expect(Buffer.from(v.account.details)).toEqual(Buffer.from(issued.details));
    expect(Buffer.from(v.account.accountSignatureKey)).toEqual(Buffer.from(account.public));
    const checked = verifyCompanionSignature(v.reply, { details: issued.details, accountPub: account.public, companionIdentityPub: identity.public });
    expect(checked.keyIndex).toBe(3);
    // What our pkmsgs will carry is what the phone's server stores.
    expect(Buffer.from(encodeDeviceIdentity(v.account))).toEqual(Buffer.from(checked.signed));
    // The reply leaves the account key out, as WhatsApp Web does.
    expect(proto.ADVSignedDeviceIdentity.decode(v.reply).accountSignatureKey ?? undefined).toBeUndefined();
  });

  it("agrees with Baileys' configureSuccessfulPairing on the same stanza", () => {
    const { identity, advSecret, issued } = setup();
    const stanza: BinaryNode = {
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'result', id: 'PS1' },
      content: [
        {
          tag: 'pair-success',
          attrs: {},
          content: [
            { tag: 'device-identity', attrs: {}, content: issued.hmacWrapped },
            { tag: 'platform', attrs: { name: 'android' } },
            { tag: 'device', attrs: { jid: '15550001111:3@s.whatsapp.net', lid: '8880001111:3@lid' } },
            { tag: 'biz', attrs: { name: 'Shop' } },
          ],
        },
      ],
    };
    const theirs = configureSuccessfulPairing(stanza as never, {
      advSecretKey: Buffer.from(advSecret).toString('base64'),
      signedIdentityKey: { public: Buffer.from(identity.public), private: Buffer.from(identity.private) },
      signalIdentities: [],
    } as never);
    const ps = parsePairSuccess(stanza)!;
    expect(ps).toMatchObject({ id: 'PS1', jid: '15550001111:3@s.whatsapp.net', lid: '8880001111:3@lid', platform: 'android', businessName: 'Shop' });
    const ours = verifyAndSignDeviceIdentity(ps.deviceIdentity, advSecret, identity);
    const reply = buildPairDeviceSign(ps.id, ours.keyIndex, ours.reply);
    const theirReply = theirs.reply as { attrs: Record<string, string>; content: Array<{ tag: string; content: Array<{ attrs: Record<string, string>; content: Uint8Array }> }> };
    expect(reply.attrs).toEqual(theirReply.attrs);
    const ourDi = (reply.content as typeof theirReply.content)[0]!.content[0]!;
    const theirDi = theirReply.content[0]!.content[0]!;
    expect(ourDi.attrs).toEqual(theirDi.attrs);
    // Signatures are randomized: compare the fields and check both signatures.
    const a = proto.ADVSignedDeviceIdentity.decode(ourDi.content);
    const b = proto.ADVSignedDeviceIdentity.decode(theirDi.content);
    expect(Buffer.from(a.details!)).toEqual(Buffer.from(b.details!));
    expect(Buffer.from(a.accountSignature!)).toEqual(Buffer.from(b.accountSignature!));
    const msg = Buffer.concat([ADV_DEVICE_SIG_PREFIX, a.details!, identity.public, ours.account.accountSignatureKey]);
    expect(xeddsaVerify(identity.public, msg, a.deviceSignature!)).toBe(true);
    expect(xeddsaVerify(identity.public, msg, b.deviceSignature!)).toBe(true);
  });

  it('refuses a pair-success keyed with another ADV secret', () => {
    const { identity, issued } = setup();
    expect(() => verifyAndSignDeviceIdentity(issued.hmacWrapped, new Uint8Array(randomBytes(32)), identity)).toThrow(
      expect.objectContaining({ code: 'HMAC_MISMATCH' }),
    );
  });

  it('refuses an account signature over another identity, even with a valid hmac', () => {
    const { identity, advSecret, account } = setup();
    const other = buildDeviceIdentity({ account, companionIdentityPub: generateKeyPair().public, advSecret, rawId: 7, keyIndex: 3, timestamp: 1 });
    expect(() => verifyAndSignDeviceIdentity(other.hmacWrapped, advSecret, identity)).toThrow(expect.objectContaining({ code: 'BAD_ACCOUNT_SIGNATURE' }));
  });

  it('refuses garbage and missing parts', () => {
    const { identity, advSecret } = setup();
    expect(() => verifyAndSignDeviceIdentity(Uint8Array.of(1, 2, 3), advSecret, identity)).toThrow(PairingError);
    const emptyDetails = proto.ADVSignedDeviceIdentityHMAC.encode({ details: new Uint8Array(0), hmac: new Uint8Array(32) }).finish();
    expect(() => verifyAndSignDeviceIdentity(emptyDetails, advSecret, identity)).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    const signed = proto.ADVSignedDeviceIdentity.encode({ details: Uint8Array.of(1), accountSignatureKey: new Uint8Array(31) }).finish();
    const wrapped = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac: hmacSha256(advSecret, signed) }).finish();
    expect(() => verifyAndSignDeviceIdentity(wrapped, advSecret, identity)).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => parsePairSuccess({ tag: 'iq', attrs: { id: 'x' }, content: [{ tag: 'pair-success', attrs: {} }] })).toThrow(PairingError);
    expect(parsePairSuccess({ tag: 'iq', attrs: { id: 'x' } })).toBeUndefined();
  });
});

describe('QR string', () => {
  it('is what Baileys builds and what the phone parses', () => {
    const parts = { ref: '2@abc+/=', noisePub: generateKeyPair().public, identityPub: generateKeyPair().public, advSecret: new Uint8Array(randomBytes(32)), platformId: 1 };
    const qr = buildQrString(parts);
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    expect(qr).toBe(buildPairingQRData(parts.ref, b64(parts.noisePub), b64(parts.identityPub), b64(parts.advSecret), ['Linux', 'Chrome', '']));
    const parsed = parseLinkQr(qr);
    expect(parsed.ref).toBe(parts.ref);
    expect(Buffer.from(parsed.noiseKey)).toEqual(Buffer.from(parts.noisePub));
    expect(Buffer.from(parsed.identityKey)).toEqual(Buffer.from(parts.identityPub));
    expect(Buffer.from(parsed.advSecret)).toEqual(Buffer.from(parts.advSecret));
    expect(parsed.platformId).toBe(1);
  });
});
