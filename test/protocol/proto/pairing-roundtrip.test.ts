// Login, registration and pairing protobufs against Baileys: ClientPayload
// and DeviceProps as Baileys' own generateLoginNode/generateRegistrationNode
// build them, and an ADV identity chain we encode that Baileys' pairing code
// (configureSuccessfulPairing) must accept.
import { createHmac } from 'node:crypto';
import {
  proto as baileys,
  configureSuccessfulPairing,
  Curve,
  generateLoginNode,
  generateRegistrationNode,
} from 'baileys';
import { describe, expect, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import { bytes, expectSameAsBaileys, expectSameRoundTrip, hex, PLAIN } from './helpers.js';

const config = {
  version: [2, 3000, 1_029_496_320],
  browser: ['Mac OS', 'Chrome', '14.4.1'],
  countryCode: 'US',
  syncFullHistory: true,
  pushName: 'wad',
};

describe('ClientPayload', () => {
  it('login payload built by Baileys decodes and re-encodes identically', () => {
    const login = generateLoginNode('15550001111:7@s.whatsapp.net', config as never);
    const ours = proto.ClientPayload.decode(expectSameAsBaileys(proto.ClientPayload, baileys.ClientPayload, login));
    expect(ours.username).toBe(15_550_001_111);
    expect(ours.device).toBe(7);
    expect(ours.passive).toBe(true);
    expect(ours.userAgent?.appVersion?.tertiary).toBe(1_029_496_320);
  });

  it('registration payload built by Baileys, with its DevicePairingRegistrationData and DeviceProps', () => {
    const identity = Curve.generateKeyPair();
    const signedPreKey = { keyId: 0x01_02_03, keyPair: Curve.generateKeyPair(), signature: bytes(64, 'spk/sig') };
    const reg = generateRegistrationNode(
      { registrationId: 0x3f_a1, signedPreKey, signedIdentityKey: identity } as never,
      config as never,
    );
    const encoded = expectSameAsBaileys(proto.ClientPayload, baileys.ClientPayload, reg);
    const pairing = proto.ClientPayload.decode(encoded).devicePairingData!;
    expect(hex(pairing.eRegid!)).toBe('00003fa1');
    expect(hex(pairing.eSkeyId!)).toBe('010203');
    expect(hex(pairing.eIdent!)).toBe(hex(identity.public));
    const props = expectSameAsBaileys(proto.DeviceProps, baileys.DeviceProps, baileys.DeviceProps.decode(pairing.deviceProps!));
    expect(proto.DeviceProps.decode(props).platformType).toBe(proto.DeviceProps.PlatformType.CHROME);
  });

  it('a hand-built login payload with every field wad sets', () => {
    expectSameRoundTrip(proto.ClientPayload, baileys.ClientPayload, {
      username: 15_550_001_111,
      passive: true,
      userAgent: {
        platform: 14,
        appVersion: { primary: 2, secondary: 3000, tertiary: 1_029_496_320 },
        mcc: '000',
        mnc: '000',
        osVersion: '0.1',
        device: 'Desktop',
        osBuildNumber: '0.1',
        releaseChannel: 0,
        localeLanguageIso6391: 'en',
        localeCountryIso31661Alpha2: 'US',
      },
      webInfo: { webSubPlatform: 0 },
      pushName: 'wad',
      sessionId: -12_345,
      connectType: 1,
      connectReason: 1,
      shards: [1, 7],
      dnsSource: { dnsMethod: 0, appCached: false },
      connectAttemptCount: 3,
      device: 7,
      pull: true,
      lidDbMigrated: false,
      paddingBytes: bytes(5, 'pad'),
    });
  });

  it('DeviceProps with a full HistorySyncConfig', () => {
    expectSameRoundTrip(proto.DeviceProps, baileys.DeviceProps, {
      os: 'wad',
      version: { primary: 10, secondary: 15, tertiary: 7 },
      platformType: 1,
      requireFullSync: false,
      historySyncConfig: {
        fullSyncDaysLimit: 365,
        fullSyncSizeMbLimit: 1_024,
        storageQuotaMb: 10_240,
        inlineInitialPayloadInE2EeMsg: true,
        recentSyncDaysLimit: 90,
        supportCallLogHistory: false,
        supportBotUserAgentChatHistory: true,
        supportCagReactionsAndPolls: true,
        supportBizHostedMsg: true,
        supportRecentSyncChunkMessageCountTuning: true,
        supportHostedGroupMsg: true,
        supportFbidBotChatHistory: true,
        supportMessageAssociation: true,
        supportGroupHistory: false,
        onDemandReady: true,
        completeOnDemandReady: true,
        thumbnailSyncDaysLimit: 60,
      },
    });
  });
});

describe('ADV identities', () => {
  const ACCOUNT_PREFIX = Buffer.from([6, 0]);
  const DEVICE_PREFIX = Buffer.from([6, 1]);

  it('Baileys accepts a pair-success whose ADV chain we encoded, and its countersigned answer decodes with ours', () => {
    const account = Curve.generateKeyPair();
    const device = Curve.generateKeyPair();
    const advSecret = bytes(32, 'adv/secret');

    const deviceDetails = proto.ADVDeviceIdentity.encode({ rawId: 1_234_567_890, timestamp: 1_700_000_000, keyIndex: 5, accountType: 0, deviceType: 0 }).finish();
    const accountSignature = Curve.sign(account.private, Buffer.concat([ACCOUNT_PREFIX, deviceDetails, device.public]));
    const signed = proto.ADVSignedDeviceIdentity.encode({ details: deviceDetails, accountSignatureKey: account.public, accountSignature }).finish();
    const hmac = createHmac('sha256', advSecret).update(signed).digest();
    const container = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish();

    const stanza = {
      tag: 'iq',
      attrs: { id: 'pair-1', from: 's.whatsapp.net', type: 'set' },
      content: [{
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: container },
          { tag: 'platform', attrs: { name: 'smba' } },
          { tag: 'device', attrs: { jid: '15550001111:5@s.whatsapp.net', lid: '204873165127721:5@lid' } },
        ],
      }],
    };
    const { reply } = configureSuccessfulPairing(stanza as never, {
      advSecretKey: Buffer.from(advSecret).toString('base64'),
      signedIdentityKey: device,
      signalIdentities: [],
    } as never);

    const signNode = (reply.content as { content: { attrs: Record<string, string>; content: Uint8Array }[] }[])[0]!.content[0]!;
    expect(signNode.attrs['key-index']).toBe('5');
    const answered = proto.ADVSignedDeviceIdentity.decode(signNode.content);
    expect(answered.accountSignatureKey ?? null).toBeNull();
    expect(hex(answered.details!)).toBe(hex(deviceDetails));
    expect(hex(answered.accountSignature!)).toBe(hex(accountSignature));
    const deviceMsg = Buffer.concat([DEVICE_PREFIX, deviceDetails, device.public, account.public]);
    expect(Curve.verify(device.public, deviceMsg, Buffer.from(answered.deviceSignature!))).toBe(true);
    expect(proto.ADVDeviceIdentity.toObject(proto.ADVDeviceIdentity.decode(answered.details!), PLAIN)).toEqual({
      rawId: 1_234_567_890, timestamp: 1_700_000_000, keyIndex: 5, accountType: 'E2EE', deviceType: 'E2EE',
    });
  });

  it('hosted-account containers and key index lists', () => {
    expectSameRoundTrip(proto.ADVSignedDeviceIdentityHMAC, baileys.ADVSignedDeviceIdentityHMAC, {
      details: bytes(120, 'adv/details'), hmac: bytes(32, 'adv/hmac'), accountType: 1,
    });
    const list = expectSameRoundTrip(proto.ADVKeyIndexList, baileys.ADVKeyIndexList, {
      rawId: 1_234_567_890, timestamp: 1_700_000_000, currentIndex: 9, validIndexes: [0, 4, 9], accountType: 0,
    });
    expectSameRoundTrip(proto.ADVSignedKeyIndexList, baileys.ADVSignedKeyIndexList, {
      details: list, accountSignature: bytes(64, 'kil/sig'), accountSignatureKey: bytes(32, 'kil/key'),
    });
  });
});

describe('Noise handshake messages', () => {
  it('ClientHello, ServerHello, ClientFinish and the certificate chain', () => {
    expectSameRoundTrip(proto.HandshakeMessage, baileys.HandshakeMessage, { clientHello: { ephemeral: bytes(32, 'e') } });
    expectSameRoundTrip(proto.HandshakeMessage, baileys.HandshakeMessage, {
      serverHello: { ephemeral: bytes(32, 'se'), static: bytes(48, 'ss'), payload: bytes(400, 'sp') },
    });
    expectSameRoundTrip(proto.HandshakeMessage, baileys.HandshakeMessage, { clientFinish: { static: bytes(48, 'cs'), payload: bytes(300, 'cp') } });
    const details = proto.CertChain.NoiseCertificate.Details.encode({ serial: 1, issuerSerial: 0, key: bytes(32, 'k'), notBefore: 1_700_000_000, notAfter: 1_800_000_000 }).finish();
    expectSameRoundTrip(proto.CertChain, baileys.CertChain, {
      leaf: { details, signature: bytes(64, 'ls') },
      intermediate: { details, signature: bytes(64, 'is') },
    });
  });
});
