/**
 * xmlns="w:g2", the administration of a group beyond its members: settings,
 * description, invite links, joining, join requests. Pure specs, in the
 * shapes WhatsApp Web sends (and Baileys, whatsmeow and whatsapp-rust do).
 *
 *   description:  <iq to=gid set><description id [prev]><body>text</body></description></iq>
 *                 (delete: <description delete="true" [prev]/>)
 *   settings:     <announcement/> <not_announcement/> <locked/> <unlocked/>
 *                 <ephemeral expiration/> <not_ephemeral/>
 *                 <member_add_mode>admin_add|all_member_add</member_add_mode>
 *                 <membership_approval_mode><group_join state="on|off"/></membership_approval_mode>
 *   invite:       get <invite/> → <invite code/> · set <invite/> (revoke) → <invite code/> (the new one)
 *   join:         <iq to="@g.us" set><invite code/></iq> → <group jid/> or <membership_approval_request jid/>
 *   invite info:  <iq to="@g.us" get><invite code/></iq> → <group …/>
 *   accept (v4):  <iq to=gid set><accept code expiration admin/></iq>
 *   requests:     get <membership_approval_requests/> → <membership_approval_requests><membership_approval_request jid request_method request_time/>…
 *                 set <membership_requests_action><approve|reject><participant jid/>…</…></…>
 *                 → <membership_requests_action><approve|reject><participant jid [error]/>…
 */
import type { BinaryNode } from '../binary/index.js';
import { child, childrenByTag, node } from '../stanza/nodes.js';
import { IqParseError } from './errors.js';
import { GROUP_SERVER, parseGroup, type GroupMetadata } from './groups.js';
import { iq, type IqSpec } from './spec.js';

const ANY_GROUP = `@${GROUP_SERVER}`;
const encoder = new TextEncoder();
const done = (): void => undefined;

/** One setting change; each is its own IQ (the server takes one per request). */
export type GroupSettingChange =
  | { readonly kind: 'announce'; readonly on: boolean }
  | { readonly kind: 'locked'; readonly on: boolean }
  | { readonly kind: 'ephemeral'; readonly seconds: number }
  | { readonly kind: 'joinApproval'; readonly on: boolean }
  | { readonly kind: 'memberAddMode'; readonly mode: 'admin_add' | 'all_member_add' };

function settingNode(change: GroupSettingChange): BinaryNode {
  switch (change.kind) {
    case 'announce':
      return node(change.on ? 'announcement' : 'not_announcement');
    case 'locked':
      return node(change.on ? 'locked' : 'unlocked');
    case 'ephemeral':
      return change.seconds > 0 ? node('ephemeral', { expiration: String(change.seconds) }) : node('not_ephemeral');
    case 'joinApproval':
      return node('membership_approval_mode', {}, [node('group_join', { state: change.on ? 'on' : 'off' })]);
    case 'memberAddMode':
      return node('member_add_mode', {}, encoder.encode(change.mode));
  }
}

export function setGroupSetting(group: string, change: GroupSettingChange): IqSpec<void> {
  return { build: () => iq('w:g2', 'set', [settingNode(change)], group), parse: done };
}

/**
 * @param text the new description; empty deletes it
 * @param id a fresh id for the new description (WhatsApp Web uses a message id)
 * @param prev the current description's id, so a concurrent change is refused rather than lost
 */
export function setGroupDescription(group: string, text: string, id: string, prev?: string): IqSpec<void> {
  const attrs: Record<string, string> = text ? { id } : { delete: 'true' };
  if (prev) attrs.prev = prev;
  return {
    build: () => iq('w:g2', 'set', [node('description', attrs, text ? [node('body', {}, encoder.encode(text))] : undefined)], group),
    parse: done,
  };
}

function inviteCode(result: BinaryNode): string {
  const code = child(result, 'invite')?.attrs.code;
  if (!code) throw new IqParseError('invite answer has no code');
  return code;
}

/** The group's current invite code. */
export function groupInviteCode(group: string): IqSpec<string> {
  return { build: () => iq('w:g2', 'get', [node('invite')], group), parse: inviteCode };
}

/** Revokes the invite code; answers the new one. */
export function revokeGroupInvite(group: string): IqSpec<string> {
  return { build: () => iq('w:g2', 'set', [node('invite')], group), parse: inviteCode };
}

export type JoinResult = { readonly jid: string; readonly pending: false } | { readonly jid: string; readonly pending: true };

/** Joins by an invite code; with approval on, the server files a request instead. */
export function joinGroupByCode(code: string): IqSpec<JoinResult> {
  return {
    build: () => iq('w:g2', 'set', [node('invite', { code })], ANY_GROUP),
    parse(result) {
      const request = child(result, 'membership_approval_request');
      if (request?.attrs.jid) return { jid: request.attrs.jid, pending: true };
      const jid = child(result, 'group')?.attrs.jid;
      if (!jid) throw new IqParseError('join answer names no group');
      return { jid: jid.includes('@') ? jid : `${jid}@${GROUP_SERVER}`, pending: false };
    },
  };
}

/** What an invite code leads to, without joining. */
export function groupInviteInfo(code: string): IqSpec<GroupMetadata> {
  return {
    build: () => iq('w:g2', 'get', [node('invite', { code })], ANY_GROUP),
    parse(result) {
      const g = child(result, 'group');
      if (!g) throw new IqParseError('invite info answer has no <group>');
      return parseGroup(g);
    },
  };
}

/** Accepts a group invite message (one admin sent to us in particular). */
export function acceptGroupInvite(group: string, code: string, expiration: number, admin: string): IqSpec<void> {
  return {
    build: () => iq('w:g2', 'set', [node('accept', { code, expiration: String(expiration), admin })], group),
    parse: done,
  };
}

export interface JoinRequest {
  readonly jid: string;
  /** How they asked: invite_link, linked_group_join, non_admin_add… */
  readonly method?: string | undefined;
  /** Unix seconds. */
  readonly t?: number | undefined;
}

export function groupJoinRequests(group: string): IqSpec<JoinRequest[]> {
  return {
    build: () => iq('w:g2', 'get', [node('membership_approval_requests')], group),
    parse: (result) =>
      childrenByTag(child(result, 'membership_approval_requests'), 'membership_approval_request').flatMap((r) => {
        if (!r.attrs.jid) return [];
        const t = Number(r.attrs.request_time);
        return [{ jid: r.attrs.jid, method: r.attrs.request_method, t: Number.isSafeInteger(t) ? t : undefined }];
      }),
  };
}

/** Approves or rejects join requests; per participant 200 or the server's error code. */
export function answerJoinRequests(group: string, action: 'approve' | 'reject', participants: readonly string[]): IqSpec<Array<{ jid: string; status: number }>> {
  return {
    build: () =>
      iq('w:g2', 'set', [node('membership_requests_action', {}, [node(action, {}, participants.map((jid) => node('participant', { jid })))])], group),
    parse(result) {
      const answer = child(child(result, 'membership_requests_action'), action);
      if (!answer) throw new IqParseError(`join requests answer has no <${action}>`);
      return childrenByTag(answer, 'participant').map((p) => ({ jid: p.attrs.jid ?? '', status: p.attrs.error ? Number(p.attrs.error) || 500 : 200 }));
    },
  };
}
