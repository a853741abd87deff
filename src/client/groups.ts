/**
 * WadClient's group and call verbs, one method per control request. A layer
 * between the chat verbs and the message sends so each verb family keeps its
 * file; the request shapes are group-verbs.ts's and call-verbs.ts's, shared
 * with the CLI's HTTP link.
 */
import type {
  GroupAction,
  GroupInfo,
  GroupInvite,
  GroupInviteMessageRef,
  GroupJoinRequest,
  GroupJoinResult,
  GroupParticipantResult,
  GroupSummary,
  GroupUpdate,
} from '../contract/api.js';
import { callVerbs } from './call-verbs.js';
import { ChatsAndStore } from './chats.js';
import { groupVerbs } from './group-verbs.js';

export class GroupsAndCalls extends ChatsAndStore {
  readonly #groups = groupVerbs(this);
  readonly #calls = callVerbs(this);

  // ---- groups -------------------------------------------------------------

  async createGroup(account: string, subject: string, participants: string[]): Promise<string> {
    return this.#groups.createGroup(account, subject, participants);
  }

  async groupMetadata(account: string, group: string): Promise<GroupInfo> {
    return this.#groups.groupMetadata(account, group);
  }

  /** Per participant the server's code (200, 403, 404, 408, 409…); `inviteSent` where an invite message went instead. */
  async groupParticipants(account: string, group: string, action: GroupAction, participants: string[]): Promise<GroupParticipantResult[]> {
    return this.#groups.groupParticipants(account, group, action, participants);
  }

  async listGroups(account: string): Promise<GroupSummary[]> {
    return this.#groups.listGroups(account);
  }

  /** Changes each field given (subject, description, announce, locked, ephemeral, joinApproval, memberAddMode). */
  async updateGroup(account: string, group: string, update: GroupUpdate): Promise<void> {
    return this.#groups.updateGroup(account, group, update);
  }

  /** The group's invite code and link; `revoke` makes a new one (the old stops working). */
  async groupInvite(account: string, group: string, action: 'get' | 'revoke' = 'get'): Promise<GroupInvite> {
    return this.#groups.groupInvite(account, group, action);
  }

  /**
   * Joins by invite code or https://chat.whatsapp.com/… link; `pending` while
   * an admin must approve. With `invite`, by a group invite message: its
   * `groupInvite.code` as `code`, and `{group, admin: the message's sender, expiration}`.
   */
  async joinGroup(account: string, code: string, invite?: GroupInviteMessageRef): Promise<GroupJoinResult> {
    return this.#groups.joinGroup(account, code, invite);
  }

  async groupRequests(account: string, group: string): Promise<GroupJoinRequest[]> {
    return this.#groups.groupRequests(account, group);
  }

  async answerGroupRequests(account: string, group: string, action: 'approve' | 'reject', participants: string[]): Promise<Array<{ jid: string; status: number }>> {
    return this.#groups.answerGroupRequests(account, group, action, participants);
  }

  async leaveGroup(account: string, group: string): Promise<void> {
    return this.#groups.leaveGroup(account, group);
  }

  // ---- calls ---------------------------------------------------------------

  /**
   * Declines a ringing call: `callId` and `from` as the `call:incoming` event
   * named them. The caller sees the call end; a `call:ended` event follows.
   * @throws WadClientError UNAVAILABLE (the account is offline, or the server did not answer)
   */
  async rejectCall(account: string, callId: string, from: string): Promise<void> {
    return this.#calls.rejectCall(account, callId, from);
  }
}
