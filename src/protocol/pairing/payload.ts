/**
 * The ClientPayload a companion sends inside the Noise ClientFinish, as
 * WhatsApp Web sends it (Baileys' generateRegistrationNode / generateLoginNode):
 *
 * - registration (not linked yet): devicePairingData with our registration
 *   id, identity and signed prekey, plus DeviceProps (how the phone lists us);
 *   passive=false, pull=false. The server answers with `pair-device`.
 * - login (linked): username = our phone number, device = our device id;
 *   passive=true, pull=true. The server answers `<success>` or `<failure>`
 *   (405 when the announced Web build is retired).
 *
 * The Web build is the caller's (version.ts: configured, or fetched from
 * what WhatsApp publishes); nothing here decides it.
 */
import { createHash } from 'node:crypto';
import { DJB_TYPE } from '../crypto/index.js';
import { historySyncConfig, requireFullSync, type HistorySyncOptions } from '../history/config.js';
import { uintBytes } from '../iq/nodes.js';
import { jidDecode } from '../jid/index.js';
import { proto } from '../proto/index.js';
import { PairingError } from './errors.js';
import { formatWebVersion, type WebVersion } from './version.js';

export interface ClientInfo {
  /** The WhatsApp Web build we announce (userAgent.appVersion, and buildHash at registration). */
  readonly version: WebVersion;
  /** Shown on the phone's linked-devices list as "<browser> (<os>)". Default Chrome. */
  readonly browser?: string;
  /** Default "Linux". */
  readonly os?: string;
  readonly pushName?: string | undefined;
  /** ISO country for the user agent. Default "US". */
  readonly country?: string;
  /** Registration only: what history to ask the phone for (DeviceProps.requireFullSync and historySyncConfig). Default: the recent part. */
  readonly history?: HistorySyncOptions;
}

function common(info: ClientInfo): proto.IClientPayload {
  const payload: proto.IClientPayload = {
    connectType: proto.ClientPayload.ConnectType.WIFI_UNKNOWN,
    connectReason: proto.ClientPayload.ConnectReason.USER_ACTIVATED,
    userAgent: {
      appVersion: { primary: info.version[0], secondary: info.version[1], tertiary: info.version[2] },
      platform: proto.ClientPayload.UserAgent.Platform.WEB,
      releaseChannel: proto.ClientPayload.UserAgent.ReleaseChannel.RELEASE,
      osVersion: '0.1',
      device: 'Desktop',
      osBuildNumber: '0.1',
      localeLanguageIso6391: 'en',
      mnc: '000',
      mcc: '000',
      localeCountryIso31661Alpha2: info.country ?? 'US',
    },
    webInfo: { webSubPlatform: proto.ClientPayload.WebInfo.WebSubPlatform.WEB_BROWSER },
  };
  if (info.pushName) payload.pushName = info.pushName;
  return payload;
}

export interface RegistrationKeys {
  readonly registrationId: number;
  readonly identityPub: Uint8Array;
  readonly signedPreKey: { readonly keyId: number; readonly public: Uint8Array; readonly signature: Uint8Array };
}

const PLATFORM_TYPES: Readonly<Record<string, proto.DeviceProps.PlatformType>> = {
  Chrome: proto.DeviceProps.PlatformType.CHROME,
  Firefox: proto.DeviceProps.PlatformType.FIREFOX,
  Safari: proto.DeviceProps.PlatformType.SAFARI,
  Edge: proto.DeviceProps.PlatformType.EDGE,
  Opera: proto.DeviceProps.PlatformType.OPERA,
  Desktop: proto.DeviceProps.PlatformType.DESKTOP,
};

export function registrationPayload(keys: RegistrationKeys, info: ClientInfo): Uint8Array {
  const deviceProps = proto.DeviceProps.encode({
    os: info.os ?? 'Linux',
    platformType: PLATFORM_TYPES[info.browser ?? 'Chrome'] ?? proto.DeviceProps.PlatformType.UNKNOWN,
    requireFullSync: requireFullSync(info.history),
    historySyncConfig: historySyncConfig(info.history),
    version: { primary: 10, secondary: 15, tertiary: 7 },
  }).finish();
  return proto.ClientPayload.encode({
    ...common(info),
    passive: false,
    pull: false,
    devicePairingData: {
      buildHash: createHash('md5').update(formatWebVersion(info.version)).digest(),
      deviceProps,
      eRegid: uintBytes(keys.registrationId, 4),
      eKeytype: Uint8Array.of(DJB_TYPE),
      eIdent: keys.identityPub,
      eSkeyId: uintBytes(keys.signedPreKey.keyId, 3),
      eSkeyVal: keys.signedPreKey.public,
      eSkeySig: keys.signedPreKey.signature,
    },
  }).finish();
}

/** @throws PairingError MALFORMED when `deviceJid` is not `<phone>:<device>@s.whatsapp.net` */
export function loginPayload(deviceJid: string, info: ClientInfo): Uint8Array {
  const j = jidDecode(deviceJid);
  if (!j || !/^[0-9]{1,20}$/.test(j.user)) throw new PairingError('MALFORMED', `not a phone device jid: ${deviceJid}`);
  return proto.ClientPayload.encode({
    ...common(info),
    passive: true,
    pull: true,
    username: Number(j.user),
    device: j.device ?? 0,
    lidDbMigrated: false,
  }).finish();
}
