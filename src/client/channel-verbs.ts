/**
 * The channel (newsletter) verbs over anything that sends control requests:
 * WadClient on the socket and the CLI's HTTP link alike, so `wad channel`
 * works over either without a second copy of each request. Posting is
 * `message:send` to the channel's jid (text, or media: sendText/sendFile)
 * and reacting `message:react` on a post's id; both are the client's
 * message verbs, the channel's jid their chat.
 */
import type { NewsletterFollowAction, NewsletterInfo } from '../contract/newsletters.js';
import type { Requester } from './requester.js';

/** Whether `s` names a channel by jid (digits@newsletter); anything else is read as an invite code or link. */
export const isChannelJid = (s: string): boolean => /^[0-9]{1,40}@newsletter$/.test(s);

export interface ChannelVerbs {
  /** A channel we own. */
  createChannel(account: string, name: string, description?: string): Promise<NewsletterInfo>;
  /** A channel by jid, invite code or https://whatsapp.com/channel/ link. @throws WadClientError NOT_FOUND */
  channelMetadata(account: string, jidOrInvite: string): Promise<NewsletterInfo>;
  /** Follows (its posts arrive as message:new), unfollows, mutes or unmutes. @throws WadClientError NOT_FOUND */
  followChannel(account: string, channel: string, action?: NewsletterFollowAction): Promise<void>;
  /** The channels we own or follow. */
  listChannels(account: string): Promise<NewsletterInfo[]>;
  /** Reacts to a post by its message id (`''` takes ours back); counts come back as message:updated. */
  reactToPost(account: string, channel: string, postId: string, emoji: string): Promise<string>;
}

export function channelVerbs(link: Requester): ChannelVerbs {
  return {
    createChannel: (account, name, description) => link.request('newsletter:create', { name, ...(description !== undefined ? { description } : {}) }, { account }),
    channelMetadata: (account, jidOrInvite) => link.request('newsletter:metadata', isChannelJid(jidOrInvite) ? { jid: jidOrInvite } : { invite: jidOrInvite }, { account }),
    followChannel: async (account, channel, action = 'follow') => {
      await link.request('newsletter:follow', { jid: channel, action }, { account });
    },
    listChannels: async (account) => (await link.request('newsletter:list', {}, { account })).newsletters,
    reactToPost: async (account, channel, postId, emoji) => (await link.request('message:react', { messageId: postId, emoji }, { account, chat: channel })).messageId,
  };
}
