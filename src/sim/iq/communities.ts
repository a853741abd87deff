/**
 * xmlns="w:g2", communities as WhatsApp answers them:
 *   create:  <iq to="@g.us" set><create subject><description id><body/></description><parent …/>…</create></iq>
 *            → <group …><parent/></group>; the server makes the announcements group with it
 *   create in a community: <create subject key><participant/>…<linked_parent jid/></create>
 *   link:    <iq to=community set><links><link link_type="sub_group"><group jid/></link></links></iq>
 *   unlink:  <iq to=community set><unlink unlink_type="sub_group"><group jid/></unlink></iq>
 *   list:    <iq to=community get><sub_groups/></iq> → <sub_groups><group id subject s_t [<default_sub_group/>]/>…</sub_groups>
 *   members: <iq to=community get><linked_groups_participants/></iq> → <linked_groups_participants><participant jid/>…
 *   leave:   <iq to="@g.us" set><leave><community id/></leave></iq>: out of the community and each group of it
 * Linking or unlinking tells the community's members (`<link|unlink
 * link_type="sub_group"><group jid subject/>`) and the group's (`link_type="parent"`);
 * the members a link brings in are added to the announcements group and told
 * as an `<add reason="linked_group_join">`.
 *
 * handleCommunity answers the IQs it owns and returns undefined for the rest.
 */
import { participantAttrs } from '../addressing.js';
import { announcementsOf, communityOf, joinCommunity, mirrorAdminRole, subGroupsOf } from '../community.js';
import { settingsOf } from '../group-settings.js';
import { groupNode, type GroupRecord } from '../groups.js';
import type { Hub } from '../hub.js';
import { child, childrenByTag, iqError, iqResult, node, textOf, type BinaryNode } from '../nodes.js';
import type { UserRecord } from '../state.js';
import { createGroup, notifyGroup } from './groups.js';
import type { IqContext } from './index.js';

type Ctx = IqContext & { deviceJid: string };

export function handleCommunity(ctx: Ctx, iq: BinaryNode, me: UserRecord, op: BinaryNode): BinaryNode | undefined {
  const { hub } = ctx;
  const to = iq.attrs.to ?? '';
  if ((to === '@g.us' || to === 'g.us') && op.tag === 'create') {
    if (child(op, 'parent')) return createCommunity(hub, iq, me, op);
    const parentJid = child(op, 'linked_parent')?.attrs.jid;
    return parentJid === undefined ? undefined : createInCommunity(hub, iq, me, op, parentJid);
  }
  if ((to === '@g.us' || to === 'g.us') && op.tag === 'leave' && child(op, 'community')) return leaveCommunity(hub, iq, me, op);
  if (op.tag !== 'links' && op.tag !== 'unlink' && op.tag !== 'sub_groups' && op.tag !== 'linked_groups_participants') return undefined;
  const parent = hub.groups.get(to);
  if (!parent) return iqError(iq, 404, 'item-not-found');
  if (parent.community?.announcements === undefined) return iqError(iq, 400, 'bad-request');
  if (!parent.participants.has(me.jid)) return iqError(iq, 403, 'forbidden');
  if (op.tag === 'sub_groups') {
    return iqResult(iq, [node('sub_groups', {}, subGroupsOf(hub.groups, parent).map((g) => subGroupNode(g)))]);
  }
  if (op.tag === 'linked_groups_participants') {
    const people = [...parent.participants.keys()].flatMap((jid) => {
      const user = hub.dir.userOf(jid);
      return user ? [node('participant', participantAttrs(parent.addressingMode, user, me))] : [];
    });
    return iqResult(iq, [node('linked_groups_participants', {}, people)]);
  }
  if (!hub.groups.isAdmin(parent, me.jid)) return iqError(iq, 401, 'not-authorized');
  if (op.tag === 'links') {
    const wanted = childrenByTag(op, 'link').filter((l) => l.attrs.link_type === 'sub_group').flatMap((l) => childrenByTag(l, 'group'));
    if (wanted.length === 0) return iqError(iq, 400, 'bad-request');
    const groups: GroupRecord[] = [];
    for (const gn of wanted) {
      const g = hub.groups.get(gn.attrs.jid ?? '');
      if (!g) return iqError(iq, 404, 'item-not-found');
      // Only an admin of the group may bring it in; a community, or a group already in one, cannot be linked.
      if (!hub.groups.isAdmin(g, me.jid)) return iqError(iq, 401, 'not-authorized');
      if (g.community?.announcements !== undefined) return iqError(iq, 400, 'bad-request');
      if (g.community?.parent !== undefined) return iqError(iq, 409, 'conflict');
      groups.push(g);
    }
    for (const g of groups) link(hub, parent, g, me);
    return iqResult(iq, [node('links', {}, groups.map((g) => node('link', { link_type: 'sub_group' }, [node('group', { jid: g.jid })])))]);
  }
  // unlink
  if (op.attrs.unlink_type !== 'sub_group') return iqError(iq, 400, 'bad-request');
  const groups: GroupRecord[] = [];
  for (const gn of childrenByTag(op, 'group')) {
    const g = hub.groups.get(gn.attrs.jid ?? '');
    if (!g || g.community?.parent !== parent.id) return iqError(iq, 404, 'item-not-found');
    if (g.community.isAnnouncements) return iqError(iq, 400, 'bad-request');
    groups.push(g);
  }
  if (groups.length === 0) return iqError(iq, 400, 'bad-request');
  for (const g of groups) unlink(hub, parent, g, me);
  return iqResult(iq, [node('unlink', { unlink_type: 'sub_group' }, groups.map((g) => node('group', { jid: g.jid })))]);
}

/**
 * Out of each community named and of every group of it (as WhatsApp's
 * "exit community" does): each group's members see us leave. An id that is
 * no community we are in is answered 404.
 */
function leaveCommunity(hub: Hub, iq: BinaryNode, me: UserRecord, op: BinaryNode): BinaryNode {
  const parents: GroupRecord[] = [];
  for (const cn of childrenByTag(op, 'community')) {
    const parent = hub.groups.get(cn.attrs.id ?? '');
    if (!parent || parent.community?.announcements === undefined || !parent.participants.has(me.jid)) return iqError(iq, 404, 'item-not-found');
    parents.push(parent);
  }
  const now = Number(hub.nowSeconds());
  for (const parent of parents) {
    for (const g of [...subGroupsOf(hub.groups, parent), parent]) {
      if (!g.participants.has(me.jid)) continue;
      notifyGroup(hub, g, me.jid, (reader) => node('leave', {}, [node('participant', participantAttrs(g.addressingMode, me, reader))]));
      hub.groups.remove(g, me.jid);
      settingsOf(g).leftAt.set(me.jid, now);
    }
  }
  hub.onChange();
  return iqResult(iq, [node('leave', {}, parents.map((p) => node('community', { id: p.jid })))]);
}

/** The community, and with it its announcements group (same subject, only admins post). */
function createCommunity(hub: Hub, iq: BinaryNode, me: UserRecord, op: BinaryNode): BinaryNode {
  const subject = op.attrs.subject ?? '';
  if (subject.length === 0 || subject.length > 100) return iqError(iq, 400, 'bad-request');
  const now = Number(hub.nowSeconds());
  const parent = hub.groups.create(me.jid, subject, [], now, hub.groupAddressingMode);
  const description = child(op, 'description');
  const body = textOf(child(description, 'body'));
  if (body) settingsOf(parent).description = { id: description?.attrs.id ?? 'desc', body, owner: me.jid, t: now };
  const announcements = hub.groups.create(me.jid, subject, [], now, hub.groupAddressingMode);
  settingsOf(announcements).announce = true;
  parent.community = { announcements: announcements.id };
  announcements.community = { parent: parent.id, isAnnouncements: true };
  hub.onChange();
  for (const g of [parent, announcements]) notifyGroup(hub, g, me.jid, (reader) => node('create', {}, [groupNode(g, hub.dir, reader)]));
  return iqResult(iq, [groupNode(parent, hub.dir, me)]);
}

/** A new group made inside a community: created, then linked. */
function createInCommunity(hub: Hub, iq: BinaryNode, me: UserRecord, op: BinaryNode, parentJid: string): BinaryNode {
  const parent = hub.groups.get(parentJid);
  if (!parent || parent.community?.announcements === undefined) return iqError(iq, 404, 'item-not-found');
  if (!hub.groups.isAdmin(parent, me.jid)) return iqError(iq, 401, 'not-authorized');
  const participants = childrenByTag(op, 'participant').flatMap((p) => hub.dir.userOf(p.attrs.jid ?? '')?.jid ?? []);
  const g = createGroup(hub, me.jid, op.attrs.subject ?? '', participants);
  link(hub, parent, g, me);
  return iqResult(iq, [groupNode(g, hub.dir, me)]);
}

function link(hub: Hub, parent: GroupRecord, g: GroupRecord, me: UserRecord): void {
  g.community = { parent: parent.id };
  hub.onChange();
  notifyGroup(hub, parent, me.jid, () => node('link', { link_type: 'sub_group' }, [node('group', { jid: g.jid, subject: g.subject })]));
  notifyGroup(hub, g, me.jid, () => node('link', { link_type: 'parent' }, [node('group', { jid: parent.jid, subject: parent.subject })]));
  tellJoined(hub, g, me.jid, [...g.participants.keys()]);
}

function unlink(hub: Hub, parent: GroupRecord, g: GroupRecord, me: UserRecord): void {
  g.community = undefined;
  hub.onChange();
  notifyGroup(hub, parent, me.jid, () => node('unlink', { unlink_type: 'sub_group', unlink_reason: 'unlink_group' }, [node('group', { jid: g.jid, subject: g.subject })]));
  notifyGroup(hub, g, me.jid, () => node('unlink', { unlink_type: 'parent', unlink_reason: 'unlink_group' }, [node('group', { jid: parent.jid, subject: parent.subject })]));
}

/**
 * Members who came into a linked group are members of its community: added
 * to the parent and the announcements group, whose members are told.
 */
export function tellJoined(hub: Hub, g: GroupRecord, actor: string, users: readonly string[]): void {
  for (const { group, added } of joinCommunity(hub.groups, g, users)) {
    hub.onChange();
    const people = added.flatMap((jid) => hub.dir.userOf(jid) ?? []);
    notifyGroup(hub, group, actor, (reader) => node('add', { reason: 'linked_group_join' }, people.map((u) => node('participant', participantAttrs(group.addressingMode, u, reader)))));
  }
}

/** A promotion or demotion in a community carries over to its announcements group, whose members are told. */
export function tellRoleChanged(hub: Hub, g: GroupRecord, actor: string, action: 'promote' | 'demote', users: readonly UserRecord[]): void {
  const ann = communityOf(hub.groups, g) === g ? announcementsOf(hub.groups, g) : undefined;
  if (!ann) return;
  const changed = users.filter((u) => mirrorAdminRole(hub.groups, g, u.jid, action === 'promote' ? 'admin' : 'member'));
  if (changed.length === 0) return;
  hub.onChange();
  notifyGroup(hub, ann, actor, (reader) => node(action, {}, changed.map((u) => node('participant', participantAttrs(ann.addressingMode, u, reader)))));
}

function subGroupNode(g: GroupRecord): BinaryNode {
  return node('group', { id: g.id, subject: g.subject, s_t: String(g.subjectTime), creation: String(g.creation), size: String(g.participants.size) }, g.community?.isAnnouncements ? [node('default_sub_group')] : undefined);
}
