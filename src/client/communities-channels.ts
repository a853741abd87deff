/**
 * WadClient's community and channel (newsletter) verbs, one method per
 * control request. A layer between the people verbs and WadClient so each
 * verb family keeps its file; the request shapes are community-verbs.ts's
 * and channel-verbs.ts's, shared with the CLI's HTTP link.
 */
import type { CommunityCreated, CommunityInfo, CommunityLinkResult } from '../contract/communities.js';
import type { NewsletterFollowAction, NewsletterInfo } from '../contract/newsletters.js';
import { channelVerbs } from './channel-verbs.js';
import { communityVerbs } from './community-verbs.js';
import { PeopleVerbs } from './people.js';

export class CommunitiesAndChannels extends PeopleVerbs {
  readonly #communities = communityVerbs(this);
  readonly #channels = channelVerbs(this);

  // ---- communities -------------------------------------------------------

  /** A community and its announcements group (only admins post there; every member of every linked group reads it). */
  async createCommunity(account: string, subject: string, description?: string): Promise<CommunityCreated> {
    return this.#communities.createCommunity(account, subject, description);
  }

  /** The community of `group` (the community itself or any group linked to it), with its linked groups. */
  async communityMetadata(account: string, group: string): Promise<CommunityInfo> {
    return this.#communities.communityMetadata(account, group);
  }

  /** Links (or unlinks) groups we administer; per group 200 or the server's code. */
  async linkCommunityGroups(account: string, community: string, groups: string[], action: 'link' | 'unlink' = 'link'): Promise<CommunityLinkResult[]> {
    return this.#communities.linkCommunityGroups(account, community, groups, action);
  }

  /** Leaves the community (named by itself or any group of it) and every group linked to it. */
  async leaveCommunity(account: string, community: string): Promise<string> {
    return this.#communities.leaveCommunity(account, community);
  }

  // ---- channels (newsletters) --------------------------------------------

  /**
   * A channel we own. Post to it with sendText/sendFile on its jid (posts are
   * not end-to-end encrypted; its media is uploaded unencrypted), react with
   * reactToPost; followers' reaction counts come back as message:updated.
   */
  async createChannel(account: string, name: string, description?: string): Promise<NewsletterInfo> {
    return this.#channels.createChannel(account, name, description);
  }

  /** A channel by jid, invite code or https://whatsapp.com/channel/ link. @throws WadClientError NOT_FOUND */
  async channelMetadata(account: string, jidOrInvite: string): Promise<NewsletterInfo> {
    return this.#channels.channelMetadata(account, jidOrInvite);
  }

  /** Follows a channel: its posts arrive as message:new (chat and sender the channel, with `serverId`). */
  async followChannel(account: string, channel: string, action: NewsletterFollowAction = 'follow'): Promise<void> {
    return this.#channels.followChannel(account, channel, action);
  }

  async unfollowChannel(account: string, channel: string): Promise<void> {
    return this.#channels.followChannel(account, channel, 'unfollow');
  }

  /** The channels we own or follow, with our role in each. */
  async listChannels(account: string): Promise<NewsletterInfo[]> {
    return this.#channels.listChannels(account);
  }

  /** Reacts to a channel post by its message id (`''` takes ours back). */
  async reactToPost(account: string, channel: string, postId: string, emoji: string): Promise<string> {
    return this.#channels.reactToPost(account, channel, postId, emoji);
  }
}
