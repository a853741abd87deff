/**
 * The control contract's community requests: a community is a parent group
 * with an announcements group (only admins post; every member of every linked
 * group is in it) and the groups linked to it.
 * Types only; frames.ts folds CommunityRequestMap into RequestMap and api.ts
 * CommunityApi into DaemonApi.
 */
import type { GroupInfo } from './groups.js';

/** community:create */
export interface CommunityCreated {
  jid: string;
  /** The announcements group WhatsApp makes with the community. */
  announcementsJid: string;
}

/** A group of a community. */
export interface CommunityGroup {
  jid: string;
  subject: string;
  /** The community's announcements group. */
  isAnnouncements?: boolean;
}

/** community:metadata: the community and its tree. */
export interface CommunityInfo {
  jid: string;
  subject: string;
  description?: string;
  owner?: string;
  /** Members of the community (of any linked group, and those who joined it). */
  participants: GroupInfo['participants'];
  size: number;
  announcementsJid?: string;
  /** Every linked group, the announcements group first. */
  groups: CommunityGroup[];
}

/** community:link: per group, 200 or the server's code (401 not an admin of both, 404 no such group, 409 already in a community). */
export interface CommunityLinkResult {
  jid: string;
  status: number;
}

type Empty = Record<string, never>;

export interface CommunityRequestMap {
  'community:create': { data: { subject: string; description?: string }; result: CommunityCreated };
  /** The community in `conversationId`, or any group linked to it. */
  'community:metadata': { data: Empty; result: CommunityInfo };
  /** The community in `conversationId`. */
  'community:link': { data: { groups: string[]; action: 'link' | 'unlink' }; result: { results: CommunityLinkResult[] } };
  /** Leaves the community in `conversationId` (or the one the group there is linked to), and every group of it. */
  'community:leave': { data: Empty; result: { jid: string } };
}

export const COMMUNITY_REQUEST_TYPES = ['community:create', 'community:metadata', 'community:link', 'community:leave'] as const satisfies ReadonlyArray<keyof CommunityRequestMap>;

/** The daemon API's community methods (id = the account). */
export interface CommunityApi {
  /** @throws DaemonError INVALID_PAYLOAD, UNAVAILABLE */
  createCommunity(id: string, subject: string, description?: string): Promise<CommunityCreated>;
  /** @throws DaemonError NOT_FOUND (no such community), NOT_MEMBER */
  communityMetadata(id: string, community: string): Promise<CommunityInfo>;
  /** One result per group, in order. @throws DaemonError NOT_MEMBER (not an admin of the community) */
  linkCommunityGroups(id: string, community: string, groups: string[], link: boolean): Promise<CommunityLinkResult[]>;
  /** @returns the community left @throws DaemonError NOT_FOUND (no such community), NOT_MEMBER */
  leaveCommunity(id: string, community: string): Promise<string>;
}
