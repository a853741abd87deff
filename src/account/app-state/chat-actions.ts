/**
 * What a consumer asks of its chats (archive, pin, mute, mark read, clear,
 * delete, star or delete a message for me, labels), turned into the app
 * state actions WhatsApp's own clients write: the message a star names is
 * looked up so its index says who sent it, a chat-wide action carries the
 * range of messages it covers, a new label gets the next free id.
 *
 * Nothing is applied here before the server took the patch: the account's
 * records and events follow from the patch, as they do for the phone's.
 */
import { isGroup, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { AppStateAction, MessageRange, MessageRef } from '../../protocol/appstate/index.js';
import type { ChatAction, LabelEdit } from '../../contract/api.js';
import type { AccountStore, AppStateLabel } from '../../store/index.js';
import { AppStateSyncError } from './errors.js';
import type { PushResult } from './push.js';

export interface ChatActionDeps {
  readonly store: AccountStore;
  readonly apply: (action: AppStateAction) => Promise<PushResult[]>;
  /** The chat id the store keeps a jid under. */
  readonly canonicalChat: (jid: string) => Promise<string>;
  readonly now: () => number;
}

/** Labels a person may have: enough for any real use, and it bounds the id search. */
const MAX_LABEL_ID = 1_000_000;

export class ChatActions {
  readonly #d: ChatActionDeps;

  constructor(deps: ChatActionDeps) {
    this.#d = deps;
  }

  /**
   * @param until for `mute`: unix seconds when it ends; absent: for ever
   * @throws AppStateSyncError (see AppState.apply)
   */
  async modify(chat: string, action: ChatAction, until?: number): Promise<void> {
    await this.#d.apply(await this.#chatAction(chat, action, until));
  }

  /** @throws AppStateSyncError NOT_FOUND (a message the account does not know), and as AppState.apply */
  async star(chat: string, messageId: string, starred: boolean): Promise<void> {
    const { ref } = await this.#message(chat, messageId);
    await this.#d.apply({ type: 'star', chat, message: ref, starred });
  }

  /** Deletes a message on every device of ours, not for the others in the chat. */
  async deleteForMe(chat: string, messageId: string): Promise<void> {
    const { ref, t } = await this.#message(chat, messageId);
    await this.#d.apply({ type: 'deleteForMe', chat, message: ref, deleteMedia: false, ...(t !== undefined ? { messageTimestamp: t } : {}) });
  }

  /** @throws AppStateSyncError NOT_FOUND (an id that names no label), and as AppState.apply */
  async editLabel(edit: LabelEdit): Promise<{ id: string }> {
    const labels = await this.#d.store.appState.listLabels();
    let current: AppStateLabel | undefined;
    if (edit.id !== undefined) {
      current = labels.find((l) => l.id === edit.id);
      if (!current) throw new AppStateSyncError('NOT_FOUND', `no label ${edit.id}`);
    }
    const id = edit.id ?? nextLabelId(labels);
    await this.#d.apply({
      type: 'labelEdit',
      labelId: id,
      name: edit.name,
      color: edit.color ?? current?.color ?? 0,
      deleted: edit.deleted ?? false,
      ...(current?.predefinedId !== undefined ? { predefinedId: current.predefinedId } : {}),
      ...(current?.orderIndex !== undefined ? { orderIndex: current.orderIndex } : {}),
    });
    return { id };
  }

  /** @throws AppStateSyncError NOT_FOUND (no such label, or a deleted one), and as AppState.apply */
  async labelChat(chat: string, labelId: string, labelled: boolean): Promise<void> {
    const label = await this.#d.store.appState.getLabel(labelId);
    // Removing a deleted label from a chat still cleans up; adding one is refused.
    if (!label || (labelled && label.deleted)) throw new AppStateSyncError('NOT_FOUND', `no label ${labelId}`);
    await this.#d.apply({ type: 'labelChat', chat, labelId, labelled });
  }

  async #chatAction(chat: string, action: ChatAction, until: number | undefined): Promise<AppStateAction> {
    switch (action) {
      case 'archive':
      case 'unarchive':
        return { type: 'archive', chat, archived: action === 'archive', messageRange: this.#range() };
      case 'pin':
      case 'unpin':
        return { type: 'pin', chat, pinned: action === 'pin' };
      case 'mute':
        return { type: 'mute', chat, until: until === undefined ? -1 : until * 1000 };
      case 'unmute':
        return { type: 'mute', chat, until: null };
      case 'markRead':
      case 'markUnread':
        return { type: 'markRead', chat, read: action === 'markRead', messageRange: this.#range() };
      case 'clear':
        // As WhatsApp's own dialog offers by default: starred messages and media stay.
        return { type: 'clearChat', chat, keepStarred: true, deleteMedia: false, messageRange: this.#range() };
      case 'delete':
        return { type: 'deleteChat', chat, deleteMedia: false, messageRange: this.#range() };
    }
  }

  /**
   * The messages a chat-wide action covers: all up to now. Other devices
   * ignore the action for a chat with a message newer than the range (it came
   * after the person acted), so the range must reach the newest one we know.
   */
  #range(): MessageRange {
    return { lastMessageTimestamp: Math.floor(this.#d.now() / 1000) };
  }

  /** A message of the chat as an index names it: our own send, or a received one with its sender. */
  async #message(chat: string, messageId: string): Promise<{ ref: MessageRef; t?: number }> {
    const store = this.#d.store;
    const sent = await store.sent.get(messageId);
    if (sent && (await this.#sameChat(sent.to, chat))) return { ref: { id: messageId, fromMe: true }, t: Math.floor(sent.t / 1000) };
    const canonical = await this.#d.canonicalChat(chat);
    const record = (await store.messages.get(canonical, messageId)) ?? (canonical !== chat ? await store.messages.get(chat, messageId) : undefined);
    if (!record) throw new AppStateSyncError('NOT_FOUND', `no message ${messageId} in ${chat}`);
    const fromMe = record.fromMe === true;
    const sender = typeof record.sender === 'string' ? record.sender : undefined;
    const t = typeof record.t === 'number' ? record.t : undefined;
    const ref: MessageRef = { id: messageId, fromMe, ...(isGroup(chat) && !fromMe && sender ? { participant: jidNormalizedUser(sender) } : {}) };
    return { ref, ...(t !== undefined ? { t } : {}) };
  }

  async #sameChat(a: string, b: string): Promise<boolean> {
    const [x, y] = await Promise.all([this.#d.canonicalChat(jidNormalizedUser(a)), this.#d.canonicalChat(b)]);
    return x === y;
  }
}

/** WhatsApp's label ids are small numbers: the next after the highest, deleted ones included (an id is never reused). */
function nextLabelId(labels: readonly AppStateLabel[]): string {
  let max = 0;
  for (const l of labels) {
    const n = Number(l.id);
    if (Number.isSafeInteger(n) && n > max && n < MAX_LABEL_ID) max = n;
  }
  return String(max + 1);
}
