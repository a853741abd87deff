/**
 * xmlns="w:g2": create, metadata, participating, participants
 * (add/remove/promote/demote), subject, leave — and the `w:gp2`
 * notifications every member device gets for each change. The admin API's
 * POST /groups calls createGroup too.
 */
import { randomBytes } from 'node:crypto';
import { SimError } from '../errors.js';
import { groupNode, type GroupRecord } from '../groups.js';
import type { Hub } from '../hub.js';
import { participantAttrs, pnVisible, type AddressingMode } from '../addressing.js';
import type { UserRecord } from '../state.js';
import { children, childrenByTag, iqError, iqResult, node, textOf, type BinaryNode } from '../nodes.js';
import { handleCommunity, tellJoined, tellRoleChanged } from './communities.js';
import { handleGroupAdmin } from './group-admin.js';
import type { IqContext } from './index.js';

type Ctx = IqContext & { deviceJid: string };
const ACTIONS = new Set(['add', 'remove', 'promote', 'demote']);

export function handleGroups(ctx: Ctx, iq: BinaryNode): BinaryNode {
  const { hub } = ctx;
  const me = hub.dir.userOf(ctx.deviceJid);
  if (!me) return iqError(iq, 401, 'not-authorized');
  const to = iq.attrs.to ?? '';
  const op = children(iq)[0];
  if (!op) return iqError(iq, 400, 'bad-request');
  const administered = handleCommunity(ctx, iq, me, op) ?? handleGroupAdmin(ctx, iq, me, op);
  if (administered) return administered;
  try {
    if (to === '@g.us' || to === 'g.us') {
      if (op.tag === 'create') {
        const participants = childrenByTag(op, 'participant').map((p) => p.attrs.jid ?? '').filter((j) => hub.dir.userOf(j));
        const g = createGroup(hub, me.jid, op.attrs.subject ?? '', participants.map((j) => hub.dir.userOf(j)!.jid));
        return iqResult(iq, [groupNode(g, hub.dir, me)]);
      }
      if (op.tag === 'participating') {
        return iqResult(iq, [node('groups', {}, hub.groups.ofUser(me.jid).map((g) => groupNode(g, hub.dir, me)))]);
      }
      if (op.tag === 'leave') {
        for (const gn of childrenByTag(op, 'group')) {
          const g = hub.groups.get(gn.attrs.id ?? '');
          if (g?.participants.has(me.jid)) {
            notifyGroup(hub, g, me.jid, (reader) => node('leave', {}, [node('participant', participantAttrs(g.addressingMode, me, reader))]));
            hub.groups.remove(g, me.jid);
          }
        }
        hub.onChange();
        return iqResult(iq, [node('leave', {}, childrenByTag(op, 'group').map((g) => node('group', { id: g.attrs.id ?? '' })))]);
      }
      return iqError(iq, 501, 'feature-not-implemented');
    }
    const g = hub.groups.get(to);
    if (!g) return iqError(iq, 404, 'item-not-found');
    if (!g.participants.has(me.jid)) return iqError(iq, 403, 'forbidden');
    if (op.tag === 'query') return iqResult(iq, [groupNode(g, hub.dir, me)]);
    if (ACTIONS.has(op.tag)) {
      if (!hub.groups.isAdmin(g, me.jid)) return iqError(iq, 401, 'not-authorized');
      return iqResult(iq, [changeParticipants(hub, g, me.jid, op.tag as Action, childrenByTag(op, 'participant').map((p) => p.attrs.jid ?? ''))]);
    }
    if (op.tag === 'subject') {
      const subject = textOf(op) ?? '';
      if (subject.length === 0 || subject.length > 100) return iqError(iq, 400, 'bad-request');
      g.subject = subject;
      g.subjectOwner = me.jid;
      g.subjectTime = Number(hub.nowSeconds());
      hub.onChange();
      notifyGroup(hub, g, me.jid, (reader) => node('subject', { subject, s_o: participantAttrs(g.addressingMode, me, reader).jid!, s_t: String(g.subjectTime) }));
      return iqResult(iq);
    }
    return iqError(iq, 501, 'feature-not-implemented');
  } catch (err) {
    if (err instanceof SimError) return iqError(iq, err.code === 'LIMIT' ? 406 : 400, err.message);
    throw err;
  }
}

type Action = 'add' | 'remove' | 'promote' | 'demote';

/**
 * Creates a group and tells every member device (`<create>` notification).
 * @throws SimError LIMIT, BAD_REQUEST
 */
export function createGroup(hub: Hub, creator: string, subject: string, participants: readonly string[], addressingMode: AddressingMode = hub.groupAddressingMode): GroupRecord {
  const g = hub.groups.create(creator, subject, participants, Number(hub.nowSeconds()), addressingMode);
  hub.onChange();
  notifyGroup(hub, g, creator, (reader) => node('create', {}, [groupNode(g, hub.dir, reader)]));
  return g;
}

/** Applies one participants action; answers `<action><participant jid [error]/>…</action>`. */
export function changeParticipants(hub: Hub, g: GroupRecord, actor: string, action: Action, jids: readonly string[]): BinaryNode {
  const results: BinaryNode[] = [];
  const done: UserRecord[] = [];
  const actorUser = hub.dir.userOf(actor);
  for (const raw of jids) {
    const user = hub.dir.userOf(raw);
    const jid = user?.jid ?? raw;
    let ok = false;
    if (user) {
      if (action === 'add') ok = hub.groups.add(g, jid);
      else if (action === 'remove') ok = g.participants.has(jid);
      else ok = hub.groups.setRole(g, jid, action === 'promote' ? 'admin' : 'member');
    }
    // A LID group answers in LIDs (with the number the caller may see); a PN group names the phone jid.
    const named = user && actorUser && g.addressingMode === 'lid' ? participantAttrs('lid', user, actorUser) : { jid };
    results.push(node('participant', ok ? named : { ...named, error: user ? '409' : '404' }));
    if (ok && user) done.push(user);
  }
  if (done.length > 0) {
    // Removed members hear of their removal too, so notify before removing.
    notifyGroup(hub, g, actor, (reader) => node(action, {}, done.map((u) => node('participant', participantAttrs(g.addressingMode, u, reader)))));
    if (action === 'remove') for (const u of done) hub.groups.remove(g, u.jid);
    hub.onChange();
    if (action === 'add') tellJoined(hub, g, actor, done.map((u) => u.jid));
    if (action === 'promote' || action === 'demote') tellRoleChanged(hub, g, actor, action, done);
  }
  return node(action, {}, results);
}

/** The change goes to every member device (or those `only` picks), people named as that member may see them. */
export function notifyGroup(hub: Hub, g: GroupRecord, actor: string, change: (reader: UserRecord) => BinaryNode, only?: (member: string) => boolean): void {
  const id = randomBytes(8).toString('hex');
  const actorUser = hub.dir.userOf(actor);
  for (const member of [...g.participants.keys()]) {
    const user = hub.dir.userOf(member);
    if (!user || (only && !only(member))) continue;
    const attrs: Record<string, string> = { from: g.jid, type: 'w:gp2', id, t: hub.nowSeconds(), participant: actor };
    if (g.addressingMode === 'lid' && actorUser) {
      attrs.participant = actorUser.lid;
      if (pnVisible(actorUser, user)) attrs.participant_pn = actorUser.jid;
    }
    const stanza = node('notification', attrs, [change(user)]);
    for (const dev of hub.dir.deviceJids(user)) hub.deliver(dev, stanza);
  }
}

