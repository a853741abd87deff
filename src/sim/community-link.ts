/**
 * What a group is to a community, as a group's record keeps it, and the
 * `<group>` children that say it. A leaf under groups.ts (which renders a
 * group) and community.ts (which keeps the communities' state).
 */
import { node, type BinaryNode } from './nodes.js';

/** What a group is to a community (absent for a plain group). */
export interface CommunityLink {
  /** The parent (community) group: the id of its announcements group. */
  announcements?: string | undefined;
  /** A linked group (the announcements group too): its community's id. */
  parent?: string | undefined;
  /** The announcements group of its community. */
  isAnnouncements?: boolean | undefined;
}

/** The `<group>` children that place a group in its community. */
export function communityNodes(g: { readonly community?: CommunityLink | undefined }): BinaryNode[] {
  const c = g.community;
  if (!c) return [];
  const out: BinaryNode[] = [];
  if (c.announcements !== undefined) out.push(node('parent', { default_membership_approval_mode: 'request_required' }));
  if (c.parent !== undefined) out.push(node('linked_parent', { jid: `${c.parent}@g.us` }));
  if (c.isAnnouncements) out.push(node('default_sub_group'));
  return out;
}
