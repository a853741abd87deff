/**
 * xmlns="encrypt" get `<key>`: the prekey bundles of other users' devices,
 * fetched before the first message to a device we have no session with (or
 * to rebuild one). Every `<user>` carries `reason="identity"`, as whatsmeow
 * sends it on every fetch (Baileys only on a forced one, which is where its
 * own fetches end up for every newly mapped contact): a fetch without it is
 * a shape no current client sends. Pure spec.
 *
 *   <iq type="get" xmlns="encrypt"><key><user jid="user:3@s.whatsapp.net" reason="identity"/>…</key></iq>
 *   → <list><user jid><registration>4B</registration><type>05</type><identity>32B</identity>
 *        <skey><id>3B</id><value>32B</value><signature>64B</signature></skey>
 *        [<key><id>3B</id><value>32B</value></key>]</user>…</list>
 * A `<user>` with an `<error>` (or a malformed bundle) comes back as an error
 * for that device only; the others still get their sessions.
 */
import type { BinaryNode } from '../binary/index.js';
import { bytesOf, child, childrenByTag, node, uintOf } from '../stanza/nodes.js';
import { IqParseError } from './errors.js';
import { iq, type IqSpec } from './spec.js';

export interface FetchedBundle {
  readonly registrationId: number;
  /** Raw 32 bytes. */
  readonly identityKey: Uint8Array;
  readonly signedPreKey: { readonly keyId: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array };
  readonly preKey: { readonly keyId: number; readonly publicKey: Uint8Array } | null;
}

export type BundleResult = { readonly jid: string; readonly bundle: FetchedBundle } | { readonly jid: string; readonly error: string };

/** @throws RangeError for an empty list */
export function fetchPreKeyBundles(deviceJids: readonly string[]): IqSpec<BundleResult[]> {
  if (deviceJids.length === 0) throw new RangeError('no devices to fetch bundles for');
  return {
    build: () => iq('encrypt', 'get', [node('key', {}, deviceJids.map((jid) => node('user', { jid, reason: 'identity' })))]),
    parse(result) {
      const list = child(result, 'list');
      if (!list) throw new IqParseError('prekey answer has no <list>');
      return childrenByTag(list, 'user').map(parseBundle);
    },
  };
}

function parseBundle(user: BinaryNode): BundleResult {
  const jid = user.attrs.jid ?? '';
  const error = child(user, 'error');
  if (error) return { jid, error: `${error.attrs.code ?? ''} ${error.attrs.text ?? ''}`.trim() || 'error' };
  const registrationId = uintOf(child(user, 'registration'), 4);
  const identityKey = bytesOf(child(user, 'identity'));
  const skey = child(user, 'skey');
  const spkId = uintOf(child(skey, 'id'), 3);
  const spkPub = bytesOf(child(skey, 'value'));
  const spkSig = bytesOf(child(skey, 'signature'));
  if (registrationId === undefined || identityKey?.length !== 32 || spkId === undefined || spkPub?.length !== 32 || spkSig?.length !== 64) {
    return { jid, error: 'malformed bundle' };
  }
  const key = child(user, 'key');
  let preKey: FetchedBundle['preKey'] = null;
  if (key) {
    const id = uintOf(child(key, 'id'), 3);
    const pub = bytesOf(child(key, 'value'));
    if (id === undefined || pub?.length !== 32) return { jid, error: 'malformed one-time prekey' };
    preKey = { keyId: id, publicKey: pub };
  }
  return { jid, bundle: { registrationId, identityKey, signedPreKey: { keyId: spkId, publicKey: spkPub, signature: spkSig }, preKey } };
}
