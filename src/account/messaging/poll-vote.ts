/**
 * Our vote on a poll of a chat: the poll found where it is kept (a received
 * one under the canonical chat, our own under the chat as we sent it), the
 * options checked against it, the vote encrypted with the poll's secret
 * under the identities the poll was made under, sent, and then counted in
 * the tally we keep and report (`message:updated`), as a received vote is.
 *
 * Owns the vote's building and bookkeeping; sending is the caller's relay.
 */
import { randomBytes } from 'node:crypto';
import { encryptPollVote } from '../../protocol/message/index.js';
import { isGroup, isLid, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { ValueMap } from '../../store/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { MessagingError } from './errors.js';
import type { Identities } from './identity.js';
import { countVote, readPoll } from './inbound.js';

export interface PollVoteParts {
  readonly deps: MessagingDeps;
  readonly ids: Identities;
  readonly now: () => number;
  /** Sends the vote message on the chat's actor; resolves with its id once the server acked it. */
  readonly relay: (chat: string, message: proto.IMessage) => Promise<{ messageId: string }>;
}

/** @throws MessagingError NOT_FOUND (no such poll, or no known creator), BAD_CONTENT (not its options), and the relay's errors */
export async function sendPollVote(p: PollVoteParts, chat: string, pollId: string, chosen: readonly string[]): Promise<{ messageId: string }> {
  const { deps, ids, now } = p;
  const canonical = await ids.canonicalChat(chat);
  // Received polls are kept under the canonical chat, our own under the chat as we sent them.
  let key = canonical;
  let stored = await deps.store.messages.get(key, pollId);
  if (!stored && chat !== canonical) stored = await deps.store.messages.get((key = chat), pollId);
  const poll = readPoll(stored);
  if (!poll) throw new MessagingError('NOT_FOUND', `no poll ${pollId} in ${chat}`);
  const unknown = chosen.filter((o) => !poll.options.includes(o));
  if (unknown.length > 0) throw new MessagingError('BAD_CONTENT', `not options of poll ${pollId}: ${unknown.map((o) => JSON.stringify(o)).join(', ')}`);
  const creator = poll.creators[0];
  if (!creator) throw new MessagingError('NOT_FOUND', `poll ${pollId} has no known creator`);
  const me = deps.me();
  // The vote is keyed by the identities the poll was made under: our LID for a LID creator, else our number.
  const voter = jidNormalizedUser(isLid(creator) && me.lid ? me.lid : me.jid);
  const fromMe = poll.creators.some((c) => ids.isMe(c));
  const senderTimestampMs = now();
  const vote = encryptPollVote([...new Set(chosen)], { pollId, creatorJid: jidNormalizedUser(creator), voterJid: voter, messageSecret: poll.secret }, randomBytes(12));
  const message: proto.IMessage = {
    pollUpdateMessage: {
      pollCreationMessageKey: { remoteJid: chat, fromMe, id: pollId, ...(isGroup(chat) && !fromMe ? { participant: creator } : {}) },
      vote,
      senderTimestampMs,
    },
  };
  const sent = await p.relay(chat, message);
  // Our vote counts in the tally we keep and report, as a received one would.
  const { record, tally } = countVote(poll, jidNormalizedUser(me.jid), { t: senderTimestampMs, options: [...new Set(chosen)] });
  let publish: () => void = () => undefined;
  await deps.store.transaction((tx) => {
    tx.messages.put(key, pollId, record);
    publish = deps.events.stage(tx, [{ type: 'message:updated', conversationId: key, data: { chat: key, messageId: pollId, poll: { tally } } as unknown as ValueMap }]);
  });
  publish();
  return sent;
}
