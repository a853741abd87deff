/**
 * xmlns="encrypt": our Signal prekeys on the server.
 *
 *   get  <count/>                         → <count value="N"/>  one-time prekeys the server holds
 *   set  <registration/><type/><identity/><list><key><id/><value/></key>…</list>
 *        <skey><id/><value/><signature/></skey>               upload (first login, replenish)
 *   get  <digest/>                        → <digest>…</digest>  what the server holds of our bundle
 *   set  <rotate><skey…/></rotate>                             a new signed prekey
 *
 * Ids go as 3 big-endian bytes, the registration id as 4, the key type as
 * the single byte 5 (Curve25519); public keys are the raw 32 bytes.
 * Fetching other users' bundles is messaging's (not here).
 */
import type { BinaryNode } from '../binary/index.js';
import { DJB_TYPE, type KeyPair } from '../crypto/index.js';
import { IqParseError } from './errors.js';
import { bytesOf, childNode, childrenByTag, node, uintBytes, uintOf } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

const XMLNS = 'encrypt';

/** whatsmeow's numbers: upload 50 when the server holds fewer than 5. */
export const MIN_PREKEY_COUNT = 5;
export const UPLOAD_PREKEY_COUNT = 50;

export interface UploadPreKey {
  readonly keyId: number;
  readonly keyPair: Pick<KeyPair, 'public'>;
}

export interface UploadSignedPreKey {
  readonly keyId: number;
  readonly keyPair: Pick<KeyPair, 'public'>;
  readonly signature: Uint8Array;
}

/** How many one-time prekeys the server still holds for us. */
export const preKeyCount: IqSpec<number> = {
  build: () => iq(XMLNS, 'get', [node('count')]),
  parse(result) {
    const value = childNode(result, 'count')?.attrs.value;
    if (value === undefined || !/^[0-9]+$/.test(value)) throw new IqParseError('encrypt count answer has no numeric <count value>');
    return Number(value);
  },
};

function skeyNode(skey: UploadSignedPreKey): BinaryNode {
  return node('skey', {}, [
    node('id', {}, uintBytes(skey.keyId, 3)),
    node('value', {}, skey.keyPair.public),
    node('signature', {}, skey.signature),
  ]);
}

export interface PreKeyUpload {
  readonly registrationId: number;
  readonly identityKey: Uint8Array;
  readonly preKeys: readonly UploadPreKey[];
  readonly signedPreKey: UploadSignedPreKey;
}

/** Uploads one-time prekeys with our identity and signed prekey. */
export function uploadPreKeys(u: PreKeyUpload): IqSpec<void> {
  return {
    build: () =>
      iq(XMLNS, 'set', [
        node('registration', {}, uintBytes(u.registrationId, 4)),
        node('type', {}, Uint8Array.of(DJB_TYPE)),
        node('identity', {}, u.identityKey),
        node('list', {}, u.preKeys.map((k) => node('key', {}, [node('id', {}, uintBytes(k.keyId, 3)), node('value', {}, k.keyPair.public)]))),
        skeyNode(u.signedPreKey),
      ]),
    parse: () => undefined,
  };
}

export interface KeyDigest {
  readonly registrationId: number;
  readonly identityKey: Uint8Array;
  readonly signedPreKeyId: number;
  readonly preKeyIds: number[];
}

/** What the server holds of our bundle; undefined when it holds none (then upload again). */
export const keyDigest: IqSpec<KeyDigest | undefined> = {
  build: () => iq(XMLNS, 'get', [node('digest')]),
  parse(result) {
    const digest = childNode(result, 'digest');
    if (!digest) return undefined;
    const registrationId = uintOf(childNode(digest, 'registration'));
    const identityKey = bytesOf(childNode(digest, 'identity'));
    const signedPreKeyId = uintOf(childNode(childNode(digest, 'skey'), 'id'));
    if (registrationId === undefined || identityKey === undefined || signedPreKeyId === undefined) {
      throw new IqParseError('encrypt digest lacks registration, identity or skey id');
    }
    const preKeyIds = childrenByTag(childNode(digest, 'list'), 'id').flatMap((n) => {
      const v = uintOf(n);
      return v === undefined ? [] : [v];
    });
    return { registrationId, identityKey, signedPreKeyId, preKeyIds };
  },
};

/** Replaces the signed prekey. */
export function rotateSignedPreKey(skey: UploadSignedPreKey): IqSpec<void> {
  return { build: () => iq(XMLNS, 'set', [node('rotate', {}, [skeyNode(skey)])]), parse: () => undefined };
}

/** `<notification type="encrypt"><count value="N"/></notification>`: the server runs low. Undefined for other notifications. */
export function lowPreKeyCount(notification: BinaryNode): number | undefined {
  if (notification.tag !== 'notification' || notification.attrs.type !== 'encrypt') return undefined;
  const value = childNode(notification, 'count')?.attrs.value;
  return value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined;
}
