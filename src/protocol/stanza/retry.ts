/**
 * Decryption retries, both directions (WhatsApp Web's retry receipts):
 * building the receipt that asks a sender to encrypt a message again (with
 * our registration id and, from the second try or when asked, a fresh key
 * bundle so the sender can start a new session at once), reading such a
 * receipt when a peer asks us, and the retry policy (how often, when to send
 * keys, when to give up). Pure.
 *
 * Wire:
 *   <receipt id to type="retry" [participant] [recipient]>
 *     <retry count id t v="1" error="0"/>
 *     <registration>4 bytes BE</registration>
 *     [<keys><type>05</type><identity>32B</identity><key><id>3B</id><value>32B</value></key>
 *            <skey><id>3B</id><value>32B</value><signature>64B</signature></skey>
 *            <device-identity>…</device-identity></keys>]
 *   </receipt>
 */
import type { BinaryNode } from '../binary/index.js';
import { StanzaError } from './errors.js';
import { bytesOf, child, definedAttrs, node, uintBytes, uintOf } from './nodes.js';

/** WhatsApp Web gives up after this many retry receipts for one message. */
export const MAX_RETRY_COUNT = 5;

/** A device bundle as the retry receipt carries it (keys raw 32 bytes). */
export interface RetryBundle {
  readonly registrationId: number;
  readonly identityKey: Uint8Array;
  readonly signedPreKey: { readonly keyId: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array };
  readonly preKey?: { readonly keyId: number; readonly publicKey: Uint8Array } | undefined;
  readonly deviceIdentity?: Uint8Array | undefined;
}

export interface RetryReceiptInput {
  /** The failed message, as its stanza named it. */
  readonly id: string;
  readonly from: string;
  readonly participant?: string | undefined;
  readonly recipient?: string | undefined;
  /** The message's `t` (echoed). */
  readonly t: number;
  /** 1 for the first retry. */
  readonly count: number;
  readonly registrationId: number;
  /** Our keys, when the receipt should let the sender build a new session. */
  readonly keys?: Omit<RetryBundle, 'registrationId'> | undefined;
}

/** Whether to attach our key bundle (WhatsApp Web: from the second try, or when the stanza had no enc at all). */
export function retryNeedsKeys(count: number, forced = false): boolean {
  return forced || count > 1;
}

export function buildRetryReceipt(r: RetryReceiptInput): BinaryNode {
  const content: BinaryNode[] = [
    node('retry', { count: String(r.count), id: r.id, t: String(r.t), v: '1', error: '0' }),
    node('registration', {}, uintBytes(r.registrationId, 4)),
  ];
  if (r.keys) {
    const keys: BinaryNode[] = [node('type', {}, Uint8Array.of(5)), node('identity', {}, r.keys.identityKey)];
    if (r.keys.preKey) keys.push(node('key', {}, [node('id', {}, uintBytes(r.keys.preKey.keyId, 3)), node('value', {}, r.keys.preKey.publicKey)]));
    keys.push(
      node('skey', {}, [
        node('id', {}, uintBytes(r.keys.signedPreKey.keyId, 3)),
        node('value', {}, r.keys.signedPreKey.publicKey),
        node('signature', {}, r.keys.signedPreKey.signature),
      ]),
    );
    if (r.keys.deviceIdentity) keys.push(node('device-identity', {}, r.keys.deviceIdentity));
    content.push(node('keys', {}, keys));
  }
  return node('receipt', definedAttrs({ id: r.id, to: r.from, type: 'retry', participant: r.participant, recipient: r.recipient }), content);
}

export interface RetryRequest {
  readonly count: number;
  /** The original message id the `<retry>` names (same as the receipt id in practice). */
  readonly id: string;
  readonly registrationId?: number | undefined;
  /** The asker's fresh keys: build a new session from them before re-encrypting. */
  readonly bundle?: RetryBundle | undefined;
}

/**
 * Reads the body of a retry receipt. A malformed `<keys>` is reported as no
 * bundle (the resend then uses a fetched bundle), never as a failure.
 * @throws StanzaError when `<retry>` is missing
 */
export function parseRetryRequest(receipt: BinaryNode): RetryRequest {
  const retry = child(receipt, 'retry');
  if (!retry) throw new StanzaError('receipt', 'retry receipt without <retry>');
  const count = Number(retry.attrs.count ?? '1');
  const registrationId = uintOf(child(receipt, 'registration'), 4);
  return {
    count: Number.isSafeInteger(count) && count > 0 ? count : 1,
    id: retry.attrs.id ?? receipt.attrs.id ?? '',
    registrationId,
    bundle: registrationId === undefined ? undefined : parseKeys(child(receipt, 'keys'), registrationId),
  };
}

function parseKeys(keys: BinaryNode | undefined, registrationId: number): RetryBundle | undefined {
  if (!keys) return undefined;
  const type = bytesOf(child(keys, 'type'));
  const identityKey = bytesOf(child(keys, 'identity'));
  const skey = child(keys, 'skey');
  if (type?.length !== 1 || type[0] !== 5 || identityKey?.length !== 32 || !skey) return undefined;
  const spkId = uintOf(child(skey, 'id'), 3);
  const spkPub = bytesOf(child(skey, 'value'));
  const spkSig = bytesOf(child(skey, 'signature'));
  if (spkId === undefined || spkPub?.length !== 32 || spkSig?.length !== 64) return undefined;
  const key = child(keys, 'key');
  let preKey: RetryBundle['preKey'];
  if (key) {
    const id = uintOf(child(key, 'id'), 3);
    const pub = bytesOf(child(key, 'value'));
    if (id === undefined || pub?.length !== 32) return undefined;
    preKey = { keyId: id, publicKey: pub };
  }
  return {
    registrationId,
    identityKey,
    signedPreKey: { keyId: spkId, publicKey: spkPub, signature: spkSig },
    preKey,
    deviceIdentity: bytesOf(child(keys, 'device-identity')),
  };
}
