/**
 * xmlns="blocklist": the jids this account blocked.
 *
 *   get                                  → <list><item jid/>…</list>
 *   set <item action="block|unblock" jid/>
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

export function updateBlocklist(action: 'block' | 'unblock', jid: string): IqSpec<void> {
  return { build: () => iq('blocklist', 'set', [node('item', { action, jid })]), parse: () => undefined };
}
