/**
 * Media re-upload requests ("media retry"): when a media host answers 404/410
 * for a message's direct path, the receiver asks the sender's phone to upload
 * the file again with a `<receipt type="server-error">` carrying an encrypted
 * ServerErrorReceipt; the phone answers with `<notification type="mediaretry">`
 * carrying an encrypted MediaRetryNotification (the new direct path) or an
 * `<error code>`. Both payloads are AES-256-GCM under
 * HKDF(mediaKey, info "WhatsApp Media Retry Notification"), the message id
 * as associated data, a 12-byte iv.
 *
 * Wire format (Baileys 7 `encryptMediaRetryRequest` / `decodeMediaRetryNode`):
 *   <receipt id=MSG_ID to=OWN_USER_JID type="server-error">
 *     <encrypt><enc_p>CIPHERTEXT‖TAG</enc_p><enc_iv>IV</enc_iv></encrypt>
 *     <rmr jid=CHAT from_me="true|false" [participant=SENDER]/>
 *   </receipt>
 *   <notification type="mediaretry" id=MSG_ID …>
 *     <rmr jid from_me participant/>
 *     <encrypt><enc_p/><enc_iv/></encrypt>   or   <error code="2"/>
 *   </notification>
 *
 * Pure: builds and parses nodes; sending the receipt and waiting for the
 * notification is src/account's.
 */
import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '../binary/index.js';
import { aesGcmDecrypt, aesGcmEncrypt } from '../crypto/aes.js';
import { hkdf } from '../crypto/hkdf.js';
import { proto } from '../proto/index.js';
import { MediaCryptoError } from './errors.js';
import { MEDIA_KEY_LENGTH } from './keys.js';

const RETRY_INFO = 'WhatsApp Media Retry Notification';

export interface MediaRetryTarget {
  /** The media message's id. */
  messageId: string;
  /** The chat the message is in. */
  chat: string;
  fromMe: boolean;
  /** The sender in a group chat. */
  participant?: string;
}

function retryKey(mediaKey: Uint8Array): Uint8Array {
  if (mediaKey.length !== MEDIA_KEY_LENGTH) throw new MediaCryptoError('BAD_KEY', `a media key is ${MEDIA_KEY_LENGTH} bytes`);
  return hkdf(mediaKey, 32, { info: RETRY_INFO });
}

/**
 * The re-upload request. `ownJid`: our user jid without device (the receipt
 * goes to our own account, whose phone relays it). `iv`: 12 random bytes when absent.
 * @throws MediaCryptoError BAD_KEY
 */
export function buildMediaRetryReceipt(target: MediaRetryTarget, mediaKey: Uint8Array, ownJid: string, iv: Uint8Array = randomBytes(12)): BinaryNode {
  const plaintext = proto.ServerErrorReceipt.encode({ stanzaId: target.messageId }).finish();
  const ciphertext = aesGcmEncrypt(retryKey(mediaKey), iv, plaintext, Buffer.from(target.messageId, 'utf8'));
  const rmr: Record<string, string> = { jid: target.chat, from_me: String(target.fromMe) };
  if (target.participant) rmr.participant = target.participant;
  return {
    tag: 'receipt',
    attrs: { id: target.messageId, to: ownJid, type: 'server-error' },
    content: [
      {
        tag: 'encrypt',
        attrs: {},
        content: [
          { tag: 'enc_p', attrs: {}, content: ciphertext },
          { tag: 'enc_iv', attrs: {}, content: new Uint8Array(iv) },
        ],
      },
      { tag: 'rmr', attrs: rmr },
    ],
  };
}

export type MediaRetryResultName = 'SUCCESS' | 'NOT_FOUND' | 'DECRYPTION_ERROR' | 'GENERAL_ERROR';

/** A parsed mediaretry notification, before decryption. */
export interface MediaRetryNotice {
  target: MediaRetryTarget;
  /** Present when the phone answered with its encrypted result. */
  encrypted?: { ciphertext: Uint8Array; iv: Uint8Array };
  /** Present when the server or phone answered `<error code>`. */
  errorCode?: number;
}

/** Reads a `<notification type="mediaretry">`; undefined when it is not one or lacks its rmr child. */
export function parseMediaRetryNotification(node: BinaryNode): MediaRetryNotice | undefined {
  if (node.tag !== 'notification' || node.attrs.type !== 'mediaretry' || !node.attrs.id) return undefined;
  const rmr = child(node, 'rmr');
  if (!rmr?.attrs.jid) return undefined;
  const target: MediaRetryTarget = { messageId: node.attrs.id, chat: rmr.attrs.jid, fromMe: rmr.attrs.from_me === 'true' };
  if (rmr.attrs.participant) target.participant = rmr.attrs.participant;
  const error = child(node, 'error');
  if (error) return { target, errorCode: Number(error.attrs.code ?? 0) };
  const enc = child(node, 'encrypt');
  const ciphertext = enc && bytesOf(child(enc, 'enc_p'));
  const iv = enc && bytesOf(child(enc, 'enc_iv'));
  return ciphertext && iv ? { target, encrypted: { ciphertext, iv } } : { target };
}

export interface MediaRetryResult {
  result: MediaRetryResultName;
  /** The new direct path (on SUCCESS). */
  directPath?: string;
}

/**
 * Decrypts the phone's answer. @throws MediaCryptoError BAD_KEY; BAD_MAC when
 * the GCM tag fails (a different media key, message id or tampered answer)
 */
export function decryptMediaRetry(encrypted: { ciphertext: Uint8Array; iv: Uint8Array }, mediaKey: Uint8Array, messageId: string): MediaRetryResult {
  let plain: Uint8Array;
  try {
    plain = aesGcmDecrypt(retryKey(mediaKey), encrypted.iv, encrypted.ciphertext, Buffer.from(messageId, 'utf8'));
  } catch (cause) {
    if (cause instanceof MediaCryptoError) throw cause;
    throw new MediaCryptoError('BAD_MAC', 'media retry notification does not authenticate', { cause });
  }
  const n = proto.MediaRetryNotification.decode(plain);
  const result = proto.MediaRetryNotification.ResultType[n.result ?? 0] as MediaRetryResultName | undefined;
  return { result: result ?? 'GENERAL_ERROR', ...(n.directPath ? { directPath: n.directPath } : {}) };
}

function child(node: BinaryNode, tag: string): BinaryNode | undefined {
  return Array.isArray(node.content) ? node.content.find((c) => c.tag === tag) : undefined;
}

function bytesOf(node: BinaryNode | undefined): Uint8Array | undefined {
  return node?.content instanceof Uint8Array ? node.content : undefined;
}
