/**
 * Poll votes: a vote is a PollVoteMessage (the SHA-256 of each chosen option
 * name), AES-256-GCM encrypted with a key derived from the poll's 32-byte
 * messageSecret, the poll's id and the creator's and voter's JIDs, so only
 * members who saw the poll can read votes. Encrypt, decrypt, and the tally
 * (each voter's latest vote counts). Pure.
 *
 * The key is an add-on key named "Poll Vote" (addon-crypto.ts).
 */
import { createHash } from 'node:crypto';
import { decryptAddon, encryptAddon, type AddonContext } from './addon-crypto.js';
import { proto } from '../proto/index.js';
import { MessageContentError } from './errors.js';

export interface PollVoteContext {
  readonly pollId: string;
  /** The poll creator's user JID (the key author as WhatsApp normalises it). */
  readonly creatorJid: string;
  readonly voterJid: string;
  readonly messageSecret: Uint8Array;
}

function addon(ctx: PollVoteContext): AddonContext {
  return { targetId: ctx.pollId, creatorJid: ctx.creatorJid, senderJid: ctx.voterJid, messageSecret: ctx.messageSecret };
}

/** SHA-256 of an option name: what a vote carries. */
export function optionHash(optionName: string): Uint8Array {
  return createHash('sha256').update(optionName).digest();
}

/** @param iv 12 random bytes */
export function encryptPollVote(selectedOptions: readonly string[], ctx: PollVoteContext, iv: Uint8Array): proto.Message.IPollEncValue {
  if (iv.length !== 12) throw new RangeError('a poll vote iv is 12 bytes');
  const plaintext = proto.Message.PollVoteMessage.encode({ selectedOptions: selectedOptions.map(optionHash) }).finish();
  return encryptAddon(plaintext, addon(ctx), 'Poll Vote', iv);
}

/**
 * The option hashes a vote selects (empty: the vote was withdrawn).
 * @throws MessageContentError POLL_DECRYPT_FAILED (wrong secret, JIDs or tampered bytes)
 */
export function decryptPollVote(vote: proto.Message.IPollEncValue, ctx: PollVoteContext): Uint8Array[] {
  const payload = vote.encPayload;
  const iv = vote.encIv;
  if (!payload || payload.length < 16 || !iv || iv.length !== 12) throw new MessageContentError('POLL_DECRYPT_FAILED', 'malformed poll vote');
  const plain = decryptAddon(payload, iv, addon(ctx), 'Poll Vote');
  if (!plain) throw new MessageContentError('POLL_DECRYPT_FAILED', 'poll vote does not decrypt');
  try {
    return proto.Message.PollVoteMessage.decode(plain).selectedOptions.map((b) => new Uint8Array(b));
  } catch (cause) {
    throw new MessageContentError('POLL_DECRYPT_FAILED', 'poll vote does not decode', { cause });
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
