/**
 * The chat-state verbs (app state: archive, pin, mute, read, labels, stars,
 * delete for me) over anything that sends control requests, so `wad chat`
 * and `wad label` work over the socket and over HTTP alike.
 */
import type { ChatAction, LabelEdit, LabelInfo } from '../contract/api.js';
import type { Requester } from './requester.js';

export interface ChatVerbs {
  modifyChat(account: string, chat: string, action: ChatAction, opts?: { until?: number }): Promise<void>;
  /** Read receipts for messages of the chat; `played` for voice notes heard. */
  markRead(account: string, chat: string, messageIds: string[], opts?: { played?: boolean }): Promise<void>;
  /** The chat's disappearing timer, seconds (0: off); a group's is the group's setting. */
  setDisappearing(account: string, chat: string, expiration: number): Promise<void>;
  labelChat(account: string, chat: string, labelId: string, labelled?: boolean): Promise<void>;
  starMessage(account: string, chat: string, messageId: string, starred?: boolean): Promise<void>;
  deleteMessageForMe(account: string, chat: string, messageId: string): Promise<string>;
  listLabels(account: string): Promise<LabelInfo[]>;
  editLabel(account: string, edit: LabelEdit): Promise<string>;
}

export function chatVerbs(link: Requester): ChatVerbs {
  return {
    modifyChat: async (account, chat, action, opts = {}) => {
      await link.request('chat:modify', { action, ...(opts.until !== undefined ? { until: opts.until } : {}) }, { account, chat });
    },
    markRead: async (account, chat, messageIds, opts = {}) => {
      await link.request('message:read', { messageIds, ...(opts.played ? { played: true } : {}) }, { account, chat });
    },
    setDisappearing: async (account, chat, expiration) => {
      await link.request('chat:modify', { action: 'disappearing', expiration }, { account, chat });
    },
    labelChat: async (account, chat, labelId, labelled = true) => {
      await link.request('label:chat', { labelId, action: labelled ? 'add' : 'remove' }, { account, chat });
    },
    starMessage: async (account, chat, messageId, starred = true) => {
      await link.request('message:star', { messageId, starred }, { account, chat });
    },
    deleteMessageForMe: async (account, chat, messageId) => (await link.request('message:delete', { messageId, forMe: true }, { account, chat })).messageId,
    listLabels: async (account) => (await link.request('label:list', {}, { account })).labels,
    editLabel: async (account, edit) => (await link.request('label:edit', { ...edit }, { account })).id,
  };
}
