/**
 * IQ dispatch by xmlns. Each namespace has one file with a handler that
 * returns the answer node; every IQ is answered (Baileys' query() resolves
 * to undefined after 60 s and then usually crashes its caller), unknown
 * namespaces with an empty result. A companion that is not linked yet may
 * only use `md` (pairing) and `w:p` (keepalive).
 */
import type { Hub } from '../hub.js';
import { iqError, iqResult, type BinaryNode } from '../nodes.js';
import type { Pairing, RegisteringClient } from '../pairing.js';
import { handleAppState } from './app-state.js';
import { handleBlocklist } from './blocklist.js';
import { handleDirty } from './dirty.js';
import { handleEncrypt } from './encrypt.js';
import { handleGroups } from './groups.js';
import { handleMd } from './md.js';
import { handleMediaConn } from './media-conn.js';
import { handleMex } from './mex.js';
import { handlePassive } from './passive.js';
import { handlePing } from './ping.js';
import { handlePrivacy } from './privacy.js';
import { handleBusiness, handleProfilePicture, handleStatus } from './profile.js';
import { handleProps } from './props.js';
import { handleUsync } from './usync.js';

export interface IqContext {
  hub: Hub;
  pairing: Pairing;
  session: RegisteringClient;
  /** The logged-in device, or undefined for a companion that is still registering. */
  deviceJid: string | undefined;
}

/** A handler for a logged-in device. */
export type IqHandler = (ctx: IqContext & { deviceJid: string }, iq: BinaryNode) => BinaryNode;

const HANDLERS: Readonly<Record<string, IqHandler>> = {
  encrypt: handleEncrypt,
  usync: handleUsync,
  passive: handlePassive,
  'w:p': handlePing,
  abt: handleProps,
  w: handleProps,
  blocklist: handleBlocklist,
  privacy: handlePrivacy,
  'w:m': handleMediaConn,
  'w:g2': handleGroups,
  'w:sync:app:state': handleAppState,
  'urn:xmpp:whatsapp:dirty': handleDirty,
  'w:profile:picture': handleProfilePicture,
  status: handleStatus,
  'w:biz': handleBusiness,
  'w:mex': handleMex,
};

export function handleIq(ctx: IqContext, iq: BinaryNode): BinaryNode {
  const xmlns = iq.attrs.xmlns ?? '';
  if (!iq.attrs.id) return iqError(iq, 400, 'bad-request');
  if (xmlns === 'md') return handleMd(ctx, iq);
  // A companion waiting to be linked keeps its socket alive with pings like any other.
  if (xmlns === 'w:p') return handlePing(ctx, iq);
  if (ctx.deviceJid === undefined) return iqError(iq, 401, 'not-authorized');
  const handler = HANDLERS[xmlns];
  return handler ? handler({ ...ctx, deviceJid: ctx.deviceJid }, iq) : iqResult(iq);
}
