/**
 * The store's chat and contact records as the control contract shows them
 * (`chat:list`, `contact:list`): field names of the contract, nothing internal.
 */
import type { ChatInfo, ContactInfo } from '../contract/api.js';
import type { ChatRecord, ContactRecord } from '../store/index.js';

export function chatInfo(c: ChatRecord): ChatInfo {
  const out: ChatInfo = { jid: c.jid, unreadCount: c.unreadCount, archived: c.archived, pinned: c.pinned, labels: [...c.labels] };
  if (c.name !== undefined) out.name = c.name;
  if (c.mutedUntil !== undefined) out.mutedUntil = c.mutedUntil;
  if (c.lastMessageAt !== undefined) out.lastMessageAt = c.lastMessageAt;
  if (c.expiration) out.ephemeralExpiration = c.expiration;
  if (c.markedUnread) out.markedUnread = true;
  if (c.pinnedAt !== undefined) out.pinnedAt = c.pinnedAt;
  return out;
}

export function contactInfo(c: ContactRecord): ContactInfo {
  const out: ContactInfo = { jid: c.jid };
  if (c.lid !== undefined) out.lid = c.lid;
  if (c.name !== undefined) out.name = c.name;
  if (c.pushName !== undefined) out.pushName = c.pushName;
  return out;
}
