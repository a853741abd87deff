/**
 * `<notification type="w:gp2">`: what changed in a group (members added,
 * removed, promoted, demoted, left; subject; created; ephemeral and
 * announcement settings). The account invalidates its group metadata cache
 * and, when a member is gone, rotates our sender key for the group. Pure.
 *
 * Wire:
 *   <notification from="gid@g.us" type="w:gp2" id t participant="actor" [participant_pn]>
 *     <add|remove|promote|demote|leave|subject subject=…|create …|ephemeral expiration|not_ephemeral|announcement|not_announcement…>
 *       <participant jid [phone_number] [lid]/>…
 *     </…>
 *   </notification>
 */
import type { BinaryNode } from '../binary/index.js';
import { child, children, childrenByTag, textOf } from './nodes.js';

export type GroupChangeAction =
  | 'add'
  | 'remove'
  | 'promote'
  | 'demote'
  | 'leave'
  | 'create'
  | 'subject'
  | 'description'
  | 'ephemeral'
  | 'not_ephemeral'
  | 'announcement'
  | 'not_announcement'
  | 'locked'
  | 'unlocked'
  | 'invite'
  | 'member_add_mode'
  | 'membership_approval_mode'
  | 'created_membership_requests'
  | 'revoked_membership_requests'
  | 'link'
  | 'unlink'
  | 'other';

const ACTIONS: ReadonlySet<string> = new Set([
  'add',
  'remove',
  'promote',
  'demote',
  'leave',
  'create',
  'subject',
  'description',
  'ephemeral',
  'not_ephemeral',
  'announcement',
  'not_announcement',
  'locked',
  'unlocked',
  'invite',
  'member_add_mode',
  'membership_approval_mode',
  'created_membership_requests',
  'revoked_membership_requests',
  'link',
  'unlink',
]);

export interface GroupChange {
  readonly action: GroupChangeAction;
  /** The tag as sent (for `other`). */
  readonly tag: string;
  /** Affected members (user JIDs), with their other identity when the server gave it. */
  readonly participants: readonly { jid: string; phoneNumber?: string | undefined; lid?: string | undefined }[];
  readonly subject?: string | undefined;
  /** Disappearing timer in seconds for `ephemeral`. */
  readonly expiration?: number | undefined;
  /** `description`: the new text ("" when it was deleted). */
  readonly description?: string | undefined;
  /** `invite`: the new invite code. */
  readonly code?: string | undefined;
  /** `member_add_mode`: admin_add or all_member_add. */
  readonly memberAddMode?: string | undefined;
  /** `membership_approval_mode`: whether joining needs an admin's approval. */
  readonly joinApproval?: boolean | undefined;
  /** `created_membership_requests`: how the request was made (invite_link…). */
  readonly requestMethod?: string | undefined;
  /** `link`/`unlink`: the kind of link (sub_group, parent) and the groups linked. */
  readonly linkType?: string | undefined;
  readonly groups?: readonly { jid: string; subject?: string | undefined }[] | undefined;
}

export interface GroupNotification {
  readonly group: string;
  readonly id: string;
  readonly actor?: string | undefined;
  /** The actor's phone number beside its LID, in a LID group when the actor shows it (`participant_pn`). */
  readonly actorPn?: string | undefined;
  readonly t: number;
  readonly changes: readonly GroupChange[];
}

/** Reads a `w:gp2` notification; returns undefined for any other stanza. */
export function parseGroupNotification(stanza: BinaryNode): GroupNotification | undefined {
  if (stanza.tag !== 'notification' || stanza.attrs.type !== 'w:gp2' || !stanza.attrs.from) return undefined;
  const changes = children(stanza).map((c): GroupChange => {
    const participants = childrenByTag(c, 'participant').flatMap((p) =>
      p.attrs.jid ? [{ jid: p.attrs.jid, phoneNumber: p.attrs.phone_number, lid: p.attrs.lid }] : [],
    );
    const expiration = c.attrs.expiration === undefined ? undefined : Number(c.attrs.expiration);
    const groups = childrenByTag(c, 'group').flatMap((g) => {
      const jid = g.attrs.jid ?? g.attrs.id;
      return jid ? [{ jid: jid.includes('@') ? jid : `${jid}@g.us`, subject: g.attrs.subject }] : [];
    });
    const approval = child(c, 'group_join')?.attrs.state;
    return {
      action: ACTIONS.has(c.tag) ? (c.tag as GroupChangeAction) : 'other',
      tag: c.tag,
      participants,
      subject: c.attrs.subject,
      expiration: Number.isSafeInteger(expiration) ? expiration : undefined,
      description: c.tag === 'description' ? (textOf(child(c, 'body')) ?? '') : undefined,
      code: c.tag === 'invite' ? c.attrs.code : undefined,
      memberAddMode: c.tag === 'member_add_mode' ? textOf(c) : undefined,
      joinApproval: approval === undefined ? undefined : approval === 'on',
      requestMethod: c.attrs.request_method,
      linkType: c.attrs.link_type ?? c.attrs.unlink_type,
      groups: groups.length > 0 ? groups : undefined,
    };
  });
  const t = Number(stanza.attrs.t);
  return { group: stanza.attrs.from, id: stanza.attrs.id ?? '', actor: stanza.attrs.participant, actorPn: stanza.attrs.participant_pn, t: Number.isSafeInteger(t) ? t : 0, changes };
}

/** Members who no longer belong to the group after these changes (our sender key must rotate). */
export function membersGone(n: GroupNotification): string[] {
  return n.changes.flatMap((c) => (c.action === 'remove' || c.action === 'leave' ? c.participants.map((p) => p.jid) : []));
}
