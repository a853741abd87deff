/**
 * WadClient's chat verbs: the chat-state changes made through app state
 * (archive, pin, mute, read, labels, stars, delete for me, the disappearing
 * timer), typing and presence, and the reads of what an account stores
 * (chats, contacts, messages, older history from the phone). A layer between
 * the community and channel verbs and WadClient so each verb family keeps
 * its file; the request shapes are chat-verbs.ts's and account-verbs.ts's,
 * shared with the CLI's HTTP link.
 */
import type {
  ChatAction,
  ChatInfo,
  ChatListOptions,
  ContactInfo,
  HistoryRequestResult,
  LabelEdit,
  LabelInfo,
  MessageListOptions,
  StoredMessage,
} from '../contract/api.js';
import { accountVerbs } from './account-verbs.js';
import { chatVerbs } from './chat-verbs.js';
import { CommunitiesAndChannels } from './communities-channels.js';

export class ChatsAndStore extends CommunitiesAndChannels {
  readonly #chats = chatVerbs(this);
  readonly #stored = accountVerbs(this);

  // ---- chat state ----------------------------------------------------------

  /** Deletes a message on the account's own devices only (`message:delete {forMe: true}`). */
  async deleteMessageForMe(account: string, chat: string, messageId: string): Promise<string> {
    return this.#chats.deleteMessageForMe(account, chat, messageId);
  }

  async starMessage(account: string, chat: string, messageId: string, starred = true): Promise<void> {
    return this.#chats.starMessage(account, chat, messageId, starred);
  }

  /** Archives, pins, mutes (`until`: unix s; none for ever), marks read… a chat on every device of the account (`chat:modify`). */
  async modifyChat(account: string, chat: string, action: ChatAction, opts: { until?: number } = {}): Promise<void> {
    return this.#chats.modifyChat(account, chat, action, opts);
  }

  async listLabels(account: string): Promise<LabelInfo[]> {
    return this.#chats.listLabels(account);
  }

  /** Creates (no `id`), renames, recolours or deletes a label; answers its id. */
  async editLabel(account: string, edit: LabelEdit): Promise<string> {
    return this.#chats.editLabel(account, edit);
  }

  async labelChat(account: string, chat: string, labelId: string, labelled = true): Promise<void> {
    return this.#chats.labelChat(account, chat, labelId, labelled);
  }

  /** `played`: played receipts (voice notes heard) instead of read receipts. */
  async markRead(account: string, chat: string, messageIds: string[], opts: { played?: boolean } = {}): Promise<void> {
    return this.#chats.markRead(account, chat, messageIds, opts);
  }

  /** The chat's disappearing timer, seconds (0: off); for a group, the group's setting. */
  async setDisappearing(account: string, chat: string, expiration: number): Promise<void> {
    return this.#chats.setDisappearing(account, chat, expiration);
  }

  async typing(account: string, chat: string, on: boolean, opts: { recording?: boolean } = {}): Promise<void> {
    if (on) await this.request('typing:start', opts.recording ? { recording: true } : {}, { account, chat });
    else await this.request('typing:stop', {}, { account, chat });
  }

  async setPresence(account: string, status: 'available' | 'unavailable'): Promise<void> {
    await this.request('presence:update', { status }, { account });
  }

  // ---- stored chats, contacts, messages ----------------------------------

  /** The account's chats, most recent first (`chat:list`). */
  async listChats(account: string, opts: ChatListOptions = {}): Promise<ChatInfo[]> {
    return this.#stored.listChats(account, opts);
  }

  /** The people the account knows (`contact:list`). */
  async listContacts(account: string): Promise<ContactInfo[]> {
    return this.#stored.listContacts(account);
  }

  /**
   * Asks the phone for older messages of a chat (`history:request`); they arrive as a
   * `history:sync` event of type ON_DEMAND naming `requestId`, and then in listMessages.
   */
  async requestHistory(account: string, chat: string, count?: number): Promise<HistoryRequestResult> {
    return this.request('history:request', count === undefined ? {} : { count }, { account, chat });
  }

  /** A chat's stored messages, newest first; `before` (a message id) pages back (`message:list`). */
  async listMessages(account: string, chat: string, opts: MessageListOptions = {}): Promise<StoredMessage[]> {
    return this.#stored.listMessages(account, chat, opts);
  }
}
