/**
 * The Web build at login: the payload that announces it (a login for a
 * linked account, a registration for a fresh one) and what a 405 (the build
 * was refused) leads to: log in again with the build WhatsApp publishes
 * now, or stop as outdated when nothing newer is published.
 */
import type { Logger } from 'pino';
import { compareWebVersions, formatWebVersion, loginPayload, registrationPayload, type WebVersion } from '../../protocol/pairing/index.js';
import type { Creds } from '../../store/index.js';
import type { ConnectionSettings } from './settings.js';

/** The ClientPayload bytes for this login, announcing `version`. */
export function payloadFor(creds: Creds, s: ConnectionSettings, version: WebVersion): Uint8Array {
  if (creds.registered && creds.me) return loginPayload(creds.me.id, { version, browser: s.browser, os: s.os });
  const signedPreKey = { keyId: creds.signedPreKey.keyId, public: creds.signedPreKey.keyPair.public, signature: creds.signedPreKey.signature };
  return registrationPayload({ registrationId: creds.registrationId, identityPub: creds.identityKey.public, signedPreKey }, { version, browser: s.browser, os: s.os, history: s.history });
}

/** After a 405: true when a build other than the refused one is published (log in again with it). */
export async function newerBuildPublished(s: ConnectionSettings, refused: WebVersion | undefined, logger: Logger): Promise<boolean> {
  const fresh = await s.refreshWebVersion?.();
  const newer = fresh !== undefined && (refused === undefined || compareWebVersions(fresh, refused) !== 0);
  logger.warn(
    { refused: refused && formatWebVersion(refused), published: fresh && formatWebVersion(fresh) },
    newer ? 'WhatsApp refused our Web build (405): logging in again with the published one' : 'WhatsApp refused our Web build (405) and no newer one is published: the client is outdated',
  );
  return newer;
}
