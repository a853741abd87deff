/**
 * Identity-key trust: the Signal layer never decides whom to trust, it asks the
 * caller through an IdentityTrust function and reports changes. WhatsApp trusts
 * on first use and, when a contact's key changes, accepts the new key, rebuilds
 * the session and shows a "security code changed" notice: that is
 * `trustOnFirstUse` plus the `identityChanged` flags the session calls return.
 * `pinnedIdentity` is the strict alternative (Signal's "verified" contacts).
 */
import { bytesEqual } from '../crypto/hash.js';
import { fromSignalPublicKey } from '../crypto/curve25519.js';

/** Answers whether a peer's 32-byte identity key may be used. */
export type IdentityTrust = (identityKey: Uint8Array) => boolean;

export type IdentityChange = 'new' | 'unchanged' | 'changed';

/** How `presented` relates to the identity we knew for the same address (32- or 33-byte keys). */
export function compareIdentity(known: Uint8Array | undefined, presented: Uint8Array): IdentityChange {
  if (known === undefined) return 'new';
  return bytesEqual(strip(known), strip(presented)) ? 'unchanged' : 'changed';
}

/** WhatsApp's policy: every key is accepted; changes are reported, not refused. */
export const trustOnFirstUse: IdentityTrust = () => true;

/** Accepts only the known key (or any key when none is known yet). */
export function pinnedIdentity(known: Uint8Array | undefined): IdentityTrust {
  return (key) => compareIdentity(known, key) !== 'changed';
}

function strip(key: Uint8Array): Uint8Array {
  try {
    return fromSignalPublicKey(key);
  } catch {
    return key;
  }
}
