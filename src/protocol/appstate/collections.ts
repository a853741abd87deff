/**
 * The five app state collections and which index names live in which.
 * WhatsApp splits the account's shared settings by how urgently a new device
 * needs them: critical_block (push name, locale) must be synced before the
 * device may do anything, critical_unblock_low (the address book) soon after;
 * the regular ones (chat and message actions, labels) whenever convenient.
 * A mutation's collection is fixed by its index name (the first element of
 * its JSON index): a client that puts it elsewhere is not understood by others.
 */

export const COLLECTIONS = ['critical_block', 'critical_unblock_low', 'regular_high', 'regular', 'regular_low'] as const;

export type CollectionName = (typeof COLLECTIONS)[number];

export function isCollectionName(name: string): name is CollectionName {
  return (COLLECTIONS as readonly string[]).includes(name);
}

/** Index names wad builds or interprets; the JSON index starts with one of these. */
export const INDEX = {
  // critical_block: the account's own settings
  pushName: 'setting_pushName',
  locale: 'setting_locale',
  // critical_unblock_low: the address book
  contact: 'contact',
  lidContact: 'lid_contact',
  // regular_high: actions on chats and messages that must not be lost
  mute: 'mute',
  star: 'star',
  deleteMessageForMe: 'deleteMessageForMe',
  clearChat: 'clearChat',
  deleteChat: 'deleteChat',
  // regular: labels
  labelEdit: 'label_edit',
  labelChat: 'label_jid',
  labelMessage: 'label_message',
  // regular_low: chat list state
  pin: 'pin_v1',
  archive: 'archive',
  markChatAsRead: 'markChatAsRead',
  unarchiveChats: 'setting_unarchiveChats',
} as const;

export type IndexName = (typeof INDEX)[keyof typeof INDEX];

const COLLECTION_OF: Readonly<Record<IndexName, CollectionName>> = {
  setting_pushName: 'critical_block',
  setting_locale: 'critical_block',
  contact: 'critical_unblock_low',
  lid_contact: 'critical_unblock_low',
  mute: 'regular_high',
  star: 'regular_high',
  deleteMessageForMe: 'regular_high',
  clearChat: 'regular_high',
  deleteChat: 'regular_high',
  label_edit: 'regular',
  label_jid: 'regular',
  label_message: 'regular',
  pin_v1: 'regular_low',
  archive: 'regular_low',
  markChatAsRead: 'regular_low',
  setting_unarchiveChats: 'regular_low',
};

/** The collection an index name belongs to, or undefined for names wad does not know. */
export function collectionOf(indexName: string): CollectionName | undefined {
  return Object.hasOwn(COLLECTION_OF, indexName) ? COLLECTION_OF[indexName as IndexName] : undefined;
}
