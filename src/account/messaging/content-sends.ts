/**
 * One send of each kind of outgoing content, as the send entry point runs
 * it (after the idempotency check and the link preview): reactions and poll
 * votes by the message they name, event answers, a group's timer as the
 * group's setting, channel posts by what a channel takes, and everything
 * else built into a Message and relayed; then what the send leaves behind
 * (a poll's secret, a chat's timer).
 *
 * Owns the choice of what to send; the sending is relay.ts's.
 */
import { randomBytes } from 'node:crypto';
import { buildMessage, editAttribute, messageId, type LinkPreview } from '../../protocol/message/index.js';
import { isGroup, isNewsletter, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { OutgoingContent } from '../../contract/api.js';
import { eventAnswerMessage, liveLocationTurn, rememberSent } from './addon-sends.js';
import { findRef, toMessageContent, type MediaBuilder } from './content.js';
import { MessagingError } from './errors.js';
import { applyGroupUpdate } from './group-admin.js';
import type { Remember } from './idempotency.js';
import { pollRecord } from './inbound.js';
import { sendPollVote } from './poll-vote.js';
import { relay, type RelayContext } from './relay.js';

/** What a send needs besides the relay's context: the media builder, when the account has one. */
export interface ContentContext extends RelayContext {
  readonly media: MediaBuilder | undefined;
}

/** What a channel post may be (its media is uploaded unencrypted). */
const CHANNEL_POSTS: ReadonlySet<string> = new Set(['text', 'poll', 'location', 'contact', 'image', 'video', 'audio', 'document', 'sticker']);

/** One send of any kind; `remember` (an idempotency key's record) rides in its first batch. */
export async function sendContent(ctx: ContentContext, chat: string, content: OutgoingContent, expirationArg: number | undefined, remember?: Remember, audience?: readonly string[], preview?: LinkPreview): Promise<{ messageId: string }> {
  if (audience && ['reaction', 'poll-vote', 'poll', 'event-response', 'pin', 'keep'].includes(content.type)) throw new MessagingError('BAD_CONTENT', `a status cannot be a ${content.type}`);
  if (content.type === 'reaction') return react(ctx, chat, content.messageId, content.emoji, remember);
  if (content.type === 'poll-vote') return vote(ctx, chat, content.pollId, content.options, remember);
  const deps = ctx.deps;
  const { ids, groups } = ctx.parts;
  if (content.type === 'event-response') {
    return relay(ctx, chat, await eventAnswerMessage(deps, ids, chat, content.eventId, content.response, content.extraGuests, ctx.now()), { remember });
  }
  // A group's timer is the group's setting (an IQ); no message carries it, so no message id answers it.
  if (content.type === 'disappearing' && isGroup(chat) && !audience) {
    await applyGroupUpdate(groups, chat, { ephemeral: content.expiration });
    return { messageId: '' };
  }
  if (isNewsletter(chat) && !CHANNEL_POSTS.has(content.type)) throw new MessagingError('BAD_CONTENT', `a channel post may be text, media, poll, location or contact, not ${content.type}`);
  // Statuses vanish after a day on their own: no chat timer applies.
  const expiration = audience ? undefined : (expirationArg ?? ((isGroup(chat) ? (await groups.metadata(chat)).ephemeral : (await deps.store.chats.get(await ids.canonicalChat(chat)))?.expiration) || undefined));
  const built = await toMessageContent(deps, ids, chat, content, ctx.media, ctx.now(), preview);
  let message: proto.IMessage;
  try {
    message = buildMessage(built, { expiration, viewOnce: 'viewOnce' in content ? content.viewOnce : undefined });
  } catch (err) {
    throw new MessagingError('BAD_CONTENT', (err as Error).message, { cause: err });
  }
  const inMailbox = content.type === 'live-location' ? (id: string, m: proto.IMessage) => liveLocationTurn(deps, chat, content.messageId, id, m, ctx.now()) : undefined;
  const sent = await relay(ctx, chat, message, { expiration, remember, audience, edit: built.type === 'pin' ? editAttribute(message, true) : undefined, mediaHandle: built.mediaHandle, inMailbox });
  await rememberSent(deps, chat, built, sent.messageId, ctx.now());
  if (built.type === 'disappearing' && !isGroup(chat)) {
    const canonical = await ids.canonicalChat(chat);
    await deps.store.transaction((tx) => tx.chats.put(canonical, { expiration: built.expiration }));
  }
  if (built.type === 'poll') {
    const me = deps.me();
    const creators = [jidNormalizedUser(me.jid), jidNormalizedUser(me.lid)].filter((j) => j !== '');
    await deps.store.transaction((tx) => tx.messages.put(chat, sent.messageId, { ...pollRecord(built.options, built.messageSecret, creators), fromMe: true, t: Math.floor(ctx.now() / 1000) }));
  }
  return sent;
}

export async function react(ctx: RelayContext, chat: string, id: string, emoji: string, remember?: Remember): Promise<{ messageId: string }> {
  if (isNewsletter(chat)) return reactToChannelPost(ctx, chat, id, emoji);
  const target = await findRef(ctx.deps, ctx.parts.ids, chat, id);
  return relay(ctx, chat, buildMessage({ type: 'reaction', target, emoji, senderTimestampMs: ctx.now() }), { remember });
}

/** Channel reactions name the post by the server's number, kept with the stored post. @throws MessagingError NOT_FOUND */
async function reactToChannelPost(ctx: RelayContext, chat: string, id: string, emoji: string): Promise<{ messageId: string }> {
  const post = await ctx.deps.store.chatMessages.get(chat, id);
  const serverId = post?.serverId;
  if (typeof serverId !== 'string') throw new MessagingError('NOT_FOUND', `no channel post ${id} with a server id in ${chat}`);
  const reactionId = messageId(ctx.deps.me().jid, Math.floor(ctx.now() / 1000), randomBytes(16));
  await ctx.parts.senders.run(chat, () => ctx.parts.outbound.reactToChannelPost(chat, reactionId, serverId, emoji));
  return { messageId: reactionId };
}

export function vote(ctx: RelayContext, chat: string, pollId: string, chosen: readonly string[], remember?: Remember): Promise<{ messageId: string }> {
  return sendPollVote({ deps: ctx.deps, ids: ctx.parts.ids, now: ctx.now, relay: (c, m) => relay(ctx, c, m, { remember }) }, chat, pollId, chosen);
}
