/**
 * The parts of group administration that are more than one IQ: a
 * group:update with several fields (one IQ per field, in a fixed order),
 * invite codes given as links, and the invite message sent to those the
 * server would not add, and the contract's view of a group's metadata.
 * Stateless helpers for Messaging.
 */
import type { GroupInfo, GroupParticipantResult, GroupUpdate } from '../../contract/api.js';
import type { GroupMetadata, ParticipantResult } from '../../protocol/iq/groups.js';
import type { proto } from '../../protocol/proto/index.js';
import { MessagingError } from './errors.js';
import type { Groups } from './groups.js';

const LINK = /^(?:https?:\/\/)?chat\.whatsapp\.com\/(?:invite\/)?([A-Za-z0-9_-]+)\/?$/;
const CODE = /^[A-Za-z0-9_-]{6,64}$/;

/** The code of an invite code or link. @throws MessagingError BAD_CONTENT */
export function inviteCodeOf(codeOrLink: string): string {
  const s = codeOrLink.trim();
  const code = LINK.exec(s)?.[1] ?? s;
  if (!CODE.test(code)) throw new MessagingError('BAD_CONTENT', `not an invite code or https://chat.whatsapp.com/ link: ${JSON.stringify(codeOrLink.slice(0, 80))}`);
  return code;
}

export function inviteLink(code: string): string {
  return `https://chat.whatsapp.com/${code}`;
}

/**
 * One IQ per field given: subject, description, then the switches. The
 * server takes one change per request; the first refusal stops the rest
 * (those before it are done, each told to the members).
 */
export async function applyGroupUpdate(groups: Groups, group: string, u: GroupUpdate): Promise<void> {
  if (u.subject !== undefined) await groups.setSubject(group, u.subject);
  if (u.description !== undefined) await groups.setDescription(group, u.description);
  if (u.announce !== undefined) await groups.setSetting(group, { kind: 'announce', on: u.announce });
  if (u.locked !== undefined) await groups.setSetting(group, { kind: 'locked', on: u.locked });
  if (u.ephemeral !== undefined) await groups.setSetting(group, { kind: 'ephemeral', seconds: u.ephemeral });
  if (u.joinApproval !== undefined) await groups.setSetting(group, { kind: 'joinApproval', on: u.joinApproval });
  if (u.memberAddMode !== undefined) await groups.setSetting(group, { kind: 'memberAddMode', mode: u.memberAddMode === 'all' ? 'all_member_add' : 'admin_add' });
}

export interface InviteSender {
  subject(): Promise<string>;
  send(to: string, message: proto.IMessage): Promise<void>;
  warn(err: unknown, jid: string): void;
}

/**
 * For each 403 that came with the server's personal invite: sends it as a
 * group invite message (what WhatsApp's apps do), marked `inviteSent`. A
 * failed send leaves that one unmarked; the others still go.
 */
export async function sendAddInvites(results: readonly ParticipantResult[], group: string, via: InviteSender): Promise<GroupParticipantResult[]> {
  let subject: string | undefined;
  const out: GroupParticipantResult[] = [];
  for (const r of results) {
    if (!r.addRequest) {
      out.push({ jid: r.jid, status: r.status });
      continue;
    }
    try {
      subject ??= await via.subject();
      await via.send(r.jid, {
        groupInviteMessage: { groupJid: group, inviteCode: r.addRequest.code, inviteExpiration: r.addRequest.expiration, groupName: subject, caption: '' },
      });
      out.push({ jid: r.jid, status: r.status, inviteSent: true });
    } catch (err) {
      via.warn(err, r.jid);
      out.push({ jid: r.jid, status: r.status });
    }
  }
  return out;
}

/** The contract's GroupInfo, with the rest of what the server said about the group. */
export type GroupInfoWithMetadata = GroupInfo & Omit<GroupMetadata, 'participants' | 'memberAddMode'>;

/** A group's metadata as the contract shows it: members without empty fields, the add mode by the contract's names. */
export function groupInfoOf(meta: GroupMetadata): GroupInfoWithMetadata {
  return {
    ...meta,
    participants: meta.participants.map((p) => ({
      jid: p.jid,
      ...(p.admin ? { admin: p.admin } : {}),
      ...(p.phoneNumber ? { phoneNumber: p.phoneNumber } : {}),
      ...(p.lid ? { lid: p.lid } : {}),
    })),
    memberAddMode: meta.memberAddMode === 'all_member_add' ? 'all' : 'admin',
  };
}
