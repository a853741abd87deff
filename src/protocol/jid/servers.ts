/**
 * JID servers (the part after '@') and the AD_JID domain types that stand for
 * them on the wire. Owns constants and the two mappings; parses nothing.
 */

/** Every server wad knows by name. */
export const SERVER = Object.freeze({
  /** Phone-number users and their devices. */
  PN: 's.whatsapp.net',
  /** Legacy phone-number server (old clients, official/PSA accounts); means the same user as PN. */
  LEGACY: 'c.us',
  /** LID users ("hidden" ids) and their devices. */
  LID: 'lid',
  GROUP: 'g.us',
  /** Broadcast lists and `status@broadcast`. */
  BROADCAST: 'broadcast',
  NEWSLETTER: 'newsletter',
  /** Hosted (Cloud API) phone-number users. */
  HOSTED: 'hosted',
  /** Hosted (Cloud API) LID users. */
  HOSTED_LID: 'hosted.lid',
  /** Meta AI and other bots. */
  BOT: 'bot',
  CALL: 'call',
  /** Messenger users (FB_JID on the wire). */
  MSGR: 'msgr',
  /** Interop users (INTEROP_JID on the wire). */
  INTEROP: 'interop',
} as const);

export type KnownServer = (typeof SERVER)[keyof typeof SERVER];

/**
 * AD_JID domain types. WhatsApp sends device JIDs as one domain byte instead of
 * the server; any other byte value reads as the PN server.
 */
export const DOMAIN_TYPE = Object.freeze({
  WHATSAPP: 0,
  LID: 1,
  HOSTED: 128,
  HOSTED_LID: 129,
} as const);

/** `@s.whatsapp.net` with no user: the `to` of client IQs. */
export const S_WHATSAPP_NET = '@s.whatsapp.net';
export const STATUS_BROADCAST_JID = 'status@broadcast';

/** The server an AD_JID domain byte stands for (unknown values mean PN, as Baileys reads them). */
export function serverForDomainType(domainType: number): string {
  switch (domainType) {
    case DOMAIN_TYPE.LID:
      return SERVER.LID;
    case DOMAIN_TYPE.HOSTED:
      return SERVER.HOSTED;
    case DOMAIN_TYPE.HOSTED_LID:
      return SERVER.HOSTED_LID;
    default:
      return SERVER.PN;
  }
}

/** The domain type implied by a server alone, or undefined when the server has none (then an agent decides). */
export function domainTypeForServer(server: string): number | undefined {
  switch (server) {
    case SERVER.LID:
      return DOMAIN_TYPE.LID;
    case SERVER.HOSTED:
      return DOMAIN_TYPE.HOSTED;
    case SERVER.HOSTED_LID:
      return DOMAIN_TYPE.HOSTED_LID;
    default:
      return undefined;
  }
}
