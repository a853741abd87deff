/**
 * How the server names people on what it delivers: by phone number (PN) or
 * by LID, as the chat is addressed. A PN-addressed stanza names the author's
 * PN device and adds its LID (`participant_lid`, `sender_lid`); a
 * LID-addressed one (a group with addressing_mode="lid", a 1:1 message sent
 * to a LID) names the author's LID device and adds its PN (`participant_pn`,
 * `sender_pn`; the peer's on own copies: `peer_recipient_pn`), unless that user hides its number
 * (then only its own devices see the PN). Pure attribute building; the
 * router decides who gets what.
 */
import type { Directory, UserRecord } from './state.js';

export type AddressingMode = 'pn' | 'lid';

/** Whether `reader` may see `user`'s phone number next to its LID. */
export function pnVisible(user: UserRecord, reader: UserRecord): boolean {
  return !user.hidePhoneNumber || user === reader;
}

/** The author attributes of a group message (or receipt) for `reader`. */
export function groupAuthorAttrs(dir: Directory, mode: AddressingMode, author: UserRecord, authorDevice: string, reader: UserRecord): Record<string, string> {
  if (mode === 'pn') return { participant: authorDevice, participant_lid: author.lid, addressing_mode: 'pn' };
  const attrs: Record<string, string> = { participant: dir.lidDevice(authorDevice) ?? author.lid, addressing_mode: 'lid' };
  if (pnVisible(author, reader)) attrs.participant_pn = author.jid;
  return attrs;
}

/** The author attributes of a 1:1 message for `reader`. */
export function directAuthorAttrs(dir: Directory, mode: AddressingMode, author: UserRecord, authorDevice: string, reader: UserRecord): Record<string, string> {
  if (mode === 'pn') return { from: authorDevice, sender_lid: author.lid };
  const attrs: Record<string, string> = { from: dir.lidDevice(authorDevice) ?? author.lid };
  if (pnVisible(author, reader)) attrs.sender_pn = author.jid;
  return attrs;
}

/**
 * The sender's own-device copy of a 1:1 message: from the sending device, to
 * `recipient` = the peer, with the peer's other identity beside it
 * (`peer_recipient_lid` / `peer_recipient_pn`); nothing about the author,
 * whose identities its own devices know.
 */
export function ownCopyAttrs(dir: Directory, mode: AddressingMode, authorDevice: string, peer: UserRecord, reader: UserRecord): Record<string, string> {
  if (mode === 'pn') return { from: authorDevice, recipient: peer.jid, peer_recipient_lid: peer.lid };
  const attrs: Record<string, string> = { from: dir.lidDevice(authorDevice) ?? authorDevice, recipient: peer.lid };
  if (pnVisible(peer, reader)) attrs.peer_recipient_pn = peer.jid;
  return attrs;
}

/** A user as a participant entry of a group node: PN groups list PNs (with `lid`), LID groups LIDs (with `phone_number`). */
export function participantAttrs(mode: AddressingMode, user: UserRecord, reader: UserRecord): Record<string, string> {
  if (mode === 'pn') return { jid: user.jid, lid: user.lid };
  const attrs: Record<string, string> = { jid: user.lid };
  if (pnVisible(user, reader)) attrs.phone_number = user.jid;
  return attrs;
}

/** The mode of a 1:1 stanza: LID when it was sent to a LID. */
export function directMode(to: string): AddressingMode {
  return to.endsWith('@lid') ? 'lid' : 'pn';
}
