/**
 * Signal addresses as the store keys them. A contact has a phone-number (PN)
 * identity and a LID identity for the same keys; experience showed that
 * keeping sessions under both loses messages. So session-like records
 * (sessions, identity keys, sender keys) accept only a `SignalAddress`, which
 * is made by resolving a JID through the LID mappings (AccountStore.signalAddress):
 * the LID when one is known, else the PN. Owns that type and its key parts.
 */
import { jidDecode } from '../../protocol/jid/index.js';
import { StoreError } from '../errors.js';

export type SignalServer = 's.whatsapp.net' | 'lid' | 'hosted' | 'hosted.lid';

declare const canonical: unique symbol;

/** A device address already resolved to its canonical identity. */
export interface SignalAddress {
  readonly user: string;
  readonly server: SignalServer;
  readonly device: number;
  readonly [canonical]: true;
}

/** A user (no device) on a Signal-capable server. */
export interface UserRef {
  readonly user: string;
  readonly server: SignalServer;
}

/** The LID server that stands for a PN server's users, and back. */
export const LID_SERVER_OF: Readonly<Record<'s.whatsapp.net' | 'hosted', 'lid' | 'hosted.lid'>> = {
  's.whatsapp.net': 'lid',
  hosted: 'hosted.lid',
};

export function isPnServer(s: SignalServer): s is 's.whatsapp.net' | 'hosted' {
  return s === 's.whatsapp.net' || s === 'hosted';
}

/**
 * Splits a user or device JID of a Signal-capable server (`c.us` counts as PN).
 * @throws StoreError BAD_KEY for groups, broadcasts, malformed JIDs
 */
export function parseSignalJid(jid: string): UserRef & { device: number } {
  const d = jidDecode(jid);
  const server = d?.server === 'c.us' ? 's.whatsapp.net' : d?.server;
  if (!d || !d.user || (server !== 's.whatsapp.net' && server !== 'lid' && server !== 'hosted' && server !== 'hosted.lid')) {
    throw new StoreError('BAD_KEY', `not a user or device JID of a Signal server: ${JSON.stringify(jid)}`);
  }
  const device = d.device ?? 0;
  if (!Number.isInteger(device) || device < 0 || device > 0xffff) {
    throw new StoreError('BAD_KEY', `bad device in ${JSON.stringify(jid)}`);
  }
  return { user: d.user, server, device };
}

/** Only AccountStore.signalAddress (after LID resolution) and tests should call this. */
export function unsafeSignalAddress(user: string, server: SignalServer, device: number): SignalAddress {
  return Object.freeze({ user, server, device }) as SignalAddress;
}

/** The device JID of an address (`user:device@server`, device 0 left out). */
export function addressJid(a: SignalAddress): string {
  return a.device === 0 ? `${a.user}@${a.server}` : `${a.user}:${a.device}@${a.server}`;
}

/** One name per identity (all devices of a user): the key for per-identity locks. */
export function identityName(a: UserRef): string {
  return `${a.user}@${a.server}`;
}

/** Key parts `<server>/<user>/<device>` shared by sessions, identity keys and sender keys. */
export function addressParts(a: SignalAddress): [string, string, string] {
  return [a.server, a.user, String(a.device)];
}
