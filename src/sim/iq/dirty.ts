/**
 * xmlns="urn:xmpp:whatsapp:dirty": a device says it caught up with what a
 * dirty bit flagged (dirty.ts).
 *   set `<clean type="groups|account_sync" [timestamp]/>` → result; the bit is cleared for the user
 */
import { child, iqError, iqResult, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

export function handleDirty(ctx: IqContext & { deviceJid: string }, iq: BinaryNode): BinaryNode {
  const clean = child(iq, 'clean');
  const type = clean?.attrs.type;
  const user = ctx.hub.dir.userOf(ctx.deviceJid);
  if (iq.attrs.type !== 'set' || !type || !user) return iqError(iq, 400, 'bad-request');
  ctx.hub.dirty.clean(user.phone, ctx.deviceJid, type, clean.attrs.timestamp, ctx.hub.now());
  return iqResult(iq);
}
