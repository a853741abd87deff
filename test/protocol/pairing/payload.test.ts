// ClientPayloads as the simulator's login decision reads them, and field by field as Baileys builds them.
import { generateLoginNode, generateRegistrationNode } from 'baileys/lib/Utils/validate-connection.js';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/protocol/crypto/index.js';
import { DEFAULT_WEB_VERSION, loginPayload, PairingError, registrationPayload, type WebVersion } from '../../../src/protocol/pairing/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { generateSignedPreKey } from '../../../src/protocol/signal/index.js';
import { decideLogin } from '../../../src/sim/login.js';
import { Directory } from '../../../src/sim/state.js';
import { DEFAULT_LIMITS } from '../../../src/sim/limits.js';

const config = { version: [2, 3000, 1043857760], browser: ['Linux', 'Chrome', ''], countryCode: 'US', syncFullHistory: false };
const info = { version: DEFAULT_WEB_VERSION };

describe('ClientPayload', () => {
  it('registration: the simulator reads our keys back', () => {
    const identity = generateKeyPair();
    const noise = generateKeyPair();
    const spk = generateSignedPreKey(identity, 1);
    const bytes = registrationPayload({ registrationId: 1234, identityPub: identity.public, signedPreKey: { keyId: 1, public: spk.keyPair.public, signature: spk.signature } }, info);
    const d = decideLogin(bytes, noise.public, new Directory(DEFAULT_LIMITS));
    expect(d.kind).toBe('register');
    if (d.kind !== 'register') return;
    expect(d.registration.registrationId).toBe(1234);
    expect(Buffer.from(d.registration.identityKey)).toEqual(Buffer.from(identity.public));
    expect(d.registration.signedPreKey.keyId).toBe(1);

    const theirs = proto.ClientPayload.decode(
      proto.ClientPayload.encode(
        generateRegistrationNode({ registrationId: 1234, signedPreKey: { keyId: 1, keyPair: spk.keyPair, signature: spk.signature }, signedIdentityKey: identity } as never, config as never) as never,
      ).finish(),
    );
    const ours = proto.ClientPayload.decode(bytes);
    for (const k of ['eRegid', 'eKeytype', 'eIdent', 'eSkeyId', 'eSkeyVal', 'eSkeySig', 'buildHash'] as const) {
      expect(Buffer.from(ours.devicePairingData![k]!)).toEqual(Buffer.from(theirs.devicePairingData![k]!));
    }
    expect(ours.userAgent).toEqual(theirs.userAgent);
    expect([ours.passive, ours.pull, ours.connectType, ours.connectReason]).toEqual([theirs.passive, theirs.pull, theirs.connectType, theirs.connectReason]);
  });

  it('login: username and device from our jid, as Baileys sends them', () => {
    const ours = proto.ClientPayload.decode(loginPayload('15550001111:7@s.whatsapp.net', info));
    const theirs = proto.ClientPayload.decode(proto.ClientPayload.encode(generateLoginNode("15550001111:7@s.whatsapp.net", config as never) as never).finish());
    expect(String(ours.username)).toBe('15550001111');
    expect(ours.device).toBe(7);
    expect([ours.passive, ours.pull, ours.lidDbMigrated]).toEqual([theirs.passive, theirs.pull, theirs.lidDbMigrated]);
    expect(String(ours.username)).toBe(String(theirs.username));
    expect(ours.userAgent).toEqual(theirs.userAgent);
    expect(() => loginPayload('not-a-jid', info)).toThrow(PairingError);
  });
});

describe('DeviceProps and the announced build', () => {
  const keys = () => {
    const identity = generateKeyPair();
    const spk = generateSignedPreKey(identity, 1);
    return { identity, spk, ours: { registrationId: 9, identityPub: identity.public, signedPreKey: { keyId: 1, public: spk.keyPair.public, signature: spk.signature } } };
  };
  const propsOf = (bytes: Uint8Array) => proto.DeviceProps.decode(proto.ClientPayload.decode(bytes).devicePairingData!.deviceProps!);

  for (const full of [false, true]) {
    it(`historySyncConfig and requireFullSync=${full} field by field as Baileys registers`, () => {
      const k = keys();
      const ours = propsOf(registrationPayload(k.ours, { ...info, history: { fullSync: full } }));
      const theirBytes = proto.ClientPayload.encode(
        generateRegistrationNode({ registrationId: 9, signedPreKey: { keyId: 1, keyPair: k.spk.keyPair, signature: k.spk.signature }, signedIdentityKey: k.identity } as never, { ...config, syncFullHistory: full } as never) as never,
      ).finish();
      const theirs = propsOf(theirBytes);
      expect(ours.requireFullSync).toBe(full);
      expect(ours.toJSON()).toEqual(theirs.toJSON());
    });
  }

  it('a fetched build goes into userAgent.appVersion and the md5 buildHash, as Baileys derives them from its version', () => {
    const k = keys();
    const newer: WebVersion = [2, 3000, 1100000001];
    const ours = proto.ClientPayload.decode(registrationPayload(k.ours, { version: newer }));
    const theirs = proto.ClientPayload.decode(
      proto.ClientPayload.encode(
        generateRegistrationNode({ registrationId: 9, signedPreKey: { keyId: 1, keyPair: k.spk.keyPair, signature: k.spk.signature }, signedIdentityKey: k.identity } as never, { ...config, version: [...newer] } as never) as never,
      ).finish(),
    );
    expect(ours.userAgent!.appVersion).toEqual(theirs.userAgent!.appVersion);
    expect(Buffer.from(ours.devicePairingData!.buildHash!)).toEqual(Buffer.from(theirs.devicePairingData!.buildHash!));
    expect(proto.ClientPayload.decode(loginPayload('15550001111:7@s.whatsapp.net', { version: newer })).userAgent!.appVersion!.tertiary).toBe(1100000001);
  });
});
