/**
 * The ClientPayload decision: a fresh companion registering (devicePairingData,
 * no username) or a paired device logging in (username + device, whose Noise
 * key must be the one stored at pairing). A pure decision over the directory;
 * sending `<success>`/`<failure>` and the pair-device IQ is session.ts's job.
 */
import { bytesEqual } from '../protocol/crypto/index.js';
import { proto } from '../protocol/proto/index.js';
import type { CompanionHistoryConfig } from './phone-host.js';
import type { DeviceRecord, Directory, SignedPreKey, UserRecord } from './state.js';
import type { WebVersion } from './web-version.js';

/** What a registering companion told us about its Signal keys (ClientPayload.devicePairingData). */
export interface Registration {
  noiseKey: Uint8Array;
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: SignedPreKey;
  pushName?: string;
  /** The history it asked for in DeviceProps (absent when it sent none, or none that decodes). */
  history?: CompanionHistoryConfig;
}

export type LoginDecision =
  | { kind: 'login'; user: UserRecord; device: DeviceRecord; passive: boolean; pushName?: string }
  | { kind: 'register'; registration: Registration }
  /** `reason` goes into `<failure reason=…/>`: 401 unknown/unlinked device or wrong key, 400 malformed payload, 405 a retired client build. */
  | { kind: 'reject'; reason: number; why: string };

/** The oldest build that may log in, as web-version.ts keeps it. */
export interface VersionGate {
  refuses(version: WebVersion | undefined): boolean;
}

export function decideLogin(payloadBytes: Uint8Array, clientStatic: Uint8Array, dir: Directory, versions?: VersionGate): LoginDecision {
  let payload: proto.ClientPayload;
  try {
    payload = proto.ClientPayload.decode(payloadBytes);
  } catch {
    return { kind: 'reject', reason: 400, why: 'ClientPayload does not decode' };
  }
  // A retired build is refused before anything else, registering or logging in, as WhatsApp does (405).
  const version = appVersionOf(payload);
  if (versions?.refuses(version)) return { kind: 'reject', reason: 405, why: `client version ${version?.join('.') ?? '(none)'} is retired` };
  const username = longToString(payload.username);
  if (username !== undefined && username !== '0') {
    const deviceId = payload.device ?? 0;
    const user = dir.user(username);
    const device = user?.devices.get(deviceId);
    if (!user || !device) return { kind: 'reject', reason: 401, why: `unknown device ${username}:${deviceId}` };
    if (deviceId === 0) return { kind: 'reject', reason: 401, why: 'device 0 is the simulated phone' };
    if (!device.noiseKey || !bytesEqual(device.noiseKey, clientStatic)) {
      return { kind: 'reject', reason: 401, why: `noise key mismatch for ${device.jid}` };
    }
    const decision: LoginDecision = { kind: 'login', user, device, passive: payload.passive === true };
    if (payload.pushName) decision.pushName = payload.pushName;
    return decision;
  }
  const reg = payload.devicePairingData;
  if (!reg) return { kind: 'reject', reason: 400, why: 'neither username nor devicePairingData' };
  const regId = uintBE(reg.eRegid, 4);
  const skeyId = uintBE(reg.eSkeyId, 3);
  const ident = reg.eIdent;
  const skey = reg.eSkeyVal;
  const sig = reg.eSkeySig;
  if (regId === undefined || skeyId === undefined || ident?.length !== 32 || skey?.length !== 32 || sig?.length !== 64) {
    return { kind: 'reject', reason: 400, why: 'devicePairingData is incomplete' };
  }
  const registration: Registration = {
    noiseKey: clientStatic,
    registrationId: regId,
    identityKey: ident,
    signedPreKey: { keyId: skeyId, publicKey: skey, signature: sig },
  };
  if (payload.pushName) registration.pushName = payload.pushName;
  const history = historyConfigOf(reg.deviceProps);
  if (history) registration.history = history;
  return { kind: 'register', registration };
}

function appVersionOf(payload: proto.ClientPayload): WebVersion | undefined {
  const v = payload.userAgent?.appVersion;
  if (!v || v.primary == null || v.secondary == null || v.tertiary == null) return undefined;
  return [v.primary, v.secondary, v.tertiary];
}

/** DeviceProps' history wishes; a missing or undecodable DeviceProps asks for nothing in particular. */
function historyConfigOf(bytes: Uint8Array | null | undefined): CompanionHistoryConfig | undefined {
  if (!bytes?.length) return undefined;
  let props: proto.DeviceProps;
  try {
    props = proto.DeviceProps.decode(bytes);
  } catch {
    return undefined;
  }
  const c = props.historySyncConfig;
  const config: CompanionHistoryConfig = { requireFullSync: props.requireFullSync === true, inlineInitialPayload: c?.inlineInitialPayloadInE2EeMsg === true };
  if (c?.recentSyncDaysLimit) config.recentSyncDaysLimit = c.recentSyncDaysLimit;
  if (c?.fullSyncDaysLimit) config.fullSyncDaysLimit = c.fullSyncDaysLimit;
  if (c?.fullSyncSizeMbLimit) config.fullSyncSizeMbLimit = c.fullSyncSizeMbLimit;
  return config;
}

/** protobufjs gives uint64 as number or as a Long object, depending on whether `long` is installed. */
function longToString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'object' && typeof (v as { toString: unknown }).toString === 'function') {
    const s = (v as { toString(): string }).toString();
    return /^[0-9]+$/.test(s) ? s : undefined;
  }
  return undefined;
}

function uintBE(bytes: Uint8Array | null | undefined, length: number): number | undefined {
  if (!bytes || bytes.length !== length) return undefined;
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}
