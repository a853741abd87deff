/**
 * What a chat argument names: a user, group or channel JID (a bare phone
 * number is a user), and a status post's chat and audience. Checked before
 * anything is sent, so a mistake is the caller's error, not a server's.
 */
import { isGroup, isLid, isNewsletter, isPn, isStatusBroadcast, jidDecode, jidNormalizedUser, STATUS_BROADCAST_JID } from '../../protocol/jid/index.js';
import { MessagingError } from './errors.js';

/** A chat argument: a user or group JID, or a bare phone number. @throws MessagingError BAD_JID */
/** `channels`: a channel jid is a chat too (posting and reacting; nothing else reaches a channel that way). */
export function chatJid(chat: string, channels = false): string {
  if (/^\+?[0-9]{5,20}$/.test(chat)) return `${chat.replace('+', '')}@s.whatsapp.net`;
  const j = jidNormalizedUser(chat);
  if (!j || !(isPn(j) || isLid(j) || isGroup(j) || (channels && isNewsletter(j))) || !jidDecode(j)?.user) throw new MessagingError('BAD_JID', `not a user, group or channel jid: ${JSON.stringify(chat)}`);
  return j;
}

/** Contacts one status post may go to (each one's devices get our status key). */
export const MAX_STATUS_AUDIENCE = 5_000;

/** @throws MessagingError BAD_CONTENT (an audience for a chat that is not status@broadcast) */
export function statusChat(chat: string): string {
  if (!isStatusBroadcast(chat)) throw new MessagingError('BAD_CONTENT', 'an audience is for status@broadcast only');
  return STATUS_BROADCAST_JID;
}

/** The users who may see a status. @throws MessagingError BAD_CONTENT (none, too many), BAD_JID (not a user) */
export function statusAudience(audience: readonly string[] | undefined): string[] {
  if (!audience || audience.length === 0) throw new MessagingError('BAD_CONTENT', 'a status needs an audience: the contacts who may see it');
  if (audience.length > MAX_STATUS_AUDIENCE) throw new MessagingError('BAD_CONTENT', `a status goes to at most ${MAX_STATUS_AUDIENCE} contacts`);
  return [...new Set(audience.map((a) => {
    const j = chatJid(a);
    if (isGroup(j)) throw new MessagingError('BAD_JID', `a status audience names contacts, not groups: ${a}`);
    return j;
  }))];
}
