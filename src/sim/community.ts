/**
 * Communities as WhatsApp keeps them: a parent group (`<parent>`) whose
 * members are the community's, an announcements group made with it
 * (`<default_sub_group>`, announcement mode: only admins post) and the groups
 * linked to it (`<linked_parent jid>`). Whoever is in a linked group is a
 * member of the community and of its announcements group, so an announcement
 * reaches the members of every linked group; the community's admins are the
 * announcements group's admins. Leaving or being removed from a linked group
 * does not take anyone out of the community (as on WhatsApp: one leaves a
 * community by itself). State and the `<group>` children that say it; the
 * IQs are iq/communities.ts's.
 */
import type { GroupRecord, GroupRole, GroupStore } from './groups.js';

export { communityNodes, type CommunityLink } from './community-link.js';

/** The community a group is (its own record when it is the parent), if any. */
export function communityOf(groups: GroupStore, g: GroupRecord): GroupRecord | undefined {
  if (g.community?.announcements !== undefined) return g;
  return g.community?.parent !== undefined ? groups.get(g.community.parent) : undefined;
}

/** The community's announcements group. */
export function announcementsOf(groups: GroupStore, parent: GroupRecord): GroupRecord | undefined {
  const id = parent.community?.announcements;
  return id === undefined ? undefined : groups.get(id);
}

/** The groups linked to a community, its announcements group first. */
export function subGroupsOf(groups: GroupStore, parent: GroupRecord): GroupRecord[] {
  const linked = groups.all().filter((g) => g.community?.parent === parent.id);
  return linked.sort((a, b) => Number(b.community?.isAnnouncements === true) - Number(a.community?.isAnnouncements === true));
}

/**
 * The users (by PN jid) that membership of `g` made new members of its
 * community: each is added to the parent and the announcements group.
 * Returns them with the groups they were added to, for the caller to tell.
 */
export function joinCommunity(groups: GroupStore, g: GroupRecord, users: readonly string[]): Array<{ group: GroupRecord; added: string[] }> {
  const parent = communityOf(groups, g);
  if (!parent || parent === g) return [];
  const out: Array<{ group: GroupRecord; added: string[] }> = [];
  for (const target of [parent, announcementsOf(groups, parent)]) {
    if (!target || target === g) continue;
    const added: string[] = [];
    for (const u of users) if (groups.add(target, u)) added.push(u);
    if (added.length > 0) out.push({ group: target, added });
  }
  return out;
}

/** A community admin is one of its announcements group's too (they post there); a demoted one is no longer. */
export function mirrorAdminRole(groups: GroupStore, parent: GroupRecord, user: string, role: GroupRole): GroupRecord | undefined {
  const ann = announcementsOf(groups, parent);
  if (!ann || !ann.participants.has(user) || ann.participants.get(user) === 'superadmin') return undefined;
  return groups.setRole(ann, user, role) ? ann : undefined;
}
