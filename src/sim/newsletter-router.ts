/**
 * The server side of channel posts and reactions. A post (`<plaintext>`,
 * never encrypted) from the owner is numbered (`server_id`) and delivered to
 * every companion device of the owner and of each follower, as
 * `<message from="…@newsletter" id server_id t type><plaintext/></message>`;
 * the sender's ack carries the number. Anyone else's post is refused (403).
 * A reaction from someone who can see the channel updates the post's counts,
 * which the owner's and followers' devices get as a `type="newsletter"`
 * live-updates notification. A media post's `media_id` must be a handle the
 * media host gave a channel upload. Phones (device 0) are left out: the simulated
 * phone does not follow channels.
 */
import { buildNewsletterReactionCounts } from '../protocol/stanza/newsletter.js';
import type { Hub } from './hub.js';
import { bytesOf, child, node, type BinaryNode } from './nodes.js';
import type { NewsletterRecord } from './newsletters.js';
import { parseDeviceJid } from './state.js';

export function routeNewsletter(hub: Hub, senderJid: string, stanza: BinaryNode, ack: (error?: string, extra?: Record<string, string>) => BinaryNode): BinaryNode {
  const sender = hub.dir.userOf(senderJid);
  const n = hub.newsletters.get(stanza.attrs.to ?? '');
  if (!sender || !n) return ack('404');
  const id = stanza.attrs.id!;
  if (stanza.attrs.type === 'reaction') {
    if (n.owner !== sender.jid && !n.followers.has(sender.jid)) return ack('403');
    const serverId = stanza.attrs.server_id ?? '';
    const counts = hub.newsletters.react(n, Number(serverId), sender.jid, child(stanza, 'reaction')?.attrs.code ?? '');
    if (!counts) return ack('404');
    const t = hub.nowSeconds();
    for (const dev of audience(hub, n)) hub.deliver(dev, buildNewsletterReactionCounts(n.jid, `${id}.${dev}`, t, serverId, counts));
    return ack();
  }
  const payload = child(stanza, 'plaintext');
  const plaintext = bytesOf(payload);
  if (!plaintext) return ack('400');
  if (n.owner !== sender.jid) return ack('403');
  // A media post names its upload by the handle the media host gave (Baileys' posts name none).
  const mediaId = stanza.attrs.media_id;
  if (mediaId !== undefined && hub.media && !hub.media.isChannelHandle(mediaId)) return ack('400');
  const serverId = String(hub.newsletters.nextServerId(n));
  const t = hub.nowSeconds();
  const attrs: Record<string, string> = { from: n.jid, id, server_id: serverId, t, type: stanza.attrs.type ?? 'text' };
  // WhatsApp Web names a media post's kind on <plaintext>; Baileys names none.
  const mediatype = payload?.attrs.mediatype ?? stanza.attrs.mediatype;
  for (const dev of audience(hub, n)) {
    if (dev !== senderJid) hub.deliver(dev, node('message', attrs, [node('plaintext', mediatype ? { mediatype } : {}, plaintext)]));
  }
  hub.stats.messagesRouted++;
  hub.onChange();
  return ack(undefined, { server_id: serverId });
}

/** Every companion device of the owner and of the followers. */
function audience(hub: Hub, n: NewsletterRecord): string[] {
  const out: string[] = [];
  for (const userJid of [n.owner, ...n.followers]) {
    const user = hub.dir.userOf(userJid);
    if (!user) continue;
    for (const dev of hub.dir.deviceJids(user)) if ((parseDeviceJid(dev)?.device ?? 0) !== 0) out.push(dev);
  }
  return out;
}
