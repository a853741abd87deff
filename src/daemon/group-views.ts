/** Groups as the control contract shows them. Pure shaping for the daemon's group requests (account-requests.ts). */
import type { GroupSummary } from '../contract/api.js';
import type { GroupMetadata } from '../protocol/iq/groups.js';

/** A group as group:list shows it. */
export function groupSummary(g: GroupMetadata): GroupSummary {
  return {
    jid: g.jid,
    subject: g.subject,
    participants: g.size,
    ...(g.isCommunity ? { isCommunity: true } : {}),
    ...(g.parent ? { parent: g.parent } : {}),
    ...(g.isCommunityAnnouncements ? { isAnnouncements: true } : {}),
  };
}
