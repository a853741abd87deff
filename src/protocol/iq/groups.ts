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
  return {
    jid: groupJid(id),
    subject: g.attrs.subject ?? '',
    owner: g.attrs.creator ?? g.attrs.s_o,
    creation: Number.isSafeInteger(creation) ? creation : undefined,
    // A missing attribute means PN (Baileys' extractGroupMetadata).
    addressingMode: g.attrs.addressing_mode === 'lid' ? 'lid' : 'pn',
    participants: childrenByTag(g, 'participant').flatMap((p) => {
      if (!p.attrs.jid) return [];
      const type = p.attrs.type;
      return [{ jid: p.attrs.jid, admin: type === 'admin' || type === 'superadmin' ? type : undefined, phoneNumber: p.attrs.phone_number, lid: p.attrs.lid }];
    }),
    description: textOf(child(child(g, 'description'), 'body')),
    ephemeral: Number.isSafeInteger(ephemeral) ? ephemeral : 0,
    announce: child(g, 'announcement') !== undefined,
    locked: child(g, 'locked') !== undefined,
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

/** Per participant: 200 when done, else the server's error code (403, 404, 409…). */
export function changeParticipants(group: string, action: ParticipantAction, participants: readonly string[]): IqSpec<Array<{ jid: string; status: number }>> {
  return {
    build: () => iq('w:g2', 'set', [node(action, {}, participants.map((jid) => node('participant', { jid })))], group),
    parse(result) {
      const answer = child(result, action);
      if (!answer) throw new IqParseError(`participants answer has no <${action}>`);
      return childrenByTag(answer, 'participant').map((p) => ({ jid: p.attrs.jid ?? '', status: p.attrs.error ? Number(p.attrs.error) || 500 : 200 }));
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
