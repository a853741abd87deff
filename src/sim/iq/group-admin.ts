/**
 * xmlns="w:g2", the administration IQs beyond create/metadata/members:
 * settings (announce, locked, ephemeral, member add mode, join approval),
 * description, invite codes (get, revoke, join by code, invite info, accept
 * an invite message), join requests (list, approve, reject), and adding
 * members as the server checks it (privacy → 403 with an invite, recently
 * left → 408, members may add when the group allows it). Each change goes
 * to every member device as the `w:gp2` notification WhatsApp sends.
 *
 * handleGroupAdmin answers the IQs it owns and returns undefined for the
 * rest (iq/groups.ts handles those).
 */
import { randomBytes } from 'node:crypto';
import { newInviteCode, MAX_INVITES, MAX_JOIN_REQUESTS, RECENTLY_LEFT_SECONDS, settingsOf, type GroupSettings } from '../group-settings.js';
import { groupNode, type GroupRecord } from '../groups.js';
import type { Hub } from '../hub.js';
import { child, childrenByTag, iqError, iqResult, node, textOf, type BinaryNode } from '../nodes.js';
import type { UserRecord } from '../state.js';
import { participantAttrs } from '../addressing.js';
import { tellJoined } from './communities.js';
import { changeParticipants, notifyGroup } from './groups.js';
import type { IqContext } from './index.js';

type Ctx = IqContext & { deviceJid: string };

/** How long an invite sent to someone who cannot be added stays good (WhatsApp: 3 days). */
const ADD_REQUEST_SECONDS = 3 * 24 * 3600;

export function handleGroupAdmin(ctx: Ctx, iq: BinaryNode, me: UserRecord, op: BinaryNode): BinaryNode | undefined {
  const { hub } = ctx;
  const to = iq.attrs.to ?? '';
  const now = Number(hub.nowSeconds());
  if (to === '@g.us' || to === 'g.us') {
    if (op.tag === 'invite' && op.attrs.code) return iq.attrs.type === 'get' ? inviteInfo(hub, iq, op.attrs.code, me) : joinByCode(hub, iq, op.attrs.code, me, now);
    if (op.tag === 'leave') {
      // Remember who left: an admin cannot add them back at once (408).
      for (const gn of childrenByTag(op, 'group')) {
        const g = hub.groups.get(gn.attrs.id ?? '');
        if (g?.participants.has(me.jid)) settingsOf(g).leftAt.set(me.jid, now);
      }
    }
    return undefined;
  }
  const g = hub.groups.get(to);
  if (!g) return undefined;
  if (op.tag === 'accept') return acceptInvite(hub, iq, g, op, me);
  if (!g.participants.has(me.jid)) return undefined;
  const admin = hub.groups.isAdmin(g, me.jid);
  const s = g.settings;
  const refuse = () => iqError(iq, 401, 'not-authorized');
  switch (op.tag) {
    case 'add':
      return addMembers(hub, iq, g, me, op, now);
    case 'announcement':
    case 'not_announcement':
      if (!admin) return refuse();
      return change(hub, iq, g, me, (x) => (x.announce = op.tag === 'announcement'), node(op.tag));
    case 'locked':
    case 'unlocked':
      if (!admin) return refuse();
      return change(hub, iq, g, me, (x) => (x.locked = op.tag === 'locked'), node(op.tag));
    case 'ephemeral':
    case 'not_ephemeral': {
      if (!admin && s?.locked) return refuse();
      const seconds = op.tag === 'ephemeral' ? Number(op.attrs.expiration) : 0;
      if (!Number.isSafeInteger(seconds) || seconds < 0) return iqError(iq, 400, 'bad-request');
      return change(hub, iq, g, me, (x) => (x.ephemeral = seconds), seconds > 0 ? node('ephemeral', { expiration: String(seconds) }) : node('not_ephemeral'));
    }
    case 'member_add_mode': {
      if (!admin) return refuse();
      const mode = textOf(op);
      if (mode !== 'admin_add' && mode !== 'all_member_add') return iqError(iq, 400, 'bad-request');
      return change(hub, iq, g, me, (x) => (x.memberAddMode = mode), node('member_add_mode', {}, new TextEncoder().encode(mode)));
    }
    case 'membership_approval_mode': {
      if (!admin) return refuse();
      const state = child(op, 'group_join')?.attrs.state;
      if (state !== 'on' && state !== 'off') return iqError(iq, 400, 'bad-request');
      return change(hub, iq, g, me, (x) => (x.joinApproval = state === 'on'), node('membership_approval_mode', {}, [node('group_join', { state })]));
    }
    case 'description':
      return describe(hub, iq, g, me, op, admin, now);
    case 'invite': {
      if (!admin) return refuse();
      const settings = settingsOf(g);
      if (iq.attrs.type === 'set') {
        settings.inviteCode = newInviteCode();
        hub.onChange();
        notifyGroup(hub, g, me.jid, () => node('invite', { code: settings.inviteCode! }));
      } else if (!settings.inviteCode) {
        settings.inviteCode = newInviteCode();
        hub.onChange();
      }
      return iqResult(iq, [node('invite', { code: settings.inviteCode })]);
    }
    case 'membership_approval_requests': {
      if (!admin) return refuse();
      const requests = [...(s?.requests ?? [])].flatMap(([jid, r]) => {
        const user = hub.dir.userOf(jid);
        return user ? [node('membership_approval_request', { ...participantAttrs(g.addressingMode, user, me), request_method: r.method, request_time: String(r.t) })] : [];
      });
      return iqResult(iq, [node('membership_approval_requests', {}, requests)]);
    }
    case 'membership_requests_action':
      if (!admin) return refuse();
      return answerRequests(hub, iq, g, me, op);
    default:
      return undefined;
  }
}

/** Applies one settings change, tells every member, answers an empty result. */
function change(hub: Hub, iq: BinaryNode, g: GroupRecord, me: UserRecord, apply: (s: GroupSettings) => void, notification: BinaryNode): BinaryNode {
  apply(settingsOf(g));
  hub.onChange();
  notifyGroup(hub, g, me.jid, () => notification);
  return iqResult(iq);
}

const MAX_DESCRIPTION = 2048;

function describe(hub: Hub, iq: BinaryNode, g: GroupRecord, me: UserRecord, op: BinaryNode, admin: boolean, now: number): BinaryNode {
  const s = settingsOf(g);
  if (!admin && s.locked) return iqError(iq, 401, 'not-authorized');
  // A change based on an older description is refused, so two editors do not silently overwrite each other.
  if (op.attrs.prev && op.attrs.prev !== s.description?.id) return iqError(iq, 409, 'conflict');
  if (op.attrs.delete === 'true') {
    s.description = undefined;
    hub.onChange();
    const id = randomBytes(8).toString('hex').toUpperCase();
    notifyGroup(hub, g, me.jid, () => node('description', { id }, [node('delete')]));
    return iqResult(iq);
  }
  const body = textOf(child(op, 'body'));
  if (!body || body.length > MAX_DESCRIPTION || !op.attrs.id) return iqError(iq, 400, 'bad-request');
  s.description = { id: op.attrs.id, body, owner: me.jid, t: now };
  hub.onChange();
  const id = op.attrs.id;
  notifyGroup(hub, g, me.jid, () => node('description', { id }, [node('body', {}, new TextEncoder().encode(body))]));
  return iqResult(iq);
}

/**
 * Adds members as the server decides: someone whose privacy does not let
 * this admin add them gets 403 and an invite code for the admin to send;
 * someone who left within a day, 408; the rest go through changeParticipants.
 */
function addMembers(hub: Hub, iq: BinaryNode, g: GroupRecord, me: UserRecord, op: BinaryNode, now: number): BinaryNode {
  if (!hub.groups.isAdmin(g, me.jid) && g.settings?.memberAddMode !== 'all_member_add') return iqError(iq, 401, 'not-authorized');
  const barred = new Map<string, BinaryNode>();
  const rest: string[] = [];
  for (const p of childrenByTag(op, 'participant')) {
    const raw = p.attrs.jid ?? '';
    const user = hub.dir.userOf(raw);
    if (!user || g.participants.has(user.jid)) {
      rest.push(raw);
      continue;
    }
    const left = g.settings?.leftAt.get(user.jid);
    if (left !== undefined && now - left < RECENTLY_LEFT_SECONDS) {
      barred.set(raw, node('participant', { ...participantAttrs(g.addressingMode, user, me), error: '408' }));
    } else if (!mayAdd(hub, user, me)) {
      const request = { code: newInviteCode(), expiration: now + ADD_REQUEST_SECONDS };
      const invites = settingsOf(g).invites;
      if (invites.size >= MAX_INVITES && !invites.has(user.jid)) invites.delete(invites.keys().next().value!);
      invites.set(user.jid, request);
      hub.onChange();
      barred.set(raw, node('participant', { ...participantAttrs(g.addressingMode, user, me), error: '403' }, [node('add_request', { code: request.code, expiration: String(request.expiration) })]));
    } else rest.push(raw);
  }
  const added = rest.length > 0 ? childrenByTag(changeParticipants(hub, g, me.jid, 'add', rest), 'participant') : [];
  // Answer in the order asked.
  const results: BinaryNode[] = [];
  for (const p of childrenByTag(op, 'participant')) {
    const raw = p.attrs.jid ?? '';
    results.push(barred.get(raw) ?? added.shift() ?? node('participant', { jid: raw, error: '400' }));
  }
  return iqResult(iq, [node('add', {}, results)]);
}

function mayAdd(hub: Hub, user: UserRecord, adder: UserRecord): boolean {
  const who = hub.privacy.value(user.jid, 'groupadd');
  if (who === 'all') return true;
  if (who === 'none') return false;
  // "contacts" (and its blacklist variant): those who have talked to each other.
  return hub.peers.of(user.jid).includes(adder.jid);
}

/** `<accept code expiration admin/>`: someone joins with the invite an admin sent them. */
function acceptInvite(hub: Hub, iq: BinaryNode, g: GroupRecord, op: BinaryNode, me: UserRecord): BinaryNode {
  const invites = g.settings?.invites;
  const request = invites?.get(me.jid);
  const now = Number(hub.nowSeconds());
  if (!request || request.code !== op.attrs.code) return iqError(iq, 404, 'item-not-found');
  invites!.delete(me.jid);
  hub.onChange();
  if (request.expiration < now) return iqError(iq, 410, 'gone');
  if (g.participants.has(me.jid)) return iqError(iq, 409, 'conflict');
  const admin = hub.dir.userOf(op.attrs.admin ?? '')?.jid ?? g.creator;
  addOne(hub, g, admin, me);
  return iqResult(iq);
}

function inviteInfo(hub: Hub, iq: BinaryNode, code: string, me: UserRecord): BinaryNode {
  const g = byCode(hub, code);
  if (!g) return iqError(iq, 406, 'not-acceptable');
  return iqResult(iq, [groupNode(g, hub.dir, me)]);
}

function joinByCode(hub: Hub, iq: BinaryNode, code: string, me: UserRecord, now: number): BinaryNode {
  const g = byCode(hub, code);
  if (!g) return iqError(iq, 406, 'not-acceptable');
  if (g.participants.has(me.jid)) return iqError(iq, 304, 'not-modified');
  const s = settingsOf(g);
  if (s.joinApproval) {
    if (!s.requests.has(me.jid)) {
      if (s.requests.size >= MAX_JOIN_REQUESTS) return iqError(iq, 406, 'not-acceptable');
      s.requests.set(me.jid, { t: now, method: 'invite_link' });
      hub.onChange();
      notifyAdmins(hub, g, me.jid, (reader) => node('created_membership_requests', { request_method: 'invite_link' }, [node('participant', participantAttrs(g.addressingMode, me, reader))]));
    }
    return iqResult(iq, [node('membership_approval_request', { jid: g.jid })]);
  }
  addOne(hub, g, me.jid, me);
  return iqResult(iq, [node('group', { jid: g.jid })]);
}

function byCode(hub: Hub, code: string): GroupRecord | undefined {
  return hub.groups.all().find((g) => g.settings?.inviteCode === code);
}

/** One member in, every member told (the new one included). */
function addOne(hub: Hub, g: GroupRecord, actor: string, user: UserRecord): void {
  hub.groups.add(g, user.jid);
  g.settings?.requests.delete(user.jid);
  hub.onChange();
  notifyGroup(hub, g, actor, (reader) => node('add', {}, [node('participant', participantAttrs(g.addressingMode, user, reader))]));
  tellJoined(hub, g, actor, [user.jid]);
}

function answerRequests(hub: Hub, iq: BinaryNode, g: GroupRecord, me: UserRecord, op: BinaryNode): BinaryNode {
  const action = child(op, 'approve') ? 'approve' : child(op, 'reject') ? 'reject' : undefined;
  if (!action) return iqError(iq, 400, 'bad-request');
  const s = settingsOf(g);
  const results: BinaryNode[] = [];
  for (const p of childrenByTag(child(op, action), 'participant')) {
    const user = hub.dir.userOf(p.attrs.jid ?? '');
    if (!user || !s.requests.has(user.jid)) {
      results.push(node('participant', { jid: p.attrs.jid ?? '', error: '404' }));
      continue;
    }
    if (action === 'approve') addOne(hub, g, me.jid, user);
    else {
      s.requests.delete(user.jid);
      hub.onChange();
      notifyAdmins(hub, g, me.jid, (reader) => node('revoked_membership_requests', {}, [node('participant', participantAttrs(g.addressingMode, user, reader))]));
    }
    results.push(node('participant', participantAttrs(g.addressingMode, user, me)));
  }
  return iqResult(iq, [node('membership_requests_action', {}, [node(action, {}, results)])]);
}

/** Join requests are the admins' business: only their devices hear of them. */
function notifyAdmins(hub: Hub, g: GroupRecord, actor: string, change: (reader: UserRecord) => BinaryNode): void {
  notifyGroup(hub, g, actor, change, (member) => g.participants.get(member) !== 'member');
}
