/**
 * xmlns="w:g2": groups — create, metadata, the groups we are in, participant
 * changes (add/remove/promote/demote), subject, leave. Pure specs; the
 * answer's `<group>` is read the way WhatsApp Web (and Baileys'
 * extractGroupMetadata) reads it.
 *
 *   create:       <iq to="@g.us" type="set"><create subject key><participant jid/>…</create></iq> → <group …/>
 *   metadata:     <iq to="gid@g.us" type="get"><query request="interactive"/></iq>             → <group …/>
 *   participating:<iq to="@g.us" type="get"><participating><participants/><description/></participating></iq> → <groups><group/>…</groups>
 *   participants: <iq to="gid@g.us" type="set"><add|remove|promote|demote><participant jid/>…</…></iq>
 *                 → <add><participant jid [error="403"]/>…</add>
 *   subject:      <iq to="gid@g.us" type="set"><subject>text</subject></iq>
 *   leave:        <iq to="@g.us" type="set"><leave><group id/></leave></iq>
 *
 *   <group id subject s_t s_o creation creator [creator_pn] addressing_mode [size]>
 *     <participant jid [type="admin|superadmin"] [phone_number] [lid]/>…
 *     [<description id><body>…</body></description>] [<ephemeral expiration/>] [<announcement/>] [<locked/>]
 *   </group>
 */
import type { BinaryNode } from '../binary/index.js';
import { child, childrenByTag, node, textOf } from '../stanza/nodes.js';
import { IqParseError } from './errors.js';
import { iq, type IqSpec } from './spec.js';

export const GROUP_SERVER = 'g.us';

export interface GroupParticipant {
  readonly jid: string;
  readonly admin?: 'admin' | 'superadmin' | undefined;
  /** The PN of a LID-listed member. */
  readonly phoneNumber?: string | undefined;
  /** The LID of a PN-listed member. */
  readonly lid?: string | undefined;
}

export interface GroupMetadata {
  readonly jid: string;
  readonly subject: string;
  readonly owner?: string | undefined;
  readonly creation?: number | undefined;
  readonly addressingMode: 'pn' | 'lid';
  readonly participants: readonly GroupParticipant[];
  readonly description?: string | undefined;
  /** Disappearing timer, seconds (0: off). */
  readonly ephemeral: number;
  readonly announce: boolean;
  readonly locked: boolean;
  /** The description's id (a change names it as `prev`). */
  readonly descriptionId?: string | undefined;
  /** New members need an admin's approval (`<membership_approval_mode>`). */
  readonly joinApproval: boolean;
  /** Who may add members: admins only, or every member. */
  readonly memberAddMode: 'admin_add' | 'all_member_add';
  /** Members in all (the server may list fewer, e.g. for a community). */
  readonly size: number;
  /** A community (parent group) rather than a group (`<parent>`). */
  readonly isCommunity: boolean;
  /** The community's announcements group (`<default_sub_group>`). */
  readonly isCommunityAnnouncements: boolean;
  /** The community a sub-group is linked to (`<linked_parent jid>`). */
  readonly parent?: string | undefined;
}

function groupJid(id: string): string {
  return id.includes('@') ? id : `${id}@${GROUP_SERVER}`;
}

/** Reads a `<group>` node. @throws IqParseError without an id */
export function parseGroup(g: BinaryNode): GroupMetadata {
  const id = g.attrs.id;
  if (!id) throw new IqParseError('<group> without id');
  const creation = Number(g.attrs.creation);
  const ephemeral = Number(child(g, 'ephemeral')?.attrs.expiration ?? 0);
  const participants = childrenByTag(g, 'participant');
  const size = Number(g.attrs.size);
  const parent = child(g, 'linked_parent')?.attrs.jid;
  return {
    jid: groupJid(id),
    subject: g.attrs.subject ?? '',
    owner: g.attrs.creator ?? g.attrs.s_o,
    creation: Number.isSafeInteger(creation) ? creation : undefined,
    // A missing attribute means PN (Baileys' extractGroupMetadata).
    addressingMode: g.attrs.addressing_mode === 'lid' ? 'lid' : 'pn',
    participants: participants.flatMap((p) => {
      if (!p.attrs.jid) return [];
      const type = p.attrs.type;
      return [{ jid: p.attrs.jid, admin: type === 'admin' || type === 'superadmin' ? type : undefined, phoneNumber: p.attrs.phone_number, lid: p.attrs.lid }];
    }),
    description: textOf(child(child(g, 'description'), 'body')),
    ephemeral: Number.isSafeInteger(ephemeral) ? ephemeral : 0,
    announce: child(g, 'announcement') !== undefined,
    locked: child(g, 'locked') !== undefined,
    descriptionId: child(g, 'description')?.attrs.id,
    joinApproval: child(g, 'membership_approval_mode') !== undefined,
    memberAddMode: textOf(child(g, 'member_add_mode')) === 'all_member_add' ? 'all_member_add' : 'admin_add',
    size: Number.isSafeInteger(size) && size >= 0 ? size : participants.length,
    isCommunity: child(g, 'parent') !== undefined,
    isCommunityAnnouncements: child(g, 'default_sub_group') !== undefined,
    parent: parent ? groupJid(parent) : undefined,
  };
}

function groupResult(result: BinaryNode): GroupMetadata {
  const g = child(result, 'group');
  if (!g) throw new IqParseError('group answer has no <group>');
  return parseGroup(g);
}

/** @param key a unique id for the request (WhatsApp Web uses a message id) */
export function createGroup(subject: string, participants: readonly string[], key: string): IqSpec<GroupMetadata> {
  return {
    build: () => iq('w:g2', 'set', [node('create', { subject, key }, participants.map((jid) => node('participant', { jid })))], `@${GROUP_SERVER}`),
    parse: groupResult,
  };
}

export function groupMetadata(group: string): IqSpec<GroupMetadata> {
  return { build: () => iq('w:g2', 'get', [node('query', { request: 'interactive' })], group), parse: groupResult };
}

export const participatingGroups: IqSpec<GroupMetadata[]> = {
  build: () => iq('w:g2', 'get', [node('participating', {}, [node('participants'), node('description')])], `@${GROUP_SERVER}`),
  parse: (result) => childrenByTag(child(result, 'groups'), 'group').map(parseGroup),
};

export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';

export interface ParticipantResult {
  readonly jid: string;
  /** 200 when done, else the server's code: 403 not allowed, 404 no such user, 408 recently left, 409 already in. */
  readonly status: number;
  /**
   * A 403 for someone whose privacy lets only chosen people add them: the
   * server's invite for them, which the adder sends as a group invite message.
   */
  readonly addRequest?: { readonly code: string; readonly expiration: number } | undefined;
}

/** Per participant: 200 when done, else the server's error code (403, 404, 408, 409…). */
export function changeParticipants(group: string, action: ParticipantAction, participants: readonly string[]): IqSpec<ParticipantResult[]> {
  return {
    build: () => iq('w:g2', 'set', [node(action, {}, participants.map((jid) => node('participant', { jid })))], group),
    parse(result) {
      const answer = child(result, action);
      if (!answer) throw new IqParseError(`participants answer has no <${action}>`);
      return childrenByTag(answer, 'participant').map((p) => {
        const request = child(p, 'add_request');
        const expiration = Number(request?.attrs.expiration);
        return {
          jid: p.attrs.jid ?? '',
          status: p.attrs.error ? Number(p.attrs.error) || 500 : 200,
          addRequest: request?.attrs.code ? { code: request.attrs.code, expiration: Number.isSafeInteger(expiration) ? expiration : 0 } : undefined,
        };
      });
    },
  };
}

export function setGroupSubject(group: string, subject: string): IqSpec<void> {
  return { build: () => iq('w:g2', 'set', [node('subject', {}, new TextEncoder().encode(subject))], group), parse: () => undefined };
}

export function leaveGroups(groups: readonly string[]): IqSpec<void> {
  return {
    build: () => iq('w:g2', 'set', [node('leave', {}, groups.map((g) => node('group', { id: g })))], `@${GROUP_SERVER}`),
    parse: () => undefined,
  };
}
