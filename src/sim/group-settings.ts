/**
 * A group's administration state beyond members and subject: description,
 * the admin-only switches (announce, locked), the disappearing timer, who may
 * add members, join approval with its queue of requests, the invite code,
 * and who left recently (they cannot be re-added for a while). Rendered as
 * the children of `<group>` that Baileys' extractGroupMetadata reads. Kept
 * on the GroupRecord, created on first use; plain data, snapshot as JSON.
 */
import { randomBytes } from 'node:crypto';
import { node, type BinaryNode } from './nodes.js';

/** A member who left cannot be added back by an admin for this long (the server answers 408). */
export const RECENTLY_LEFT_SECONDS = 24 * 3600;
/** Join requests kept per group; more are refused (bounded). */
export const MAX_JOIN_REQUESTS = 1_000;
/** Personal invites outstanding per group; the oldest goes first. */
export const MAX_INVITES = 1_000;

export interface JoinRequestRecord {
  /** Unix seconds. */
  t: number;
  /** invite_link, non_admin_add… */
  method: string;
}

export interface GroupSettings {
  description?: { id: string; body: string; owner: string; t: number } | undefined;
  announce: boolean;
  locked: boolean;
  /** Disappearing timer, seconds (0: off). */
  ephemeral: number;
  joinApproval: boolean;
  memberAddMode: 'admin_add' | 'all_member_add';
  /** The current invite code (made on first ask, replaced on revoke). */
  inviteCode?: string | undefined;
  /** Pending join requests, user jid → request. */
  requests: Map<string, JoinRequestRecord>;
  /** User jid → unix seconds when they left (bounded by the group's size over a day). */
  leftAt: Map<string, number>;
  /** Personal invites for those who could not be added (403): user jid → code and expiry (unix s). */
  invites: Map<string, { code: string; expiration: number }>;
}

export interface GroupSettingsSnapshot {
  description?: { id: string; body: string; owner: string; t: number } | undefined;
  announce: boolean;
  locked: boolean;
  ephemeral: number;
  joinApproval: boolean;
  memberAddMode: 'admin_add' | 'all_member_add';
  inviteCode?: string | undefined;
  requests: Array<[string, JoinRequestRecord]>;
  leftAt: Array<[string, number]>;
  invites?: Array<[string, { code: string; expiration: number }]>;
}

export function defaultSettings(): GroupSettings {
  return { announce: false, locked: false, ephemeral: 0, joinApproval: false, memberAddMode: 'admin_add', requests: new Map(), leftAt: new Map(), invites: new Map() };
}

/** The settings of a group record, created on first use. */
export function settingsOf(g: { settings?: GroupSettings | undefined }): GroupSettings {
  g.settings ??= defaultSettings();
  return g.settings;
}

/** A fresh invite code: 22 characters of URL-safe base64, like WhatsApp's. */
export function newInviteCode(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/** The `<group>` children that say the settings (none for defaults, as the server omits them). */
export function settingsNodes(s: GroupSettings | undefined): BinaryNode[] {
  if (!s) return [];
  const out: BinaryNode[] = [];
  if (s.description) {
    const d = s.description;
    out.push(node('description', { id: d.id, participant: d.owner, t: String(d.t) }, [node('body', {}, new TextEncoder().encode(d.body))]));
  }
  if (s.announce) out.push(node('announcement'));
  if (s.locked) out.push(node('locked'));
  if (s.ephemeral > 0) out.push(node('ephemeral', { expiration: String(s.ephemeral) }));
  if (s.joinApproval) out.push(node('membership_approval_mode', {}, [node('group_join', { state: 'on' })]));
  out.push(node('member_add_mode', {}, new TextEncoder().encode(s.memberAddMode)));
  return out;
}

export function snapshotSettings(s: GroupSettings): GroupSettingsSnapshot {
  return { ...s, requests: [...s.requests], leftAt: [...s.leftAt], invites: [...s.invites] };
}

export function restoreSettings(s: GroupSettingsSnapshot): GroupSettings {
  return { ...s, requests: new Map(s.requests), leftAt: new Map(s.leftAt), invites: new Map(s.invites ?? []) };
}
