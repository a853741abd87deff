/**
 * Poll votes: a vote is a PollVoteMessage (the SHA-256 of each chosen option
 * name), AES-256-GCM encrypted with a key derived from the poll's 32-byte
 * messageSecret, the poll's id and the creator's and voter's JIDs, so only
 * members who saw the poll can read votes. Encrypt, decrypt, and the tally
 * (each voter's latest vote counts). Pure.
 *
 * Key (WhatsApp Web, Baileys' decryptPollVote):
 *   key0 = HMAC-SHA256(key = 32 zero bytes, msg = messageSecret)
 *   key  = HMAC-SHA256(key = key0, msg = pollId ‖ creatorJid ‖ voterJid ‖ "Poll Vote" ‖ 0x01)
 *   aad  = pollId ‖ 0x00 ‖ voterJid;  iv: 12 bytes
 */
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { proto } from '../proto/index.js';
import { MessageContentError } from './errors.js';

export interface PollVoteContext {
  readonly pollId: string;
  /** The poll creator's user JID (the key author as WhatsApp normalises it). */
  readonly creatorJid: string;
  readonly voterJid: string;
  readonly messageSecret: Uint8Array;
}

function voteKey(ctx: PollVoteContext): Uint8Array {
  const key0 = createHmac('sha256', Buffer.alloc(32)).update(ctx.messageSecret).digest();
  const sign = Buffer.concat([Buffer.from(ctx.pollId), Buffer.from(ctx.creatorJid), Buffer.from(ctx.voterJid), Buffer.from('Poll Vote'), Buffer.of(1)]);
  return createHmac('sha256', key0).update(sign).digest();
}

function aad(ctx: PollVoteContext): Buffer {
  return Buffer.from(`${ctx.pollId}\u0000${ctx.voterJid}`);
}

/** SHA-256 of an option name: what a vote carries. */
export function optionHash(optionName: string): Uint8Array {
  return createHash('sha256').update(optionName).digest();
}

/** @param iv 12 random bytes */
export function encryptPollVote(selectedOptions: readonly string[], ctx: PollVoteContext, iv: Uint8Array): proto.Message.IPollEncValue {
  if (iv.length !== 12) throw new RangeError('a poll vote iv is 12 bytes');
  const plaintext = proto.Message.PollVoteMessage.encode({ selectedOptions: selectedOptions.map(optionHash) }).finish();
  const cipher = createCipheriv('aes-256-gcm', voteKey(ctx), iv);
  cipher.setAAD(aad(ctx));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { encPayload: new Uint8Array(body), encIv: new Uint8Array(iv) };
}

/**
 * The option hashes a vote selects (empty: the vote was withdrawn).
 * @throws MessageContentError POLL_DECRYPT_FAILED (wrong secret, JIDs or tampered bytes)
 */
export function decryptPollVote(vote: proto.Message.IPollEncValue, ctx: PollVoteContext): Uint8Array[] {
  const payload = vote.encPayload;
  const iv = vote.encIv;
  if (!payload || payload.length < 16 || !iv || iv.length !== 12) throw new MessageContentError('POLL_DECRYPT_FAILED', 'malformed poll vote');
  try {
    const decipher = createDecipheriv('aes-256-gcm', voteKey(ctx), iv);
    decipher.setAAD(aad(ctx));
    decipher.setAuthTag(payload.subarray(payload.length - 16));
    const plain = Buffer.concat([decipher.update(payload.subarray(0, payload.length - 16)), decipher.final()]);
    return proto.Message.PollVoteMessage.decode(plain).selectedOptions.map((b) => new Uint8Array(b));
  } catch (cause) {
    throw new MessageContentError('POLL_DECRYPT_FAILED', 'poll vote does not decrypt', { cause });
  }
}

/** The option names a vote selects (hashes that name no option are ignored). */
export function selectedOptionNames(options: readonly string[], hashes: readonly Uint8Array[]): string[] {
  const byHash = new Map(options.map((o) => [Buffer.from(optionHash(o)).toString('hex'), o]));
  return hashes.flatMap((h) => {
    const name = byHash.get(Buffer.from(h).toString('hex'));
    return name === undefined ? [] : [name];
  });
}

export interface PollVoteRecord {
  readonly voter: string;
  /** Sender timestamp (ms): a later vote of the same voter replaces the earlier one. */
  readonly t: number;
  readonly options: readonly string[];
}

/** Votes per option, counting each voter's latest vote only; options in poll order. */
export function tallyPoll(options: readonly string[], votes: readonly PollVoteRecord[]): Array<{ option: string; votes: number; voters: string[] }> {
  const latest = new Map<string, PollVoteRecord>();
  for (const v of votes) {
    const prev = latest.get(v.voter);
    if (!prev || v.t >= prev.t) latest.set(v.voter, v);
  }
  return options.map((option) => {
    const voters = [...latest.values()].filter((v) => v.options.includes(option)).map((v) => v.voter).sort();
    return { option, votes: voters.length, voters };
  });
}
