/**
 * `<notification>` stanzas that concern messaging: device list changes
 * (`devices`), a contact's identity change (`encrypt` with `<identity/>`),
 * privacy tokens issued to us (`privacy_token`). Group changes (`w:gp2`) are
 * group-notification.ts; prekey-low (`encrypt` from the server with
 * `<count/>`) belongs to the account's prekey upkeep. Pure.
 *
 * Wire:
 *   <notification from="user@s.whatsapp.net" type="devices" id t>
 *     <add|remove|update [device_hash]><device jid="user:3@s.whatsapp.net" [key-index]/>…<key-index-list/></add>
 *   </notification>
 *   <notification from="user@s.whatsapp.net" type="encrypt" id t [offline]><identity/></notification>
 *   <notification from="user@…" type="privacy_token" [sender_lid] id t>
 *     <tokens><token jid t type="trusted_contact">bytes</token></tokens></notification>
 */
import type { BinaryNode } from '../binary/index.js';
import { jidDecode, jidNormalizedUser } from '../jid/index.js';
import { bytesOf, child, children, childrenByTag } from './nodes.js';

export type MessagingNotification =
  | { readonly kind: 'devices'; readonly user: string; readonly action: 'add' | 'remove' | 'update'; readonly devices: readonly { jid: string; device: number; keyIndex?: number | undefined }[] }
  | { readonly kind: 'identity'; readonly user: string; readonly device: number; readonly offline: boolean }
  | { readonly kind: 'privacy-token'; readonly from: string; readonly senderLid?: string | undefined; readonly tokens: readonly { jid: string; t: number; token: Uint8Array }[] }
  | { readonly kind: 'prekey-low'; readonly count: number }
  | { readonly kind: 'other'; readonly type: string };

/** Classifies a notification; never throws (an unreadable one is `other`). */
export function parseNotification(stanza: BinaryNode): MessagingNotification {
  const type = stanza.attrs.type ?? '';
  const from = stanza.attrs.from ?? '';
  switch (type) {
    case 'devices': {
      const change = children(stanza)[0];
      const action = change?.tag;
      if (action !== 'add' && action !== 'remove' && action !== 'update') return { kind: 'other', type };
      const devices = childrenByTag(change, 'device').flatMap((d) => {
        const decoded = jidDecode(d.attrs.jid);
        if (!decoded || !d.attrs.jid) return [];
        const keyIndex = d.attrs['key-index'] === undefined ? undefined : Number(d.attrs['key-index']);
        return [{ jid: d.attrs.jid, device: decoded.device ?? 0, keyIndex: Number.isSafeInteger(keyIndex) ? keyIndex : undefined }];
      });
      return { kind: 'devices', user: jidNormalizedUser(from), action, devices };
    }
    case 'encrypt': {
      if (child(stanza, 'identity')) {
        return { kind: 'identity', user: jidNormalizedUser(from), device: jidDecode(from)?.device ?? 0, offline: stanza.attrs.offline !== undefined };
      }
      const count = Number(child(stanza, 'count')?.attrs.value);
      return Number.isSafeInteger(count) ? { kind: 'prekey-low', count } : { kind: 'other', type };
    }
    case 'privacy_token': {
      const tokens = childrenByTag(child(stanza, 'tokens'), 'token').flatMap((tok) => {
        const token = bytesOf(tok);
        const t = Number(tok.attrs.t);
        // Timestamp-less tokens would be expired at once (WhatsApp Web drops them too).
        if (tok.attrs.type !== 'trusted_contact' || !token || !Number.isSafeInteger(t) || t <= 0) return [];
        return [{ jid: tok.attrs.jid ?? '', t, token }];
      });
      return { kind: 'privacy-token', from: jidNormalizedUser(from), senderLid: stanza.attrs.sender_lid, tokens };
    }
    default:
      return { kind: 'other', type };
  }
}
