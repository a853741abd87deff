/**
 * `<presence>` stanzas: our availability (WhatsApp needs our push name on
 * it), subscribing to a contact's presence (with their privacy token when we
 * hold one), and reading the updates the server pushes. Pure.
 *
 * Wire (api_presence):
 *   out: <presence name="Push name" type="available|unavailable"/>
 *        <presence type="subscribe" to="jid">[<tctoken>…</tctoken>]</presence>
 *   in:  <presence from="jid" [participant] type="available|unavailable" [last="unix s"|"deny"]/>
 */
import type { BinaryNode } from '../binary/index.js';
import { StanzaError } from './errors.js';
import { node } from './nodes.js';

export type PresenceStatus = 'available' | 'unavailable';

/** @throws StanzaError when the push name is empty (WhatsApp Web refuses to send presence without it) */
export function buildPresence(status: PresenceStatus, pushName: string | undefined): BinaryNode {
  if (!pushName) throw new StanzaError('presence', 'a push name is needed to send presence');
  return node('presence', { name: pushName.replace(/@/g, ''), type: status });
}

export function buildPresenceSubscribe(to: string, tctoken?: Uint8Array): BinaryNode {
  return node('presence', { type: 'subscribe', to }, tctoken && tctoken.length > 0 ? [node('tctoken', {}, tctoken)] : undefined);
}

export interface PresenceUpdate {
  readonly jid: string;
  readonly participant?: string | undefined;
  readonly status: PresenceStatus;
  /** Last seen (unix s) when the contact shares it. */
  readonly lastSeen?: number | undefined;
}

/** @throws StanzaError when `from` is missing */
export function parsePresence(stanza: BinaryNode): PresenceUpdate {
  const from = stanza.attrs.from;
  if (!from) throw new StanzaError('presence', 'missing from');
  const last = Number(stanza.attrs.last);
  return {
    jid: from,
    participant: stanza.attrs.participant,
    status: stanza.attrs.type === 'unavailable' ? 'unavailable' : 'available',
    lastSeen: Number.isSafeInteger(last) && last > 0 ? last : undefined,
  };
}
