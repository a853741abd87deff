/**
 * The group verbs over anything that sends control requests: WadClient on
 * the socket and the CLI's HTTP link alike, so `wad group` works over
 * either without a second copy of what each request carries and answers.
 */
import type { GroupAction, GroupInfo, GroupInvite, GroupInviteMessageRef, GroupJoinRequest, GroupJoinResult, GroupParticipantResult, GroupSummary, GroupUpdate } from '../contract/api.js';
import type { Requester } from './requester.js';

export interface GroupVerbs {
  createGroup(account: string, subject: string, participants: string[]): Promise<string>;
  groupMetadata(account: string, group: string): Promise<GroupInfo>;
  groupParticipants(account: string, group: string, action: GroupAction, participants: string[]): Promise<GroupParticipantResult[]>;
  listGroups(account: string): Promise<GroupSummary[]>;
  updateGroup(account: string, group: string, update: GroupUpdate): Promise<void>;
  groupInvite(account: string, group: string, action?: 'get' | 'revoke'): Promise<GroupInvite>;
  joinGroup(account: string, code: string, invite?: GroupInviteMessageRef): Promise<GroupJoinResult>;
  groupRequests(account: string, group: string): Promise<GroupJoinRequest[]>;
  answerGroupRequests(account: string, group: string, action: 'approve' | 'reject', participants: string[]): Promise<Array<{ jid: string; status: number }>>;
  leaveGroup(account: string, group: string): Promise<void>;
}

export function groupVerbs(link: Requester): GroupVerbs {
  return {
    createGroup: async (account, subject, participants) => (await link.request('group:create', { subject, participants }, { account })).jid,
    groupMetadata: (account, group) => link.request('group:metadata', {}, { account, chat: group }),
    groupParticipants: async (account, group, action, participants) => {
      const answer = await link.request('group:participants', { action, participants }, { account, chat: group });
      return answer.results ?? answer.participants;
    },
    listGroups: async (account) => (await link.request('group:list', {}, { account })).groups,
    updateGroup: async (account, group, update) => {
      await link.request('group:update', update, { account, chat: group });
    },
    groupInvite: (account, group, action = 'get') => link.request('group:invite', { action }, { account, chat: group }),
    joinGroup: (account, code, invite) => link.request('group:join', { code, ...invite }, { account }),
    groupRequests: async (account, group) => (await link.request('group:requests', { action: 'list' }, { account, chat: group })).requests ?? [],
    answerGroupRequests: async (account, group, action, participants) =>
      (await link.request('group:requests', { action, participants }, { account, chat: group })).results ?? [],
    leaveGroup: async (account, group) => {
      await link.request('group:leave', {}, { account, chat: group });
    },
  };
}
