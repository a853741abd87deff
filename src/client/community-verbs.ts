/**
 * The community verbs over anything that sends
 * control requests (WadClient on the socket, the CLI's HTTP link), so `wad
 * community` works over either without a second copy of each request.
 */
import type { CommunityCreated, CommunityInfo, CommunityLinkResult } from '../contract/communities.js';
import type { Requester } from './requester.js';

export interface CommunityVerbs {
  createCommunity(account: string, subject: string, description?: string): Promise<CommunityCreated>;
  communityMetadata(account: string, community: string): Promise<CommunityInfo>;
  linkCommunityGroups(account: string, community: string, groups: string[], action?: 'link' | 'unlink'): Promise<CommunityLinkResult[]>;
  /** @returns the community left (the one `community` is linked to, when a group of it is named) */
  leaveCommunity(account: string, community: string): Promise<string>;
}

export function communityVerbs(link: Requester): CommunityVerbs {
  return {
    createCommunity: (account, subject, description) => link.request('community:create', { subject, ...(description !== undefined ? { description } : {}) }, { account }),
    communityMetadata: (account, community) => link.request('community:metadata', {}, { account, chat: community }),
    linkCommunityGroups: async (account, community, groups, action = 'link') => (await link.request('community:link', { groups, action }, { account, chat: community })).results,
    leaveCommunity: async (account, community) => (await link.request('community:leave', {}, { account, chat: community })).jid,
  };
}
