/**
 * xmlns="blocklist": the jids this account blocked.
 *
 *   get                                  → <list><item jid/>…</list>
 *   set <item action="block|unblock" jid [pn_jid]/>
 *
 * WhatsApp names the blocked user by LID; a block also says the user's phone
 * number (`pn_jid`) when the LID is the one given, as WhatsApp Web does.
 */
import { IqParseError } from './errors.js';
import { childNode, childrenByTag, node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export const getBlocklist: IqSpec<string[]> = {
  build: () => iq('blocklist', 'get', []),
  parse(result) {
    const list = childNode(result, 'list');
    if (!list) throw new IqParseError('blocklist answer has no <list>');
    return childrenByTag(list, 'item').flatMap((i) => (i.attrs.jid ? [i.attrs.jid] : []));
  },
};

export function updateBlocklist(action: 'block' | 'unblock', jid: string, pn?: string): IqSpec<void> {
  const attrs: Record<string, string> = { action, jid };
  if (pn !== undefined && action === 'block') attrs.pn_jid = pn;
  return { build: () => iq('blocklist', 'set', [node('item', attrs)]), parse: () => undefined };
}
