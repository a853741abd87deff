/**
 * The check of our key bundle at login: the server's digest of what it
 * holds for us (registration id, identity, signed prekey, the one-time
 * prekey ids and a SHA-1 over the keys) against our own keys. When the
 * server holds nothing (404), or what it holds is not ours, peers would get
 * a bundle whose messages we cannot decrypt: we upload our bundle again (our
 * signed prekey, replacing the server's, and a fresh batch of prekeys).
 * WhatsApp Web re-uploads only on 404 and merely logs a mismatch; a mismatch
 * costs us every first message from a new peer, so wad repairs it too.
 * A malformed answer or another error is logged and left to the next login.
 */
import { IqParseError, IqServerError } from '../protocol/iq/index.js';
import { keyDigest, keyDigestMismatch, type KeyDigest } from '../protocol/iq/prekeys.js';
import { replenishPreKeys, type PreKeyDeps } from './prekeys.js';

export type KeyBundleCheck = 'ok' | 'uploaded' | 'unchecked';

export interface KeyBundleOutcome {
  readonly result: KeyBundleCheck;
  /**
   * How many one-time prekeys the server holds for us at least, as the
   * digest lists them (absent when none was read): enough to know no upload
   * is due without asking for the count.
   */
  readonly serverPreKeys?: number;
}

/** @throws connection errors and store errors (the login retries); never for what the server answers */
export async function checkKeyBundle(deps: PreKeyDeps): Promise<KeyBundleOutcome> {
  let digest: KeyDigest;
  try {
    digest = await deps.execute(keyDigest);
  } catch (err) {
    if (err instanceof IqServerError && err.serverCode === 404) return { result: await reupload(deps, 'the server holds no bundle of ours') };
    if (err instanceof IqServerError || err instanceof IqParseError) {
      deps.logger.warn({ err }, 'key bundle digest not checked');
      return { result: 'unchecked' };
    }
    throw err;
  }
  const creds = deps.store.creds;
  if (!creds) return { result: 'unchecked' };
  const preKeys = await deps.store.preKeys.publicKeys(digest.preKeyIds);
  const why = keyDigestMismatch(digest, {
    registrationId: creds.registrationId,
    identityKey: creds.identityKey.public,
    signedPreKey: creds.signedPreKey,
    preKeys,
  });
  return why === undefined ? { result: 'ok', serverPreKeys: digest.preKeyIds.length } : { result: await reupload(deps, why) };
}

async function reupload(deps: PreKeyDeps, why: string): Promise<KeyBundleCheck> {
  deps.logger.warn({ why }, "the server's copy of our key bundle is not ours: uploading it again");
  // A count of 0 makes the upload unconditional.
  await replenishPreKeys(deps, 0);
  return 'uploaded';
}
