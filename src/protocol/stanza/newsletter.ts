/**
 * Channel (newsletter) stanzas. Channel posts are not end-to-end encrypted:
 * the Message protobuf travels as is in `<plaintext>`, the server numbers
 * each post (`server_id`) and delivers it to followers, and reactions name a
 * post by that number.
 *
 *   out, post:     <message to="…@newsletter" id type="text|media" [media_id]><plaintext [mediatype]>Message</plaintext></message>
 *   ack of a post: <ack class="message" id from="…@newsletter" server_id t/>
 *   out, reaction: <message to="…@newsletter" id type="reaction" server_id [edit="7"]><reaction [code]/></message>
 *   in, post:      <message from="…@newsletter" id server_id t type><plaintext>Message</plaintext></message>
 *   in, counts:    <notification from="…@newsletter" type="newsletter" id t>
 *                    <live_updates><messages jid t><message server_id><reactions><reaction code count/>…</reactions></message>…</messages></live_updates>
 *                  </notification>
 *
 * An incoming post is confirmed by a plain ack (no receipts: the channel is
 * no person). Pure: builds and reads nodes only.
 */
import type { BinaryNode } from '../binary/index.js';
import { isNewsletter } from '../jid/index.js';
import { StanzaError } from './errors.js';
import { bytesOf, child, children, childrenByTag, node } from './nodes.js';

/**
 * A post: the Message's bytes, unencrypted. `type` is the stanza's (text,
 * media, poll…); `mediaId`, a media post's upload handle (`media_id`, what the
 * media host answered the unencrypted upload with).
 */
export function buildNewsletterPost(to: string, id: string, type: string, message: Uint8Array, mediaType?: string, mediaId?: string): BinaryNode {
  const attrs: Record<string, string> = { to, id, type };
  if (mediaId !== undefined) attrs.media_id = mediaId;
  // On the payload node, as `<enc mediatype>` is for encrypted messages.
  return node('message', attrs, [node('plaintext', mediaType !== undefined ? { mediatype: mediaType } : {}, message)]);
}

/** A reaction to post `serverId`; an empty `code` takes ours back (edit 7, as a revoke). */
export function buildNewsletterReaction(to: string, id: string, serverId: string, code: string): BinaryNode {
  const attrs: Record<string, string> = { to, id, type: 'reaction', server_id: serverId };
  if (code === '') attrs.edit = '7';
  return node('message', attrs, [node('reaction', code === '' ? {} : { code })]);
}

export interface IncomingNewsletterPost {
  readonly jid: string;
  readonly id: string;
  /** The channel's number for the post (what reactions name). */
  readonly serverId: string;
  /** Unix seconds (0 when absent). */
  readonly t: number;
  readonly type?: string | undefined;
  /** The Message protobuf's bytes; absent for posts that carry none (a reaction echo, a deleted post). */
  readonly plaintext?: Uint8Array | undefined;
  readonly offline: boolean;
}

/** Reads a post delivered from a channel. @throws StanzaError when it is not from a channel or lacks id */
export function parseNewsletterPost(stanza: BinaryNode): IncomingNewsletterPost {
  const jid = stanza.attrs.from ?? '';
  const id = stanza.attrs.id;
  if (!isNewsletter(jid) || !id) throw new StanzaError('message', 'not a channel post');
  const t = Number(stanza.attrs.t ?? 0);
  return {
    jid,
    id,
    serverId: stanza.attrs.server_id ?? '',
    t: Number.isSafeInteger(t) ? t : 0,
    type: stanza.attrs.type,
    plaintext: bytesOf(child(stanza, 'plaintext')),
    offline: stanza.attrs.offline !== undefined,
  };
}

export interface NewsletterReactionCount {
  readonly jid: string;
  readonly serverId: string;
  /** Reaction code → how many followers reacted with it now. */
  readonly counts: Record<string, number>;
}

/** The reaction counts a `type="newsletter"` notification carries (none for other notifications). */
export function parseNewsletterLiveUpdates(stanza: BinaryNode): NewsletterReactionCount[] {
  if (stanza.attrs.type !== 'newsletter') return [];
  const out: NewsletterReactionCount[] = [];
  for (const messages of childrenByTag(child(stanza, 'live_updates'), 'messages')) {
    const jid = messages.attrs.jid ?? stanza.attrs.from ?? '';
    for (const m of childrenByTag(messages, 'message')) {
      const reactions = child(m, 'reactions');
      if (!m.attrs.server_id || !reactions) continue;
      const counts: Record<string, number> = {};
      for (const r of children(reactions)) {
        const n = Number(r.attrs.count ?? 0);
        if (r.tag === 'reaction' && r.attrs.code) counts[r.attrs.code] = Number.isSafeInteger(n) ? n : 0;
      }
      out.push({ jid, serverId: m.attrs.server_id, counts });
    }
  }
  return out;
}

/** The live-updates notification telling a post's reaction counts (the server's side). */
export function buildNewsletterReactionCounts(jid: string, id: string, t: string, serverId: string, counts: Record<string, number>): BinaryNode {
  const reactions = Object.entries(counts).map(([code, count]) => node('reaction', { code, count: String(count) }));
  return node('notification', { from: jid, type: 'newsletter', id, t }, [
    node('live_updates', {}, [node('messages', { jid, t }, [node('message', { server_id: serverId }, [node('reactions', {}, reactions)])])]),
  ]);
}
