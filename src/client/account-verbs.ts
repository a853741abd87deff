/**
 * The account verbs (list, status, start, stop, restart, logout, remove,
 * pairing code) and the reads of what an account stores (chats, contacts,
 * messages) over anything that sends control requests: WadClient on the
 * socket and the CLI's HTTP link alike, so `wad account`, `wad chat list` and
 * `wad messages` work over either without a second copy of each request.
 */
import type { AccountSummary, ChatInfo, ChatListOptions, ContactInfo, MessageListOptions, StoredMessage } from '../contract/api.js';
import type { Requester } from './requester.js';

export interface AccountVerbs {
  listAccounts(): Promise<AccountSummary[]>;
  accountStatus(id: string): Promise<AccountSummary>;
  startAccount(id: string): Promise<void>;
  stopAccount(id: string): Promise<void>;
  /** Restarts only this account's actors; the others keep running. */
  restartAccount(id: string): Promise<void>;
  logoutAccount(id: string): Promise<void>;
  removeAccount(id: string): Promise<void>;
  requestPairCode(id: string, phone: string): Promise<string>;
  /** The account's chats, most recent first. */
  listChats(account: string, opts?: ChatListOptions): Promise<ChatInfo[]>;
  listContacts(account: string): Promise<ContactInfo[]>;
  /** A chat's stored messages, newest first; `before` (a message id) pages back. */
  listMessages(account: string, chat: string, opts?: MessageListOptions): Promise<StoredMessage[]>;
}

export function accountVerbs(link: Requester): AccountVerbs {
  const lifecycle = (type: 'account:start' | 'account:stop' | 'account:restart' | 'account:logout' | 'account:remove') => async (id: string) => {
    await link.request(type, {}, { account: id });
  };
  return {
    listAccounts: async () => (await link.request('account:list', {})).accounts,
    accountStatus: (id) => link.request('account:status', {}, { account: id }),
    startAccount: lifecycle('account:start'),
    stopAccount: lifecycle('account:stop'),
    restartAccount: lifecycle('account:restart'),
    logoutAccount: lifecycle('account:logout'),
    removeAccount: lifecycle('account:remove'),
    requestPairCode: async (id, phone) => (await link.request('account:pair-code', { phone }, { account: id })).pairCode,
    listChats: async (account, opts = {}) => (await link.request('chat:list', { ...opts }, { account })).chats,
    listContacts: async (account) => (await link.request('contact:list', {}, { account })).contacts,
    listMessages: async (account, chat, opts = {}) => (await link.request('message:list', { ...opts }, { account, chat })).messages,
  };
}
