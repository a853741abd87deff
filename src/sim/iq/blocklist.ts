/**
 * xmlns="blocklist": get → `<list><item jid/>…</list>`; set
 * `<item action="block|unblock" jid [pn_jid]/>` updates the user's list
 * (bounded; 400 for an item without a user jid or with another action) and
 * tells the user's other companions in `<notification type="account_sync">
 * <blocklist><item jid action [pn_jid]/></blocklist>`, as WhatsApp keeps
 * every device's list in step. The router drops a blocked sender's 1:1
 * messages (router.ts); presence and profile answers hide the blocker from
 * the blocked (presence.ts, privacy-book.ts). Items name users: a device jid
 * is kept as its user jid.
 */
import { jidNormalizedUser } from '../../protocol/jid/index.js';
import { children, iqError, iqResult, node, type BinaryNode } from '../nodes.js';
import { notifyAccountSync } from '../privacy-book.js';
import type { IqContext } from './index.js';

const MAX_BLOCKED = 1024;

export function handleBlocklist(ctx: IqContext & { deviceJid: string }, iq: BinaryNode): BinaryNode {
  const user = ctx.hub.dir.userOf(ctx.deviceJid);
  if (!user) return iqError(iq, 401, 'not-authorized');
  const list = ctx.hub.blocklists.get(user.jid) ?? new Set<string>();
  if (iq.attrs.type === 'set') {
    const items = children(iq).filter((i) => i.tag === 'item');
    const changes: BinaryNode[] = [];
    for (const item of items) {
      const jid = jidNormalizedUser(item.attrs.jid);
      const action = item.attrs.action;
      if (!jid || (action !== 'block' && action !== 'unblock')) return iqError(iq, 400, 'bad-request');
      // Listed by whichever identity was named; the other one goes too, so either form unblocks.
      const other = ctx.hub.dir.userOf(jid);
      const forms = other ? [other.jid, other.lid] : [jid];
      if (action === 'block') {
        if (list.size >= MAX_BLOCKED) return iqError(iq, 406, 'not-acceptable');
        list.add(jid);
      } else for (const f of forms) list.delete(f);
      const attrs: Record<string, string> = { jid, action };
      if (item.attrs.pn_jid) attrs.pn_jid = item.attrs.pn_jid;
      changes.push(node('item', attrs));
    }
    ctx.hub.blocklists.set(user.jid, list);
    if (changes.length > 0) notifyAccountSync(ctx.hub, user, node('blocklist', {}, changes), ctx.deviceJid);
    return iqResult(iq);
  }
  return iqResult(iq, [node('list', {}, [...list].map((jid) => node('item', { jid })))]);
}
