/**
 * xmlns="blocklist": get → `<list><item jid/>…</list>`; set
 * `<item action="block|unblock" jid/>` updates the user's list (bounded).
 * Blocking does not yet filter routing.
 */
import { children, iqError, iqResult, node, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

const MAX_BLOCKED = 1024;

export function handleBlocklist(ctx: IqContext & { deviceJid: string }, iq: BinaryNode): BinaryNode {
  const user = ctx.hub.dir.userOf(ctx.deviceJid);
  if (!user) return iqError(iq, 401, 'not-authorized');
  const list = ctx.hub.blocklists.get(user.jid) ?? new Set<string>();
  if (iq.attrs.type === 'set') {
    for (const item of children(iq)) {
      const jid = item.attrs.jid;
      if (item.tag !== 'item' || !jid) continue;
      if (item.attrs.action === 'block' && list.size < MAX_BLOCKED) list.add(jid);
      if (item.attrs.action === 'unblock') list.delete(jid);
    }
    ctx.hub.blocklists.set(user.jid, list);
    return iqResult(iq);
  }
  return iqResult(iq, [node('list', {}, [...list].map((jid) => node('item', { jid })))]);
}
