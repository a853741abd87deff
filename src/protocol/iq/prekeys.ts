/**
 * xmlns="encrypt": our Signal prekeys on the server.
 *
 *   get  <count/>                         → <count value="N"/>  one-time prekeys the server holds
 *   set  <registration/><type/><identity/><list><key><id/><value/></key>…</list>
 *        <skey><id/><value/><signature/></skey>               upload (first login, replenish)
 *   get  <digest/>                        → <digest><registration/><type/><identity/><skey…/><list><id/>…</list><hash/></digest>
 *                                           what the server holds of our bundle (404: nothing)
 *   set  <rotate><skey…/></rotate>                             a new signed prekey
 *
 * Ids go as 3 big-endian bytes, the registration id as 4, the key type as
 * the single byte 5 (Curve25519); public keys are the raw 32 bytes.
 * Fetching other users' bundles is messaging's (not here).
 */
import { createHash } from 'node:crypto';
import type { BinaryNode } from '../binary/index.js';
import { DJB_TYPE, type KeyPair } from '../crypto/index.js';
import { IqParseError } from './errors.js';
import { bytesOf, childNode, childNodes, childrenByTag, node, uintBytes, uintOf } from './nodes.js';
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
  readonly signedPreKey: { readonly keyId: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array };
  /** The one-time prekeys the server holds for us, in the order the hash covers them. */
  readonly preKeyIds: number[];
  /** SHA-1 over identity, signed prekey, its signature and each listed prekey's public key. */
  readonly hash: Uint8Array;
}

/**
 * What the server holds of our bundle. A 404 answer (IqServerError) means it
 * holds none.
 * @throws IqParseError when a part is missing
 */
export const keyDigest: IqSpec<KeyDigest> = {
  build: () => iq(XMLNS, 'get', [node('digest')]),
  parse(result) {
    const digest = childNode(result, 'digest');
    const skey = childNode(digest, 'skey');
    const registrationId = uintOf(childNode(digest, 'registration'));
    const identityKey = bytesOf(childNode(digest, 'identity'));
    const keyId = uintOf(childNode(skey, 'id'));
    const publicKey = bytesOf(childNode(skey, 'value'));
    const signature = bytesOf(childNode(skey, 'signature'));
    const hash = bytesOf(childNode(digest, 'hash'));
    if (registrationId === undefined || !identityKey?.length || keyId === undefined || !publicKey?.length || !signature?.length || !hash?.length) {
      throw new IqParseError('encrypt digest lacks registration, identity, skey or hash');
    }
    // Every child of <list> is an id, whatever its tag (WhatsApp Web reads them so).
    const preKeyIds = childNodes(childNode(digest, 'list')).flatMap((n) => {
      const v = uintOf(n);
      return v === undefined ? [] : [v];
    });
    return { registrationId, identityKey, signedPreKey: { keyId, publicKey, signature }, preKeyIds, hash };
  },
};

/** The digest's hash over a bundle: SHA-1 of identity ‖ signed prekey ‖ its signature ‖ each prekey's public key. */
export function keyBundleHash(identityKey: Uint8Array, signedPreKey: Uint8Array, signature: Uint8Array, preKeys: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha1').update(identityKey).update(signedPreKey).update(signature);
  for (const k of preKeys) h.update(k);
  return new Uint8Array(h.digest());
}

export interface LocalKeyBundle {
  readonly registrationId: number;
  readonly identityKey: Uint8Array;
  readonly signedPreKey: UploadSignedPreKey;
  /** Our one-time prekeys' public keys by id (at least those the digest lists). */
  readonly preKeys: ReadonlyMap<number, Uint8Array>;
}

/** Why the server's copy of our bundle is not ours; undefined when it is. */
export function keyDigestMismatch(server: KeyDigest, local: LocalKeyBundle): string | undefined {
  if (server.registrationId !== local.registrationId) return 'registration id differs';
  if (!equalBytes(server.identityKey, local.identityKey)) return 'identity key differs';
  const skey = server.signedPreKey;
  if (skey.keyId !== local.signedPreKey.keyId || !equalBytes(skey.publicKey, local.signedPreKey.keyPair.public) || !equalBytes(skey.signature, local.signedPreKey.signature)) {
    return 'signed prekey differs';
  }
  const pubs: Uint8Array[] = [];
  for (const id of server.preKeyIds) {
    const pub = local.preKeys.get(id);
    if (!pub) return `prekey ${id} is not ours`;
    pubs.push(pub);
  }
  if (!equalBytes(keyBundleHash(local.identityKey, skey.publicKey, skey.signature, pubs), server.hash)) return 'hash differs';
  return undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

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
