/**
 * What app state changes do to the account: the records they update (chats:
 * archived, pinned, muted, read, labels; contacts' saved names; labels, our
 * push name, settings, a starred or
 * deleted-for-me message) and the events consumers get (`chat:updated`,
 * `contact:updated`, `label:updated`, `message:updated`, `message:deleted`).
 * Everything is read first and returned as one staging function, so the
 * caller commits it in the batch that advances the collection's version:
 * a crash can never apply a change without its version, or the other way.
 *
 * Changes to one chat in one batch become one `chat:updated` (archiving
 * also unpins: consumers see both in one event).
 */
import { jidNormalizedUser } from '../../protocol/jid/index.js';
import type { AppStateChange } from '../../protocol/appstate/index.js';
import type { AccountStore, AppStateLabel, ChatPatch, Transaction, ValueMap } from '../../store/index.js';
import type { AccountEvent } from '../events.js';
import type { AccountIdentity } from '../messaging-deps.js';

export interface EffectDeps {
  readonly store: AccountStore;
  /** The chat id consumers see for a jid (PN for a LID whose PN is known). */
  readonly canonicalChat: (jid: string) => Promise<string>;
  readonly me: () => AccountIdentity;
}

export interface Effects {
  readonly stage: (tx: Transaction) => void;
  readonly events: AccountEvent[];
}

/** Setting names under which app state settings are kept. */
export const SETTING = { locale: 'locale', unarchiveChats: 'unarchiveChats' } as const;

/** A chat's mute end as consumers see it: unix seconds, -1 for ever, null when not muted. */
export function mutedUntilSeconds(ms: number | null): number | null {
  if (ms === null) return null;
  return ms < 0 ? -1 : Math.floor(ms / 1000);
}

export async function planEffects(deps: EffectDeps, changes: readonly AppStateChange[]): Promise<Effects> {
  const writes: Array<(tx: Transaction) => void> = [];
  const chats = new Map<string, Record<string, unknown>>();
  const contacts = new Map<string, Record<string, unknown>>();
  const labels = new Map<string, AppStateLabel>();
  const messageEvents: AccountEvent[] = [];
  // Label sets of chats as this batch leaves them (read once, then changed in memory).
  const chatLabels = new Map<string, Set<string>>();
  // Chat records take the change in the same batch (merged at commit with what other writers change in them).
  const patchChat = (fields: Record<string, unknown>, patch: ChatPatch): void => {
    const jid = fields.jid as string;
    writes.push((tx) => tx.chats.patch(jid, patch));
  };
  const chatOf = async (jid: string): Promise<Record<string, unknown>> => {
    const c = await deps.canonicalChat(jid);
    let fields = chats.get(c);
    if (!fields) chats.set(c, (fields = { jid: c }));
    return fields;
  };

  for (const change of changes) {
    switch (change.kind) {
      case 'chat.archived': {
        const fields = await chatOf(change.chat);
        fields.archived = change.archived;
        patchChat(fields, { archived: change.archived, fromAppState: true });
        break;
      }
      case 'chat.pinned': {
        const fields = await chatOf(change.chat);
        fields.pinned = change.pinned;
        // Pinned chats are ordered by when they were pinned.
        patchChat(fields, { pinned: change.pinned, pinnedAt: change.pinned ? Math.floor((change.timestamp ?? 0) / 1000) : null, fromAppState: true });
        break;
      }
      case 'chat.muted': {
        const fields = await chatOf(change.chat);
        fields.mutedUntil = mutedUntilSeconds(change.mutedUntil);
        patchChat(fields, { mutedUntil: fields.mutedUntil as number | null, fromAppState: true });
        break;
      }
      case 'chat.read': {
        const fields = await chatOf(change.chat);
        fields.read = change.read;
        // Marked unread on a device shows as unread everywhere, whatever its count.
        fields.markedUnread = !change.read;
        if (change.read) fields.unreadCount = 0;
        // A read dated by its mutation: an old one (a snapshot at linking) leaves later messages unread.
        const read: ChatPatch = change.timestamp !== undefined ? { readAt: Math.floor(change.timestamp / 1000) } : { unreadCount: 0 };
        patchChat(fields, { markedUnread: !change.read, ...(change.read ? read : {}) });
        break;
      }
      case 'chat.deleted':
        (await chatOf(change.chat)).deleted = true;
        break;
      case 'chat.cleared':
        (await chatOf(change.chat)).cleared = true;
        break;
      case 'chat.labelled': {
        const fields = await chatOf(change.chat);
        const jid = fields.jid as string;
        let set = chatLabels.get(jid);
        if (!set) chatLabels.set(jid, (set = new Set((await deps.store.chats.get(jid))?.labels ?? [])));
        if (change.labelled) set.add(change.labelId);
        else set.delete(change.labelId);
        patchChat(fields, change.labelled ? { addLabels: [change.labelId] } : { removeLabels: [change.labelId] });
        fields.labels = [...set].sort();
        break;
      }
      case 'message.starred':
      case 'message.deletedForMe': {
        const chat = await deps.canonicalChat(change.chat);
        const record = (await deps.store.messages.get(chat, change.messageId)) ?? (chat !== change.chat ? await deps.store.messages.get(change.chat, change.messageId) : undefined);
        const where = record && (await deps.store.messages.has(chat, change.messageId)) ? chat : change.chat;
        const who = { chat, messageId: change.messageId, fromMe: change.fromMe, ...(change.participant ? { participant: change.participant } : {}) };
        if (change.kind === 'message.starred') {
          if (record) writes.push((tx) => tx.messages.put(where, change.messageId, { ...record, starred: change.starred }));
          messageEvents.push({ type: 'message:updated', conversationId: chat, data: { ...who, starred: change.starred } as ValueMap });
        } else {
          // The record stays (it is what recognises a redelivery), marked so it is never shown again.
          if (record) writes.push((tx) => tx.messages.put(where, change.messageId, { ...record, deletedForMe: true }));
          messageEvents.push({ type: 'message:deleted', conversationId: chat, data: { ...who, forMe: true } as ValueMap });
        }
        break;
      }
      case 'message.labelled':
        break;
      case 'contact.updated': {
        const jid = await deps.canonicalChat(change.jid);
        const name = change.fullName ?? change.firstName;
        if (name !== undefined) writes.push((tx) => tx.contacts.patch(jid, { name }));
        contacts.set(jid, { jid, ...(name !== undefined ? { name } : {}), ...(change.firstName !== undefined ? { firstName: change.firstName } : {}) });
        break;
      }
      case 'contact.removed': {
        const jid = await deps.canonicalChat(change.jid);
        writes.push((tx) => tx.contacts.patch(jid, { name: null }));
        contacts.set(jid, { jid, name: null, removed: true });
        break;
      }
      case 'pushName': {
        const name = change.name;
        writes.push((tx) => {
          // Read inside the batch: the creds the commit builds on, not a stale copy.
          const me = tx.state.creds?.me;
          if (me && me.name !== name) tx.creds.update({ me: { ...me, name } });
        });
        const own = jidNormalizedUser(deps.me().jid);
        if (own) contacts.set(own, { jid: own, pushName: name, self: true });
        break;
      }
      case 'locale':
        writes.push((tx) => tx.appState.putSetting(SETTING.locale, change.locale));
        break;
      case 'setting.unarchiveChats':
        writes.push((tx) => tx.appState.putSetting(SETTING.unarchiveChats, change.enabled));
        break;
      case 'label.edited': {
        const label: AppStateLabel = {
          id: change.labelId,
          name: change.name,
          color: change.color ?? 0,
          deleted: change.deleted,
          ...(change.predefinedId !== undefined ? { predefinedId: change.predefinedId } : {}),
          ...(change.orderIndex !== undefined ? { orderIndex: change.orderIndex } : {}),
        };
        labels.set(label.id, label);
        writes.push((tx) => tx.appState.putLabel(label));
        break;
      }
    }
  }

  const events: AccountEvent[] = [
    ...[...chats.values()].map((data): AccountEvent => ({ type: 'chat:updated', conversationId: data.jid as string, data: data as ValueMap })),
    ...[...contacts.values()].map((data): AccountEvent => ({ type: 'contact:updated', data: data as ValueMap })),
    ...[...labels.values()].map((l): AccountEvent => ({ type: 'label:updated', data: labelData(l) })),
    ...messageEvents,
  ];
  return { stage: (tx) => writes.forEach((w) => w(tx)), events };
}

/** A label as consumers see it. */
export function labelData(l: AppStateLabel): ValueMap {
  return { id: l.id, name: l.name, color: l.color, deleted: l.deleted, ...(l.predefinedId !== undefined ? { predefinedId: l.predefinedId } : {}) };
}
