/**
 * What a person does to chats, messages, contacts, labels and settings, as
 * the app state mutations WhatsApp writes for it: the JSON index, the action's
 * schema version, its collection and the SyncActionValue. Index shapes and
 * versions are the ones WhatsApp's own clients write, since other devices
 * find a record by its index MAC: a different index is a different record.
 *
 * Timestamps: `timestamp` (the action's time) is in ms; message timestamps in
 * message ranges are in seconds, as in messages.
 */
import { isGroup } from '../jid/index.js';
import type { proto } from '../proto/index.js';
import type { CollectionMutation } from './build.js';
import { collectionOf, INDEX, type IndexName } from './collections.js';
import { AppStateError } from './errors.js';
import type { MutationOperation } from './macs.js';

/** A message of a chat, as an app state index names it. */
export interface MessageRef {
  readonly id: string;
  readonly fromMe: boolean;
  /** The sender, for a group message someone else sent (required then). */
  readonly participant?: string;
}

/** The messages a chat-wide action covers, so a device with newer ones can tell. */
export interface MessageRange {
  /** Seconds. */
  readonly lastMessageTimestamp: number;
  readonly lastSystemMessageTimestamp?: number;
  readonly messages?: readonly { readonly key: proto.IMessageKey; readonly timestamp: number }[];
}

export type AppStateAction =
  | { readonly type: 'archive'; readonly chat: string; readonly archived: boolean; readonly messageRange?: MessageRange }
  | { readonly type: 'pin'; readonly chat: string; readonly pinned: boolean }
  /** `until`: ms when the mute ends, -1 for ever, null to unmute. */
  | { readonly type: 'mute'; readonly chat: string; readonly until: number | null }
  | { readonly type: 'markRead'; readonly chat: string; readonly read: boolean; readonly messageRange?: MessageRange }
  | { readonly type: 'star'; readonly chat: string; readonly message: MessageRef; readonly starred: boolean }
  | { readonly type: 'deleteForMe'; readonly chat: string; readonly message: MessageRef; readonly deleteMedia: boolean; readonly messageTimestamp?: number }
  | { readonly type: 'deleteChat'; readonly chat: string; readonly deleteMedia: boolean; readonly messageRange?: MessageRange }
  | { readonly type: 'clearChat'; readonly chat: string; readonly keepStarred: boolean; readonly deleteMedia: boolean; readonly messageRange?: MessageRange }
  | {
      readonly type: 'contact';
      readonly jid: string;
      readonly fullName?: string;
      readonly firstName?: string;
      readonly lidJid?: string;
      readonly pnJid?: string;
      readonly saveOnPrimaryAddressbook?: boolean;
    }
  | { readonly type: 'removeContact'; readonly jid: string }
  | { readonly type: 'pushName'; readonly name: string }
  | { readonly type: 'locale'; readonly locale: string }
  | {
      readonly type: 'labelEdit';
      readonly labelId: string;
      readonly name: string;
      readonly color: number;
      readonly deleted: boolean;
      readonly predefinedId?: number;
      readonly orderIndex?: number;
    }
  | { readonly type: 'labelChat'; readonly chat: string; readonly labelId: string; readonly labelled: boolean }
  | { readonly type: 'labelMessage'; readonly chat: string; readonly labelId: string; readonly messageId: string; readonly labelled: boolean }
  | { readonly type: 'unarchiveChats'; readonly enabled: boolean };

/** The schema version WhatsApp writes for each index name (SyncActionData.version). */
const ACTION_VERSION: Readonly<Record<IndexName, number>> = {
  setting_pushName: 1,
  setting_locale: 3,
  contact: 2,
  lid_contact: 1,
  mute: 2,
  star: 2,
  deleteMessageForMe: 3,
  clearChat: 6,
  deleteChat: 6,
  label_edit: 3,
  label_jid: 3,
  label_message: 3,
  pin_v1: 5,
  archive: 3,
  markChatAsRead: 3,
  setting_unarchiveChats: 4,
};

/**
 * The mutations of one action, stamped with `timestamp` (ms). Archiving also
 * unpins, as WhatsApp does: an archived chat is never pinned.
 * @throws AppStateError BAD_ACTION
 */
export function actionMutations(action: AppStateAction, timestamp: number): CollectionMutation[] {
  const m = (index: [IndexName, ...string[]], value: Omit<proto.ISyncActionValue, 'timestamp'>, operation: MutationOperation = 'set'): CollectionMutation => ({
    collection: collectionOf(index[0])!,
    operation,
    index,
    value: { timestamp, ...value },
    version: ACTION_VERSION[index[0]],
  });
  switch (action.type) {
    case 'archive': {
      const archive = m([INDEX.archive, action.chat], { archiveChatAction: { archived: action.archived, ...range(action.messageRange) } });
      return action.archived ? [archive, m([INDEX.pin, action.chat], { pinAction: { pinned: false } })] : [archive];
    }
    case 'pin':
      return [m([INDEX.pin, action.chat], { pinAction: { pinned: action.pinned } })];
    case 'mute':
      return [m([INDEX.mute, action.chat], { muteAction: { muted: action.until !== null, muteEndTimestamp: action.until ?? 0 } })];
    case 'markRead':
      return [m([INDEX.markChatAsRead, action.chat], { markChatAsReadAction: { read: action.read, ...range(action.messageRange) } })];
    case 'star':
      return [m(messageIndex(INDEX.star, action.chat, action.message), { starAction: { starred: action.starred } })];
    case 'deleteForMe':
      return [
        m(messageIndex(INDEX.deleteMessageForMe, action.chat, action.message), {
          deleteMessageForMeAction: {
            deleteMedia: action.deleteMedia,
            ...(action.messageTimestamp !== undefined ? { messageTimestamp: action.messageTimestamp } : {}),
          },
        }),
      ];
    case 'deleteChat':
      return [m([INDEX.deleteChat, action.chat, flag(action.deleteMedia)], { deleteChatAction: range(action.messageRange) })];
    case 'clearChat':
      // The first flag is 0 when starred messages are kept.
      return [m([INDEX.clearChat, action.chat, flag(!action.keepStarred), flag(action.deleteMedia)], { clearChatAction: range(action.messageRange) })];
    case 'contact': {
      const { type: _type, jid, ...contact } = action;
      return [m([INDEX.contact, jid], { contactAction: contact })];
    }
    case 'removeContact':
      return [m([INDEX.contact, action.jid], { contactAction: {} }, 'remove')];
    case 'pushName':
      return [m([INDEX.pushName], { pushNameSetting: { name: action.name } })];
    case 'locale':
      return [m([INDEX.locale], { localeSetting: { locale: action.locale } })];
    case 'labelEdit': {
      const { type: _type, labelId, ...label } = action;
      return [m([INDEX.labelEdit, labelId], { labelEditAction: label })];
    }
    case 'labelChat':
      return [m([INDEX.labelChat, action.labelId, action.chat], { labelAssociationAction: { labeled: action.labelled } })];
    case 'labelMessage':
      return [
        m([INDEX.labelMessage, action.labelId, action.chat, action.messageId, '0', '0'], { labelAssociationAction: { labeled: action.labelled } }),
      ];
    case 'unarchiveChats':
      return [m([INDEX.unarchiveChats], { unarchiveChatsSetting: { unarchiveChats: action.enabled } })];
  }
}

/**
 * [name, chat, message id, fromMe "1"/"0", participant or "0"]: the sender is
 * named only for group messages of others, where the id alone is ambiguous.
 */
function messageIndex(name: IndexName, chat: string, message: MessageRef): [IndexName, ...string[]] {
  const group = isGroup(chat);
  if (group && !message.fromMe && !message.participant) {
    throw new AppStateError('BAD_ACTION', `${name} of a group message from someone else needs its participant`);
  }
  const participant = group && !message.fromMe && message.participant ? message.participant : '0';
  return [name, chat, message.id, flag(message.fromMe), participant];
}

function range(r: MessageRange | undefined): { messageRange?: proto.SyncActionValue.ISyncActionMessageRange } {
  if (!r) return {};
  return {
    messageRange: {
      lastMessageTimestamp: r.lastMessageTimestamp,
      ...(r.lastSystemMessageTimestamp !== undefined ? { lastSystemMessageTimestamp: r.lastSystemMessageTimestamp } : {}),
      messages: (r.messages ?? []).map((msg) => ({ key: msg.key, timestamp: msg.timestamp })),
    },
  };
}

const flag = (b: boolean): string => (b ? '1' : '0');
