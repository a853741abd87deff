/**
 * What a decoded mutation means for the account, as a typed change: chat
 * archived, pinned, muted, read, deleted, cleared or labelled; a message
 * starred, deleted for me or labelled; a contact's name; our push name and
 * locale; a label edited; the unarchive-chats setting.
 *
 * The index name decides the kind; the value gives the rest. A REMOVE means
 * the record is gone, which for a flag is its default (not pinned, not muted,
 * not starred, not labelled) and for a contact is its removal. Mutations wad
 * does not interpret, and malformed ones (an index too short, a value without
 * its action), give undefined: they still count in the LT-hash, and are
 * simply not reported.
 */
import type { proto } from '../proto/index.js';
import { INDEX } from './collections.js';
import type { DecodedMutation } from './mutation.js';

interface MessageTarget {
  readonly chat: string;
  readonly messageId: string;
  readonly fromMe: boolean;
  /** The sender of a group message someone else sent. */
  readonly participant?: string;
}

export type AppStateChange = (
  | { readonly kind: 'chat.archived'; readonly chat: string; readonly archived: boolean }
  | { readonly kind: 'chat.pinned'; readonly chat: string; readonly pinned: boolean }
  /** `mutedUntil`: ms, -1 for ever, null when not muted. */
  | { readonly kind: 'chat.muted'; readonly chat: string; readonly mutedUntil: number | null }
  | { readonly kind: 'chat.read'; readonly chat: string; readonly read: boolean }
  | { readonly kind: 'chat.deleted'; readonly chat: string; readonly deleteMedia: boolean }
  | { readonly kind: 'chat.cleared'; readonly chat: string; readonly keepStarred: boolean; readonly deleteMedia: boolean }
  | { readonly kind: 'chat.labelled'; readonly chat: string; readonly labelId: string; readonly labelled: boolean }
  | ({ readonly kind: 'message.starred'; readonly starred: boolean } & MessageTarget)
  | ({ readonly kind: 'message.deletedForMe'; readonly deleteMedia: boolean } & MessageTarget)
  | { readonly kind: 'message.labelled'; readonly chat: string; readonly messageId: string; readonly labelId: string; readonly labelled: boolean }
  | {
      readonly kind: 'contact.updated';
      readonly jid: string;
      readonly fullName?: string;
      readonly firstName?: string;
      readonly lidJid?: string;
      readonly pnJid?: string;
      readonly username?: string;
    }
  | { readonly kind: 'contact.removed'; readonly jid: string }
  | { readonly kind: 'pushName'; readonly name: string }
  | { readonly kind: 'locale'; readonly locale: string }
  | {
      readonly kind: 'label.edited';
      readonly labelId: string;
      readonly name: string;
      readonly color?: number;
      readonly deleted: boolean;
      readonly predefinedId?: number;
      readonly orderIndex?: number;
    }
  | { readonly kind: 'setting.unarchiveChats'; readonly enabled: boolean }
) & {
  /** When the writer says the action happened (ms), if it says. */
  readonly timestamp?: number;
};

type ChangeBody = AppStateChange extends infer C ? (C extends unknown ? Omit<C, 'timestamp'> : never) : never;

/** The change a mutation stands for, or undefined when wad does not report it. */
export function changeOf(mutation: Pick<DecodedMutation, 'operation' | 'index' | 'value'>): AppStateChange | undefined {
  const body = bodyOf(mutation.operation === 'remove', mutation.index, mutation.value);
  if (!body) return undefined;
  const ts = mutation.value.timestamp;
  return ts === null || ts === undefined ? body : { ...body, timestamp: ts };
}

function bodyOf(removed: boolean, index: readonly string[], v: proto.ISyncActionValue): ChangeBody | undefined {
  const [name, a, b, c, d] = index;
  switch (name) {
    case INDEX.archive:
      if (!a) return undefined;
      if (removed) return { kind: 'chat.archived', chat: a, archived: false };
      return v.archiveChatAction ? { kind: 'chat.archived', chat: a, archived: !!v.archiveChatAction.archived } : undefined;
    case INDEX.pin:
      if (!a) return undefined;
      if (removed) return { kind: 'chat.pinned', chat: a, pinned: false };
      return v.pinAction ? { kind: 'chat.pinned', chat: a, pinned: !!v.pinAction.pinned } : undefined;
    case INDEX.mute:
      if (!a) return undefined;
      if (removed || (v.muteAction && !v.muteAction.muted)) return { kind: 'chat.muted', chat: a, mutedUntil: null };
      // Muted without an end (or with 0) is muted for ever, as WhatsApp writes it.
      return v.muteAction ? { kind: 'chat.muted', chat: a, mutedUntil: v.muteAction.muteEndTimestamp || -1 } : undefined;
    case INDEX.markChatAsRead:
      if (!a || removed || !v.markChatAsReadAction) return undefined;
      return { kind: 'chat.read', chat: a, read: !!v.markChatAsReadAction.read };
    case INDEX.deleteChat:
      if (!a || removed) return undefined;
      return { kind: 'chat.deleted', chat: a, deleteMedia: b !== '0' };
    case INDEX.clearChat:
      if (!a || removed) return undefined;
      return { kind: 'chat.cleared', chat: a, keepStarred: b === '0', deleteMedia: c === '1' };
    case INDEX.star: {
      const target = messageTarget(a, b, c, d);
      if (!target) return undefined;
      if (removed) return { kind: 'message.starred', ...target, starred: false };
      return v.starAction ? { kind: 'message.starred', ...target, starred: !!v.starAction.starred } : undefined;
    }
    case INDEX.deleteMessageForMe: {
      const target = messageTarget(a, b, c, d);
      if (!target || removed) return undefined;
      return { kind: 'message.deletedForMe', ...target, deleteMedia: !!v.deleteMessageForMeAction?.deleteMedia };
    }
    case INDEX.labelChat:
      if (!a || !b) return undefined;
      return { kind: 'chat.labelled', chat: b, labelId: a, labelled: !removed && !!v.labelAssociationAction?.labeled };
    case INDEX.labelMessage:
      if (!a || !b || !c) return undefined;
      return { kind: 'message.labelled', chat: b, messageId: c, labelId: a, labelled: !removed && !!v.labelAssociationAction?.labeled };
    case INDEX.labelEdit: {
      if (!a) return undefined;
      const l = v.labelEditAction;
      if (removed) return { kind: 'label.edited', labelId: a, name: l?.name ?? '', deleted: true };
      if (!l) return undefined;
      return {
        kind: 'label.edited',
        labelId: a,
        name: l.name ?? '',
        deleted: !!l.deleted,
        ...opt('color', l.color),
        ...opt('predefinedId', l.predefinedId),
        ...opt('orderIndex', l.orderIndex),
      };
    }
    case INDEX.contact: {
      if (!a) return undefined;
      if (removed) return { kind: 'contact.removed', jid: a };
      const ct = v.contactAction;
      if (!ct) return undefined;
      return {
        kind: 'contact.updated',
        jid: a,
        ...opt('fullName', ct.fullName),
        ...opt('firstName', ct.firstName),
        ...opt('lidJid', ct.lidJid),
        ...opt('pnJid', ct.pnJid),
        ...opt('username', ct.username),
      };
    }
    case INDEX.lidContact: {
      if (!a) return undefined;
      if (removed) return { kind: 'contact.removed', jid: a };
      const ct = v.lidContactAction;
      if (!ct) return undefined;
      return { kind: 'contact.updated', jid: a, ...opt('fullName', ct.fullName), ...opt('firstName', ct.firstName), ...opt('username', ct.username) };
    }
    case INDEX.pushName:
      return !removed && v.pushNameSetting?.name ? { kind: 'pushName', name: v.pushNameSetting.name } : undefined;
    case INDEX.locale:
      return !removed && v.localeSetting?.locale ? { kind: 'locale', locale: v.localeSetting.locale } : undefined;
    case INDEX.unarchiveChats:
      if (removed || !v.unarchiveChatsSetting) return undefined;
      return { kind: 'setting.unarchiveChats', enabled: !!v.unarchiveChatsSetting.unarchiveChats };
    default:
      return undefined;
  }
}

/** [.., chat, id, fromMe "1"/"0", participant or "0"] */
function messageTarget(chat?: string, id?: string, fromMe?: string, participant?: string): MessageTarget | undefined {
  if (!chat || !id) return undefined;
  return { chat, messageId: id, fromMe: fromMe === '1', ...(participant && participant !== '0' ? { participant } : {}) };
}

/** { [key]: value } when the protobuf field is set, {} when it is absent. */
function opt<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
