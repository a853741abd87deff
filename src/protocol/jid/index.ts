/**
 * JIDs (WhatsApp addresses): split, join, classify. Pure string functions;
 * the binary codec uses them to choose JID_PAIR or AD_JID on the wire.
 */
export { jidDecode, jidEncode, jidNormalizedUser, type DecodedJid } from './codec.js';
export {
  isBot,
  isBroadcast,
  isCall,
  isGroup,
  isHostedLid,
  isHostedPn,
  isInterop,
  isLid,
  isNewsletter,
  isPn,
  isSameDevice,
  isSameUser,
  isStatusBroadcast,
  jidDevice,
  jidKind,
  toUserJid,
  type JidKind,
} from './kinds.js';
export {
  DOMAIN_TYPE,
  SERVER,
  STATUS_BROADCAST_JID,
  S_WHATSAPP_NET,
  domainTypeForServer,
  serverForDomainType,
  type KnownServer,
} from './servers.js';
