/**
 * The control contract's groups: how a group and its members look, the
 * changes, invites and join requests, and the daemon API's group methods.
 * Types only.
 */

export interface GroupInfo {
  jid: string;
  subject: string;
  owner?: string;
  /**
   * "lid": members are named by LID (as WhatsApp makes new groups), each with
   * `phoneNumber` when the member shows it; "pn": by phone number, with `lid`.
   */
  addressingMode?: 'pn' | 'lid';
  participants: Array<{ jid: string; admin?: 'admin' | 'superadmin'; phoneNumber?: string; lid?: string }>;
  description?: string;
  /** Only admins send. */
  announce?: boolean;
  /** Only admins edit the group's info. */
  locked?: boolean;
  /** Disappearing timer, seconds (0: off). */
  ephemeral?: number;
  /** Joining needs an admin's approval. */
  joinApproval?: boolean;
  /** Who may add members. */
  memberAddMode?: GroupMemberAddMode;
  size?: number;
  isCommunity?: boolean;
  /** The community this group is linked to. */
  parent?: string;
}

export type GroupAction = 'add' | 'remove' | 'promote' | 'demote';

/** `admin`: only admins add members; `all`: every member may. */
export type GroupMemberAddMode = 'admin' | 'all';

/** group:list: one line per group we are in. */
export interface GroupSummary {
  jid: string;
  subject: string;
  /** How many members. */
  participants: number;
  isCommunity?: boolean;
  /** The community a group is linked to. */
  parent?: string;
  /** The announcements group of a community. */
  isAnnouncements?: boolean;
}

/** group:update: each field given is one change, applied in this order; absent fields stay as they are. */
export interface GroupUpdate {
  subject?: string;
  /** "" deletes it. */
  description?: string;
  announce?: boolean;
  locked?: boolean;
  /** Seconds; 0 turns disappearing messages off. */
  ephemeral?: number;
  joinApproval?: boolean;
  memberAddMode?: GroupMemberAddMode;
}

/**
 * One participant's outcome: `status` is the server's code (200 done, 403
 * not allowed by their privacy, 404 no such user, 408 left recently, 409
 * already a member). With `inviteSent`, they could not be added and were
 * sent the group's invite as a message instead.
 */
export interface GroupParticipantResult {
  jid: string;
  status: number;
  inviteSent?: boolean;
}

export interface GroupInvite {
  code: string;
  /** https://chat.whatsapp.com/<code> */
  link: string;
}

/**
 * group:join by a group invite message (one an admin sent us in particular,
 * `message:new` of type `group-invite`): its group, the admin who sent it,
 * and its expiry. The code is group:join's `code`.
 */
export interface GroupInviteMessageRef {
  group: string;
  /** Who sent the invite (the message's sender). */
  admin: string;
  /** Unix seconds, as the message says. */
  expiration: number;
}

/** group:join: the group joined, or `pending` while an admin decides (join approval). */
export interface GroupJoinResult {
  jid: string;
  pending?: boolean;
}

export interface GroupJoinRequest {
  jid: string;
  /** invite_link, … */
  method?: string;
  /** Unix seconds. */
  t?: number;
}

/** The daemon API's group methods (id = the account). */
export interface GroupApi {
  createGroup(id: string, subject: string, participants: string[]): Promise<{ jid: string }>;
  groupMetadata(id: string, group: string): Promise<GroupInfo>;
  groupParticipants(id: string, group: string, action: GroupAction, participants: string[]): Promise<GroupParticipantResult[]>;
  listGroups(id: string): Promise<GroupSummary[]>;
  updateGroup(id: string, group: string, update: GroupUpdate): Promise<void>;
  /** The invite code (`revoke`: a new one, the old stops working). */
  groupInvite(id: string, group: string, action: 'get' | 'revoke'): Promise<GroupInvite>;
  /** Joins by an invite code or link. */
  /** By a link's code, or with `invite` by an invite message's. */
  joinGroup(id: string, code: string, invite?: GroupInviteMessageRef): Promise<GroupJoinResult>;
  groupRequests(id: string, group: string, action: 'list'): Promise<GroupJoinRequest[]>;
  answerGroupRequests(id: string, group: string, action: 'approve' | 'reject', participants: string[]): Promise<Array<{ jid: string; status: number }>>;
  leaveGroup(id: string, group: string): Promise<void>;
}
