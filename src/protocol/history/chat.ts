/**
 * One Conversation of a history sync → the chat record, the contact and the
 * LID↔PN mappings it implies, and its messages as undecoded slices. The
 * messages (nearly all of a conversation's bytes) are split off before the
 * rest is decoded, so a chat with thousands of messages costs one small decode
 * here and one decode per message later, never all of them at once.
 */
import { jidKind } from '../jid/index.js';
import { proto } from '../proto/index.js';
import type { HistoryChat, HistoryContact, HistoryMessage } from './types.js';
import { splitField } from './wire.js';

/** Conversation.messages. */
const CONVERSATION_MESSAGES = 2;

const END_OF_HISTORY: ReadonlyArray<NonNullable<HistoryChat['endOfHistory']>> = ['more-on-phone', 'complete', 'more-on-phone-on-demand'];
const ROLES: ReadonlyArray<'member' | 'admin' | 'superadmin'> = ['member', 'admin', 'superadmin'];
/** Above this a timestamp cannot be seconds (year 5138): phones that write ms are read as ms. */
const SECONDS_CEILING = 1e11;

export interface ConversationParts {
  readonly chat: HistoryChat;
  readonly contact: HistoryContact;
  readonly mappings: Array<{ lid: string; pn: string }>;
  /** HistorySyncMsg entries, in the order the phone sent them (newest first). */
  readonly messages: Uint8Array[];
  /**
   * A LID chat that does not name its phone number: Baileys then takes the
   * number from the first receipt on a message we sent there, and so do we.
   */
  readonly pnFromReceipts: boolean;
}

const isLid = (jid: string): boolean => ['lid', 'hosted-lid'].includes(jidKind(jid) ?? '');
const isPn = (jid: string): boolean => ['pn', 'hosted'].includes(jidKind(jid) ?? '');

/**
 * @returns undefined for a conversation without id (nothing to file it under)
 * @throws the protobuf reader's error when the bytes are not a Conversation
 */
export function conversationParts(bytes: Uint8Array): ConversationParts | undefined {
  const { occurrences, rest } = splitField(bytes, CONVERSATION_MESSAGES);
  const c = proto.Conversation.decode(rest);
  if (!c.id) return undefined;
  const chat = chatOf(c, occurrences.length);

  const contact: HistoryContact = { jid: c.id };
  const name = c.displayName || c.name || c.username;
  if (name) contact.name = name;
  if (c.username) contact.username = c.username;
  const lid = c.lidJid || c.accountLid;
  if (lid) contact.lid = lid;
  if (c.pnJid) contact.pn = c.pnJid;

  const mappings: Array<{ lid: string; pn: string }> = [];
  if (isLid(c.id) && c.pnJid) mappings.push({ lid: c.id, pn: c.pnJid });
  else if (isPn(c.id) && c.lidJid) mappings.push({ lid: c.lidJid, pn: c.id });
  return { chat, contact, mappings, messages: occurrences, pnFromReceipts: isLid(c.id) && !c.pnJid };
}

/** Unix seconds from a mute end the phone may write in s or ms; -1 for "no end" (an all-ones uint64). */
export function mutedUntil(value: number): number | undefined {
  if (!value) return undefined;
  if (value >= Number.MAX_SAFE_INTEGER) return -1;
  return value > SECONDS_CEILING ? Math.floor(value / 1000) : value;
}

function chatOf(c: proto.Conversation, messageCount: number): HistoryChat {
  const chat: HistoryChat = {
    jid: c.id,
    unreadCount: c.unreadCount ?? 0,
    archived: c.archived === true,
    pinned: (c.pinned ?? 0) > 0,
    messages: messageCount,
  };
  const set = <K extends keyof HistoryChat>(k: K, v: HistoryChat[K] | null | undefined | '' | 0 | false): void => {
    if (v !== null && v !== undefined && v !== '' && v !== 0 && v !== false) chat[k] = v as HistoryChat[K];
  };
  set('name', c.displayName || c.name || c.username);
  set('username', c.username);
  set('unreadMentionCount', c.unreadMentionCount);
  set('markedAsUnread', c.markedAsUnread);
  set('pinnedAt', c.pinned);
  set('mutedUntil', mutedUntil(c.muteEndTime ?? 0));
  set('readOnly', c.readOnly);
  set('ephemeralExpiration', c.ephemeralExpiration);
  set('ephemeralSettingTimestamp', c.ephemeralSettingTimestamp);
  set('lastMessageAt', c.conversationTimestamp || c.lastMsgTimestamp);
  set('lid', c.lidJid);
  set('pn', c.pnJid);
  set('newJid', c.newJid);
  set('oldJid', c.oldJid);
  if (c.endOfHistoryTransfer || (c.endOfHistoryTransferType !== null && c.endOfHistoryTransferType !== undefined)) {
    set('endOfHistory', END_OF_HISTORY[c.endOfHistoryTransferType ?? 0]);
  }
  if (c.participant?.length) {
    chat.participants = c.participant.flatMap((p) => (p.userJid ? [{ jid: p.userJid, role: ROLES[p.rank ?? 0] ?? 'member' }] : []));
  }
  set('description', c.description);
  set('createdAt', c.createdAt);
  set('createdBy', c.createdBy);
  set('parentGroup', c.parentGroupId);
  set('isCommunity', c.isParentGroup);
  if (c.tcToken?.length) {
    const tc: NonNullable<HistoryChat['tcToken']> = { token: Buffer.from(c.tcToken).toString('base64') };
    if (c.tcTokenTimestamp) tc.timestamp = c.tcTokenTimestamp;
    if (c.tcTokenSenderTimestamp) tc.senderTimestamp = c.tcTokenSenderTimestamp;
    chat.tcToken = tc;
  }
  return chat;
}

/**
 * The phone number a LID chat's fromMe message was delivered to, per its first
 * user receipt (the recipient of a 1:1 message we sent); undefined otherwise.
 */
export function pnFromReceipt(message: Pick<HistoryMessage, 'fromMe' | 'receipts'>): string | undefined {
  if (!message.fromMe) return undefined;
  const jid = message.receipts?.[0]?.jid;
  return jid && isPn(jid) ? jid : undefined;
}
