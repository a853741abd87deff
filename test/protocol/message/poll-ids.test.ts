// Poll votes against Baileys' decryptPollVote; ids and participant hashes
// against Baileys' generators.
import { decryptPollVote as baileysDecryptPollVote, generateParticipantHashV2 } from 'baileys';
import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptPollVote,
  encryptPollVote,
  MessageContentError,
  messageId,
  optionHash,
  participantHash,
  selectedOptionNames,
  tallyPoll,
} from '../../../src/protocol/message/index.js';

const OPTIONS = ['pizza', 'sushi', 'tacos'];
const ctx = { pollId: '3EB0POLL', creatorJid: '15550001111@s.whatsapp.net', voterJid: '15550002222@s.whatsapp.net', messageSecret: randomBytes(32) };

describe('poll votes', () => {
  it('a vote we encrypt is decrypted by Baileys to the same option hashes', () => {
    fc.assert(
      fc.property(fc.subarray(OPTIONS), fc.uint8Array({ minLength: 12, maxLength: 12 }), (chosen, iv) => {
        const vote = encryptPollVote(chosen, ctx, iv);
        const theirs = baileysDecryptPollVote(vote as never, { pollCreatorJid: ctx.creatorJid, pollMsgId: ctx.pollId, pollEncKey: ctx.messageSecret, voterJid: ctx.voterJid });
        expect(theirs.selectedOptions.map((b) => Buffer.from(b).toString('hex'))).toEqual(chosen.map((o) => Buffer.from(optionHash(o)).toString('hex')));
        expect(selectedOptionNames(OPTIONS, decryptPollVote(vote, ctx))).toEqual(chosen);
      }),
      { numRuns: 50 },
    );
  });

  it('option hashes are SHA-256 of the names', () => {
    expect(Buffer.from(optionHash('pizza'))).toEqual(createHash('sha256').update('pizza').digest());
  });

  it('the wrong secret, voter, poll id or a flipped bit fails', () => {
    const vote = encryptPollVote(['sushi'], ctx, randomBytes(12));
    expect(() => decryptPollVote(vote, { ...ctx, messageSecret: randomBytes(32) })).toThrow(MessageContentError);
    expect(() => decryptPollVote(vote, { ...ctx, voterJid: '1@s.whatsapp.net' })).toThrow(MessageContentError);
    expect(() => decryptPollVote(vote, { ...ctx, pollId: 'other' })).toThrow(MessageContentError);
    const flipped = new Uint8Array(vote.encPayload!);
    flipped[0] ^= 1;
    expect(() => decryptPollVote({ ...vote, encPayload: flipped }, ctx)).toThrow(MessageContentError);
    expect(() => decryptPollVote({ encPayload: new Uint8Array(3), encIv: new Uint8Array(12) }, ctx)).toThrow(MessageContentError);
  });

  it('tally counts each voter’s latest vote; a withdrawn vote counts nothing', () => {
    const t = tallyPoll(OPTIONS, [
      { voter: 'a', t: 1, options: ['pizza'] },
      { voter: 'b', t: 1, options: ['pizza', 'tacos'] },
      { voter: 'a', t: 2, options: ['sushi'] },
      { voter: 'c', t: 5, options: ['tacos'] },
      { voter: 'c', t: 3, options: ['pizza'] },
      { voter: 'b', t: 9, options: [] },
    ]);
    expect(t).toEqual([
      { option: 'pizza', votes: 0, voters: [] },
      { option: 'sushi', votes: 1, voters: ['a'] },
      { option: 'tacos', votes: 1, voters: ['c'] },
    ]);
  });
});

describe('ids and hashes', () => {
  it('message ids have WhatsApp Web’s shape and depend on time, user and randomness', () => {
    const r = new Uint8Array(16).fill(1);
    const id = messageId('15550001111:3@s.whatsapp.net', 1_700_000_000, r);
    expect(id).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(messageId('15550001111@s.whatsapp.net', 1_700_000_000, r)).toBe(id);
    expect(messageId('15550001112@s.whatsapp.net', 1_700_000_000, r)).not.toBe(id);
    expect(messageId('15550001111@s.whatsapp.net', 1_700_000_001, r)).not.toBe(id);
    expect(() => messageId(undefined, 1, new Uint8Array(3))).toThrow(RangeError);
  });

  it('participant hash equals Baileys’ generateParticipantHashV2', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 1e12 }), fc.integer({ min: 0, max: 99 })), { minLength: 1, maxLength: 20 }), (devs) => {
        const jids = devs.map(([u, d]) => (d ? `${u}:${d}@s.whatsapp.net` : `${u}@s.whatsapp.net`));
        expect(participantHash(jids)).toBe(generateParticipantHashV2([...jids]));
      }),
      { numRuns: 100 },
    );
  });
});
