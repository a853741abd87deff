/**
 * Message ids and participant hashes as WhatsApp Web makes them. Pure: the
 * clock and the randomness come in as arguments.
 */
import { createHash } from 'node:crypto';
import { jidDecode } from '../jid/index.js';

/**
 * WhatsApp Web's id (Baileys' generateMessageIDV2): `3EB0` + the first 18
 * hex digits of sha256(u64 BE unix seconds ‖ `<user>@c.us` ‖ 16 random bytes), upper case.
 * @param random 16 bytes
 */
export function messageId(userJid: string | undefined, nowSeconds: number, random: Uint8Array): string {
  if (random.length !== 16) throw new RangeError('messageId needs 16 random bytes');
  const data = Buffer.alloc(8 + 20 + 16);
  data.writeBigUInt64BE(BigInt(Math.floor(nowSeconds)));
  const user = jidDecode(userJid)?.user;
  if (user) {
    data.write(user, 8);
    data.write('@c.us', 8 + user.length);
  }
  data.set(random, 28);
  return '3EB0' + createHash('sha256').update(data).digest('hex').toUpperCase().slice(0, 18);
}

/**
 * The participant hash (`phash`) of the device JIDs a message is addressed
 * to: `2:` + the first 6 base64 characters of sha256(sorted JIDs joined).
 * The server compares it with its own view to detect stale device lists.
 */
export function participantHash(deviceJids: readonly string[]): string {
  const sorted = [...deviceJids].sort();
  return '2:' + createHash('sha256').update(sorted.join('')).digest('base64').slice(0, 6);
}
