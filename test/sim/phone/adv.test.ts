// The phone's ADV signing, checked by the unmodified Baileys client code path
// (configureSuccessfulPairing: HMAC + account signature, then it countersigns)
// and independently by libsignal's curve (Baileys ignores verifySignature's
// boolean, so it alone would accept any signature).
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configureSuccessfulPairing } from 'baileys/lib/Utils/validate-connection.js';
import { generateKeyPair, type KeyPair } from '../../../src/protocol/crypto/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import {
  buildDeviceIdentity,
  buildKeyIndexList,
  verifyCompanionSignature,
  type DeviceIdentityRequest,
} from '../../../src/sim/phone/adv.js';
import { PhoneError } from '../../../src/sim/phone/errors.js';
import { PhoneKeys } from '../../../src/sim/phone/keys.js';

const require = createRequire(import.meta.url);
const libCurve = require('libsignal/src/curve.js') as {
  verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean;
  calculateSignature(priv: Buffer, msg: Buffer): Buffer;
};
const sig05 = (k: Uint8Array) => Buffer.concat([Buffer.of(5), k]);

interface BaileysReplyNode {
  tag: string;
  attrs: Record<string, string>;
  content: Array<{ tag: string; attrs: Record<string, string>; content: Array<{ tag: string; attrs: Record<string, string>; content: Uint8Array }> }>;
}

function setup(keyIndex = 3) {
  const account = generateKeyPair();
  const companion = generateKeyPair();
  const advSecret = randomBytes(32);
  const req: DeviceIdentityRequest = {
    account,
    companionIdentityPub: companion.public,
    advSecret,
    rawId: 0x7eadbeef,
    keyIndex,
    timestamp: 1_790_000_000,
  };
  return { account, companion, advSecret, req, identity: buildDeviceIdentity(req) };
}

function pairSuccess(deviceIdentity: Uint8Array) {
  return {
    tag: 'iq',
    attrs: { id: 'PS1', type: 'result', from: 's.whatsapp.net' },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: deviceIdentity },
          { tag: 'platform', attrs: { name: 'android' } },
          { tag: 'device', attrs: { jid: '15550001111:3@s.whatsapp.net', lid: '88880001111:3@lid' } },
        ],
      },
    ],
  };
}

function baileysPair(deviceIdentity: Uint8Array, companion: KeyPair, advSecret: Uint8Array) {
  return configureSuccessfulPairing(pairSuccess(deviceIdentity) as never, {
    advSecretKey: Buffer.from(advSecret).toString('base64'),
    signedIdentityKey: { public: Buffer.from(companion.public), private: Buffer.from(companion.private) },
    signalIdentities: [],
  } as never) as unknown as { reply: BaileysReplyNode; creds: { account: proto.IADVSignedDeviceIdentity; me: { id: string; lid: string } } };
}

function errCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof PhoneError) return e.code;
    throw e;
  }
  return undefined;
}

describe('buildDeviceIdentity', () => {
  it('is accepted by Baileys configureSuccessfulPairing, and its signatures verify with libsignal', () => {
    const { account, companion, advSecret, identity } = setup(7);
    const { reply, creds } = baileysPair(identity.hmacWrapped, companion, advSecret);
    expect(creds.me).toMatchObject({ id: '15550001111:3@s.whatsapp.net', lid: '88880001111:3@lid' });
    expect(Buffer.from(creds.account.accountSignatureKey!)).toEqual(Buffer.from(account.public));
    const signNode = reply.content[0]!;
    expect(signNode.tag).toBe('pair-device-sign');
    expect(signNode.content[0]!.attrs['key-index']).toBe('7');

    const wrapped = proto.ADVSignedDeviceIdentityHMAC.decode(identity.hmacWrapped);
    const signed = proto.ADVSignedDeviceIdentity.decode(wrapped.details!);
    const details = proto.ADVDeviceIdentity.decode(signed.details!);
    expect(details.keyIndex).toBe(7);
    expect(details.rawId).toBe(0x7eadbeef);
    expect(Number(details.timestamp)).toBe(1_790_000_000);
    const accountMsg = Buffer.concat([Buffer.of(6, 0), signed.details!, companion.public]);
    expect(libCurve.verifySignature(sig05(account.public), accountMsg, Buffer.from(signed.accountSignature!))).toBe(true);
    // and fails for a different companion identity
    const other = Buffer.concat([Buffer.of(6, 0), signed.details!, generateKeyPair().public]);
    expect(libCurve.verifySignature(sig05(account.public), other, Buffer.from(signed.accountSignature!))).toBe(false);
  });

  it('is rejected by Baileys when the HMAC key is wrong', () => {
    const { companion, identity } = setup();
    expect(() => baileysPair(identity.hmacWrapped, companion, randomBytes(32))).toThrow(/Invalid account signature/);
  });

  it('can be signed with the phone keys (identity = account key) and Baileys accepts it', () => {
    const keys = PhoneKeys.generate();
    const companion = generateKeyPair();
    const advSecret = randomBytes(32);
    const identity = buildDeviceIdentity({
      account: keys.identity, companionIdentityPub: companion.public, advSecret, rawId: keys.advRawId, keyIndex: 1, timestamp: 1,
    });
    const { creds } = baileysPair(identity.hmacWrapped, companion, advSecret);
    expect(Buffer.from(creds.account.accountSignatureKey!)).toEqual(Buffer.from(keys.identity.public));
  });
});

describe('verifyCompanionSignature', () => {
  it("accepts Baileys' pair-device-sign reply and completes it with the account key", () => {
    const { account, companion, advSecret, identity } = setup(4);
    const { reply } = baileysPair(identity.hmacWrapped, companion, advSecret);
    const replyBytes = reply.content[0]!.content[0]!.content;
    const v = verifyCompanionSignature(replyBytes, { details: identity.details, accountPub: account.public, companionIdentityPub: companion.public });
    expect(v.keyIndex).toBe(4);
    const full = proto.ADVSignedDeviceIdentity.decode(v.signed);
    expect(Buffer.from(full.accountSignatureKey!)).toEqual(Buffer.from(account.public));
    const deviceMsg = Buffer.concat([Buffer.of(6, 1), identity.details, companion.public, account.public]);
    expect(libCurve.verifySignature(sig05(companion.public), deviceMsg, Buffer.from(full.deviceSignature!))).toBe(true);
  });

  it('rejects a forged device signature, changed details, and garbage', () => {
    const { account, companion, advSecret, identity } = setup();
    const { reply } = baileysPair(identity.hmacWrapped, companion, advSecret);
    const replyBytes = reply.content[0]!.content[0]!.content;
    const issued = { details: identity.details, accountPub: account.public, companionIdentityPub: companion.public };
    const decoded = proto.ADVSignedDeviceIdentity.decode(replyBytes);

    const forger = generateKeyPair();
    const forged = proto.ADVSignedDeviceIdentity.encode({
      ...decoded,
      deviceSignature: libCurve.calculateSignature(
        Buffer.from(forger.private),
        Buffer.concat([Buffer.of(6, 1), identity.details, companion.public, account.public]),
      ),
    }).finish();
    expect(errCode(() => verifyCompanionSignature(forged, issued))).toBe('ADV_BAD_SIGNATURE');

    const changed = proto.ADVSignedDeviceIdentity.encode({ ...decoded, details: proto.ADVDeviceIdentity.encode({ rawId: 1, keyIndex: 99 }).finish() }).finish();
    expect(errCode(() => verifyCompanionSignature(changed, issued))).toBe('ADV_MALFORMED');
    expect(errCode(() => verifyCompanionSignature(Uint8Array.of(0xff, 0xff, 0xff), issued))).toBe('ADV_MALFORMED');
    expect(errCode(() => verifyCompanionSignature(new Uint8Array(0), issued))).toBe('ADV_MALFORMED');
  });
});

describe('buildKeyIndexList', () => {
  it('is signed over [6,2] ‖ details by the account key (libsignal verifies)', () => {
    const account = generateKeyPair();
    const bytes = buildKeyIndexList({ account, rawId: 42, timestamp: 1_790_000_100, currentIndex: 5, validIndexes: [2, 5] });
    const signed = proto.ADVSignedKeyIndexList.decode(bytes);
    expect(Buffer.from(signed.accountSignatureKey!)).toEqual(Buffer.from(account.public));
    const list = proto.ADVKeyIndexList.decode(signed.details!);
    expect(list.rawId).toBe(42);
    expect(list.currentIndex).toBe(5);
    expect(list.validIndexes).toEqual([2, 5]);
    const msg = Buffer.concat([Buffer.of(6, 2), signed.details!]);
    expect(libCurve.verifySignature(sig05(account.public), msg, Buffer.from(signed.accountSignature!))).toBe(true);
    expect(libCurve.verifySignature(sig05(account.public), Buffer.concat([Buffer.of(6, 0), signed.details!]), Buffer.from(signed.accountSignature!))).toBe(false);
  });
});
