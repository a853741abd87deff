/**
 * JID strings ↔ parts: `user[_agent][:device]@server`. Owns jidDecode,
 * jidEncode and jidNormalizedUser; must not classify JIDs (see kinds.ts).
 *
 * These functions reproduce Baileys' lenient parsing exactly, on purpose:
 * the binary encoder derives the AD_JID bytes from them, and a stricter
 * parser would put different bytes on the wire than Baileys does. Validation
 * belongs to the callers that know what JID they expect.
 */
import { DOMAIN_TYPE, SERVER, domainTypeForServer } from './servers.js';

/** A JID split into parts, field for field what Baileys' `jidDecode` returns. */
export interface DecodedJid {
  /** Everything after the first '@'. */
  server: string;
  /** Before the first '_' of the part before the first ':' (may be ''). */
  user: string;
  /**
   * AD_JID domain type: from the server for lid/hosted/hosted.lid, else
   * `parseInt(agent)` when an agent is present (NaN if it is not a number), else 0.
   */
  domainType: number;
  /** `Number(device)` for a non-empty device part (NaN if not numeric), else undefined. */
  device?: number;
}

/**
 * Splits a JID. Returns undefined when the string has no '@' (or is not a
 * string). Never throws. Only the first two ':'- and '_'-separated fields
 * count: `a_b_c:1:2@s` has user `a`, agent `b`, device 1.
 */
export function jidDecode(jid: string | null | undefined): DecodedJid | undefined {
  if (typeof jid !== 'string') return undefined;
  const at = jid.indexOf('@');
  if (at < 0) return undefined;
  const server = jid.slice(at + 1);

  let colon = jid.indexOf(':');
  if (colon > at) colon = -1;
  const userAgentEnd = colon < 0 ? at : colon;
  let device: number | undefined;
  if (colon >= 0) {
    let deviceEnd = jid.indexOf(':', colon + 1);
    if (deviceEnd < 0 || deviceEnd > at) deviceEnd = at;
    const deviceText = jid.slice(colon + 1, deviceEnd);
    // Number(), not parseInt: '0x10' is 16 and '1e2' is 100 in Baileys too.
    device = deviceText ? Number(deviceText) : undefined;
  }

  let underscore = jid.indexOf('_');
  if (underscore >= userAgentEnd) underscore = -1;
  let user: string;
  let agent = '';
  if (underscore < 0) {
    user = jid.slice(0, userAgentEnd);
  } else {
    user = jid.slice(0, underscore);
    let agentEnd = jid.indexOf('_', underscore + 1);
    if (agentEnd < 0 || agentEnd > userAgentEnd) agentEnd = userAgentEnd;
    agent = jid.slice(underscore + 1, agentEnd);
  }

  let domainType: number = domainTypeForServer(server) ?? DOMAIN_TYPE.WHATSAPP;
  if (domainType === DOMAIN_TYPE.WHATSAPP && agent) domainType = parseInt(agent);
  return { server, user, domainType, device };
}

/**
 * Joins parts into a JID. A falsy user, agent or device is left out, so
 * device 0 (the primary device) gives the plain user JID.
 */
export function jidEncode(
  user: string | number | null | undefined,
  server: string,
  device?: number | null,
  agent?: number | null,
): string {
  let jid = user ? String(user) : '';
  if (agent) jid += '_' + agent;
  if (device) jid += ':' + device;
  return jid + '@' + server;
}

/**
 * The user JID without agent and device, with the legacy `c.us` server read
 * as `s.whatsapp.net`. Returns '' for a string that is not a JID.
 */
export function jidNormalizedUser(jid: string | null | undefined): string {
  const decoded = jidDecode(jid);
  if (!decoded) return '';
  return jidEncode(decoded.user, decoded.server === SERVER.LEGACY ? SERVER.PN : decoded.server);
}
