/**
 * `<notification>`s about people: a user's or group's picture changed, a
 * user's about changed, and our own account's settings changed on another
 * of our devices (privacy categories, the blocklist). Pure; never throws
 * (what it cannot read is `undefined`, and the caller ignores it).
 *
 * Wire:
 *   <notification type="picture" from="user|group" id t>
 *     <set jid id [author]/> | <delete jid [author]/></notification>
 *   <notification type="status" from="user" id t><set>about text</set></notification>
 *   <notification type="account_sync" from="our user" id t>
 *     <privacy><category name value/>…</privacy>
 *     | <blocklist><item jid action="block|unblock" [pn_jid]/>…</blocklist></notification>
 */
import type { BinaryNode } from '../binary/index.js';
import { jidNormalizedUser } from '../jid/index.js';
import { child, children, childrenByTag, textOf } from './nodes.js';

export type PeopleNotification =
  | { readonly kind: 'picture'; readonly jid: string; readonly pictureId?: string | undefined; readonly removed: boolean; readonly author?: string | undefined; readonly t?: number | undefined }
  | { readonly kind: 'about'; readonly jid: string; readonly about: string; readonly t?: number | undefined }
  | { readonly kind: 'privacy'; readonly settings: Readonly<Record<string, string>> }
  | { readonly kind: 'blocklist'; readonly changes: ReadonlyArray<{ jid: string; action: 'block' | 'unblock'; pn?: string | undefined }> };

/** The people change a notification tells, or undefined when it is not one (or unreadable). */
export function parsePeopleNotification(stanza: BinaryNode): PeopleNotification | undefined {
  const from = stanza.attrs.from;
  const t = Number(stanza.attrs.t);
  const when = Number.isSafeInteger(t) && t > 0 ? t : undefined;
  switch (stanza.attrs.type) {
    case 'picture': {
      const set = child(stanza, 'set');
      const del = child(stanza, 'delete');
      const change = set ?? del;
      const jid = jidNormalizedUser(change?.attrs.jid ?? from);
      if (!change || !jid) return undefined;
      return { kind: 'picture', jid, pictureId: set?.attrs.id, removed: !set, author: change.attrs.author, t: when };
    }
    case 'status': {
      const set = child(stanza, 'set');
      const jid = jidNormalizedUser(from);
      if (!set || !jid) return undefined;
      return { kind: 'about', jid, about: textOf(set) ?? '', t: when };
    }
    case 'account_sync': {
      const first = children(stanza)[0];
      if (first?.tag === 'privacy') {
        const settings: Record<string, string> = {};
        for (const c of childrenByTag(first, 'category')) if (c.attrs.name && c.attrs.value) settings[c.attrs.name] = c.attrs.value;
        return Object.keys(settings).length > 0 ? { kind: 'privacy', settings } : undefined;
      }
      if (first?.tag === 'blocklist') {
        const changes = childrenByTag(first, 'item').flatMap((i) => {
          const jid = jidNormalizedUser(i.attrs.jid);
          const action = i.attrs.action;
          if (!jid || (action !== 'block' && action !== 'unblock')) return [];
          return [{ jid, action, pn: i.attrs.pn_jid ? jidNormalizedUser(i.attrs.pn_jid) : undefined } as const];
        });
        return changes.length > 0 ? { kind: 'blocklist', changes } : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
