/**
 * The status verbs over anything that sends control requests (WadClient on
 * the socket, the CLI's HTTP link): a status is a `message:send` to
 * `status@broadcast` with its audience; reading one is `message:read` there.
 */
import type { SendData } from '../contract/frames.js';
import type { Requester } from './requester.js';

export const STATUS_CHAT = 'status@broadcast';

export interface StatusVerbs {
  /** Posts a status that exactly `audience` (jids or numbers) receives; resolves with its message id. */
  sendStatus(account: string, audience: string[], content: SendData): Promise<string>;
  /** Read receipts for contacts' statuses (ids as their message:new named them). */
  readStatuses(account: string, messageIds: string[]): Promise<void>;
}

export function statusVerbs(link: Requester): StatusVerbs {
  return {
    sendStatus: async (account, audience, content) => (await link.request('message:send', { ...content, audience }, { account, chat: STATUS_CHAT })).messageId,
    readStatuses: async (account, messageIds) => {
      await link.request('message:read', { messageIds }, { account, chat: STATUS_CHAT });
    },
  };
}
