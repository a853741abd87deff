/**
 * xmlns="md" (multi-device): what a companion sends and answers about its
 * own link.
 *
 *   server → us  <iq type="set" xmlns="md"><pair-device><ref>…</ref>…</pair-device></iq>
 *   us → server  <iq to="@s.whatsapp.net" type="result" id=same/>         (answerServerIq)
 *   us → server  <link_code_companion_reg stage="companion_hello" jid …>  → <link_code_pairing_ref>
 *   us → server  <link_code_companion_reg stage="companion_finish" jid …>
 *   us → server  <remove-companion-device jid reason="user_initiated"/>  (logout)
 *
 * pair-success and its `<pair-device-sign>` answer are pairing/stanzas.ts.
 */
import type { BinaryNode } from '../binary/index.js';
import { childNode, childrenByTag, node, textOf } from './nodes.js';
import { IQ_TO, iq, type IqSpec } from './spec.js';

/** The refs of a `pair-device` IQ, in order (each becomes one QR), or undefined when it is not one. */
export function parsePairDevice(stanza: BinaryNode): string[] | undefined {
  if (stanza.tag !== 'iq' || stanza.attrs.type !== 'set') return undefined;
  const pd = childNode(stanza, 'pair-device');
  if (!pd) return undefined;
  return childrenByTag(pd, 'ref').flatMap((r) => {
    const t = textOf(r);
    return t ? [t] : [];
  });
}

/** The empty result a client answers a server-initiated IQ with (pair-device, a server ping). */
export function answerServerIq(request: BinaryNode): BinaryNode {
  return node('iq', { to: IQ_TO, type: 'result', id: request.attrs.id ?? '' });
}

/** Unlinks a companion (our own jid: logout). The server answers, then ends our stream with 401. */
export function removeCompanionDevice(jid: string, reason = 'user_initiated'): IqSpec<void> {
  return { build: () => iq('md', 'set', [node('remove-companion-device', { jid, reason })]), parse: () => undefined };
}

export interface LinkCodeHello {
  /** `<phone>@s.whatsapp.net` of the account to link to. */
  readonly phoneJid: string;
  /** salt(32) ‖ iv(16) ‖ AES-CTR(code key, our pairing ephemeral pub): pairing/link-code.ts. */
  readonly wrappedEphemeralPub: Uint8Array;
  readonly noisePub: Uint8Array;
  /** CompanionWebClientType as decimal text ("1" = Chrome). */
  readonly platformId: string;
  /** What the phone shows, e.g. "Chrome (Linux)". */
  readonly platformDisplay: string;
  readonly showPushNotification?: boolean;
}

/** Stage 1 of pairing by code. Resolves with the server's pairing ref (undefined if it sent none). */
export function linkCodeHello(h: LinkCodeHello): IqSpec<string | undefined> {
  return {
    build: () =>
      iq('md', 'set', [
        node('link_code_companion_reg', { jid: h.phoneJid, stage: 'companion_hello', should_show_push_notification: String(h.showPushNotification ?? true) }, [
          node('link_code_pairing_wrapped_companion_ephemeral_pub', {}, h.wrappedEphemeralPub),
          node('companion_server_auth_key_pub', {}, h.noisePub),
          node('companion_platform_id', {}, h.platformId),
          node('companion_platform_display', {}, h.platformDisplay),
          node('link_code_pairing_nonce', {}, '0'),
        ]),
      ]),
    parse: (result) => textOf(childNode(childNode(result, 'link_code_companion_reg'), 'link_code_pairing_ref')),
  };
}

export interface LinkCodeFinish {
  readonly phoneJid: string;
  /** salt(32) ‖ iv(12) ‖ AES-GCM(bundle key, our identity ‖ primary identity ‖ random). */
  readonly wrappedKeyBundle: Uint8Array;
  readonly identityPub: Uint8Array;
  /** The ref bytes exactly as the notification carried them. */
  readonly ref: Uint8Array;
}

/** Stage 2 of pairing by code, sent after the phone's link_code_companion_reg notification. */
export function linkCodeFinish(f: LinkCodeFinish): IqSpec<void> {
  return {
    build: () =>
      iq('md', 'set', [
        node('link_code_companion_reg', { jid: f.phoneJid, stage: 'companion_finish' }, [
          node('link_code_pairing_wrapped_key_bundle', {}, f.wrappedKeyBundle),
          node('companion_identity_public', {}, f.identityPub),
          node('link_code_pairing_ref', {}, f.ref),
        ]),
      ]),
    parse: () => undefined,
  };
}
