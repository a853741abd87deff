/**
 * The phone's app state sync keys: it makes them (companions never do), and
 * shares them with each companion in an end-to-end encrypted protocol
 * message, at link and whenever a companion asks for a key id it lacks.
 * The newest key goes last in a share: Baileys takes the last one as the key
 * to write with.
 */
import { randomBytes } from 'node:crypto';
import { buildKeyShare, keyIdString, type SyncKey } from '../../protocol/appstate/index.js';
import { proto } from '../../protocol/proto/index.js';

const { APP_STATE_SYNC_KEY_SHARE, APP_STATE_SYNC_KEY_REQUEST } = proto.Message.ProtocolMessage.Type;

/**
 * A new key. Its id is six bytes, four zero bytes and two random ones, the
 * shape WhatsApp's phones give them.
 */
export function newSyncKey(now: number, rawId: number): SyncKey {
  const keyId = new Uint8Array(6);
  keyId.set(randomBytes(2), 4);
  return { keyId, keyData: new Uint8Array(randomBytes(32)), fingerprint: { rawId, currentIndex: 0, deviceIndexes: [0] }, timestamp: now };
}

/** The protocol message that gives a companion these keys (oldest first, so the newest is last). */
export function keyShareMessage(keys: readonly SyncKey[]): proto.IMessage {
  const ordered = [...keys].sort((a, b) => a.timestamp - b.timestamp);
  return { protocolMessage: { type: APP_STATE_SYNC_KEY_SHARE, appStateSyncKeyShare: buildKeyShare(ordered) } };
}

/** The key ids a companion asks for, or undefined when the message is not a key request. */
export function requestedKeyIds(message: proto.IMessage): Uint8Array[] | undefined {
  const p = message.protocolMessage;
  if (p?.type !== APP_STATE_SYNC_KEY_REQUEST) return undefined;
  return (p.appStateSyncKeyRequest?.keyIds ?? []).flatMap((k) => (k.keyId && k.keyId.length > 0 ? [k.keyId] : []));
}

/** The keys among `keys` whose ids are asked for. */
export function keysNamed(keys: readonly SyncKey[], ids: readonly Uint8Array[]): SyncKey[] {
  const wanted = new Set(ids.map(keyIdString));
  return keys.filter((k) => wanted.has(keyIdString(k.keyId)));
}

export interface SyncKeyJson {
  keyId: string;
  keyData: string;
  timestamp: number;
  fingerprint?: { rawId: number; currentIndex: number; deviceIndexes: number[] };
}

export function keyToJson(k: SyncKey): SyncKeyJson {
  return {
    keyId: b64(k.keyId),
    keyData: b64(k.keyData),
    timestamp: k.timestamp,
    ...(k.fingerprint ? { fingerprint: { ...k.fingerprint, deviceIndexes: [...k.fingerprint.deviceIndexes] } } : {}),
  };
}

export function keyFromJson(j: SyncKeyJson): SyncKey {
  return { keyId: unb64(j.keyId), keyData: unb64(j.keyData), timestamp: j.timestamp, ...(j.fingerprint ? { fingerprint: j.fingerprint } : {}) };
}

export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export function unb64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
