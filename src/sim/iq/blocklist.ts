/**
 * xmlns="blocklist": get → `<list><item jid/>…</list>`; set
 * `<item action="block|unblock" jid/>` updates the user's list (bounded).
 * The router drops a blocked sender's 1:1 messages (router.ts). Items name
 * users: a device jid is kept as its user jid.
 */
import { jidNormalizedUser } from '../../protocol/jid/index.js';
import { children, iqError, iqResult, node, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

const MAX_BLOCKED = 1024;

export function handleBlocklist(ctx: IqContext & { deviceJid: string }, iq: BinaryNode): BinaryNode {
  const user = ctx.hub.dir.userOf(ctx.deviceJid);
  if (!user) return iqError(iq, 401, 'not-authorized');
  const list = ctx.hub.blocklists.get(user.jid) ?? new Set<string>();
  if (iq.attrs.type === 'set') {
    for (const item of children(iq)) {
      const jid = item.attrs.jid && jidNormalizedUser(item.attrs.jid);
      if (item.tag !== 'item' || !jid) continue;
      if (item.attrs.action === 'block' && list.size < MAX_BLOCKED) list.add(jid);
      if (item.attrs.action === 'unblock') list.delete(jid);
    }
    ctx.hub.blocklists.set(user.jid, list);
    return iqResult(iq);
  }
  return iqResult(iq, [node('list', {}, [...list].map((jid) => node('item', { jid })))]);
}
