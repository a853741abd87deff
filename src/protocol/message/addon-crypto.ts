/**
 * The encryption of a message's add-ons (poll votes, event responses): each
 * is AES-256-GCM encrypted with a key derived from the target message's
 * 32-byte messageSecret, the target's id, its creator's and the add-on
 * sender's JIDs and the add-on's name, so only those who saw the target can
 * read them. Pure.
 *
 * Key (WhatsApp Web, Baileys' decryptPollVote / decryptEventResponse):
 *   key0 = HMAC-SHA256(key = 32 zero bytes, msg = messageSecret)
 *   key  = HMAC-SHA256(key = key0, msg = targetId ‖ creatorJid ‖ senderJid ‖ name ‖ 0x01)
 *   aad  = targetId ‖ 0x00 ‖ senderJid;  iv: 12 bytes
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

/** What an add-on's key is made from. */
export interface AddonContext {
  /** The target message's id (the poll, the event). */
  readonly targetId: string;
  /** The target's creator (user JID, as WhatsApp normalises the key's author). */
  readonly creatorJid: string;
  /** Who sends the add-on (the voter, the responder). */
  readonly senderJid: string;
  readonly messageSecret: Uint8Array;
}

/** The add-on names WhatsApp mixes into the key. */
export type AddonName = 'Poll Vote' | 'Event Response';

function addonKey(ctx: AddonContext, name: AddonName): Uint8Array {
  const key0 = createHmac('sha256', Buffer.alloc(32)).update(ctx.messageSecret).digest();
  const sign = Buffer.concat([Buffer.from(ctx.targetId), Buffer.from(ctx.creatorJid), Buffer.from(ctx.senderJid), Buffer.from(name), Buffer.of(1)]);
  return createHmac('sha256', key0).update(sign).digest();
}

function aad(ctx: AddonContext): Buffer {
  return Buffer.from(`${ctx.targetId}\u0000${ctx.senderJid}`);
}

/** @param iv 12 random bytes. @returns the ciphertext with its 16-byte tag, and the iv */
export function encryptAddon(plaintext: Uint8Array, ctx: AddonContext, name: AddonName, iv: Uint8Array): { encPayload: Uint8Array; encIv: Uint8Array } {
  if (iv.length !== 12) throw new RangeError('an add-on iv is 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', addonKey(ctx, name), iv);
  cipher.setAAD(aad(ctx));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { encPayload: new Uint8Array(body), encIv: new Uint8Array(iv) };
}

/**
 * The plaintext, or undefined when it does not decrypt (wrong secret, JIDs,
 * name, or tampered bytes): callers try the JID forms the sender may have used.
 */
export function decryptAddon(encPayload: Uint8Array | null | undefined, encIv: Uint8Array | null | undefined, ctx: AddonContext, name: AddonName): Uint8Array | undefined {
  if (!encPayload || encPayload.length < 16 || !encIv || encIv.length !== 12) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', addonKey(ctx, name), encIv);
    decipher.setAAD(aad(ctx));
    decipher.setAuthTag(encPayload.subarray(encPayload.length - 16));
    return new Uint8Array(Buffer.concat([decipher.update(encPayload.subarray(0, encPayload.length - 16)), decipher.final()]));
  } catch {
    return undefined;
  }
}
