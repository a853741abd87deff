/**
 * What a decrypted message becomes: the record kept in the store (for
 * de-duplication, replies, reactions, poll tallies) and the events consumers
 * get — `message:new` for every kind (unknown kinds raw, never dropped),
 * `message:deleted` for a revoke, `message:updated` for an edit and for a
 * poll's new tally. Poll votes are decrypted here with the poll's secret.
 *
 * Pure decisions over data the caller loaded; must not touch the store or
 * the network.
 */
import { decodeContent, decryptEventResponse, decryptPollVote, selectedOptionNames, tallyPoll, type DecodedContent } from '../../protocol/message/index.js';
import { eventRecord, MAX_FORWARDABLE_BYTES, type StoredEvent } from './addon-sends.js';
import { jidNormalizedUser } from '../../protocol/jid/index.js';
import { proto } from '../../protocol/proto/index.js';
import type { ValueMap } from '../../store/index.js';
import type { AccountEvent } from '../events.js';

export interface InboundInfo {
  readonly id: string;
  /** Canonical chat id. */
  readonly chat: string;
  /** Canonical sender user JID. */
  readonly sender: string;
  /** Other identities of the sender (LID/PN) a vote may have been keyed to. */
  readonly senderAlts: readonly string[];
  readonly fromMe: boolean;
  /** Unix seconds. */
  readonly t: number;
  readonly offline: boolean;
  readonly pushName?: string | undefined;
  /** Our own user JIDs (PN, LID): poll creators when the poll was ours. */
  readonly me: readonly string[];
}

/** A stored poll (ours or received) as the vote path needs it. */
export interface StoredPoll {
  readonly options: readonly string[];
  readonly secret: Uint8Array;
  /** Candidate creator JIDs (user JIDs). */
  readonly creators: readonly string[];
  readonly votes: ReadonlyMap<string, { t: number; options: string[] }>;
  /** The whole stored record (its sender, content… stay when a vote is counted). */
  readonly record: ValueMap;
}

export type PollTally = Array<{ option: string; votes: number; voters: string[] }>;

/**
 * Counts one vote into a poll (a voter's newest vote wins): the poll's new
 * record, the rest of the stored record kept, and the tally consumers get.
 */
export function countVote(poll: StoredPoll, voter: string, vote: { t: number; options: string[] }): { record: ValueMap; tally: PollTally } {
  const votes = new Map(poll.votes);
  const prev = votes.get(voter);
  if (!prev || vote.t >= prev.t) votes.set(voter, vote);
  const tally = tallyPoll(poll.options, [...votes].map(([v, x]) => ({ voter: v, t: x.t, options: x.options })));
  return { record: { ...poll.record, ...pollRecord(poll.options, poll.secret, poll.creators, votes) }, tally };
}

export interface InboundResult {
  readonly record: ValueMap;
  readonly events: AccountEvent[];
  /** A poll record to update with the new tally (chat, id, record). */
  readonly pollUpdate?: { chat: string; id: string; record: ValueMap } | undefined;
  readonly decoded: DecodedContent;
}

export function pollRecord(options: readonly string[], secret: Uint8Array, creators: readonly string[], votes: ReadonlyMap<string, { t: number; options: string[] }> = new Map()): ValueMap {
  return {
    type: 'poll',
    poll: { options: [...options], secret, creators: [...creators] },
    votes: Object.fromEntries([...votes].map(([voter, v]) => [voter, { t: v.t, options: v.options }])),
  };
}

export function readPoll(record: ValueMap | undefined): StoredPoll | undefined {
  const poll = record?.poll as ValueMap | undefined;
  if (!poll || !(poll.secret instanceof Uint8Array) || !Array.isArray(poll.options)) return undefined;
  const votes = new Map<string, { t: number; options: string[] }>();
  for (const [voter, v] of Object.entries((record!.votes as ValueMap | undefined) ?? {})) {
    const vm = v as ValueMap;
    votes.set(voter, { t: Number(vm.t ?? 0), options: (vm.options as string[]) ?? [] });
  }
  return { options: poll.options as string[], secret: poll.secret, creators: (poll.creators as string[]) ?? [], votes, record: record! };
}

/**
 * Turns a decrypted Message into its record and events.
 * @param poll the poll a vote points at, loaded by the caller (undefined when unknown)
 */
/** `rawBytes`: the Message's bytes as received (kept whole in `raw` for kinds we do not decode). */
/** `event`: the event an answer points at, loaded by the caller (undefined when unknown or not an answer). */
export function interpret(message: proto.IMessage, info: InboundInfo, poll: StoredPoll | undefined, rawBytes?: Uint8Array, event?: StoredEvent): InboundResult {
  const decoded = decodeContent(message, rawBytes);
  const base: Record<string, unknown> = { id: info.id, chat: info.chat, sender: info.sender, fromMe: info.fromMe, t: info.t };
  if (info.offline) base.offline = true;
  if (info.pushName) base.pushName = info.pushName;
  const record: Record<string, unknown> = { type: decoded.type, sender: info.sender, fromMe: info.fromMe, t: info.t };
  // Kept so a later reply can quote it without the consumer resending it.
  if (decoded.content !== undefined && decoded.content.length <= 4096) record.content = decoded.content;
  // Kept so the file can be fetched later (media:download) from the id alone.
  if (decoded.media) record.media = { ...decoded.media };
  // A link preview's high-quality thumbnail is fetched the same way (media:download of the text).
  if (decoded.linkPreview?.thumbnail) record.linkThumbnail = { ...decoded.linkPreview.thumbnail };
  // Kept so it can be forwarded later by its id alone (what a consumer forwards is what came).
  if (FORWARDABLE.has(decoded.type)) {
    const bytes = proto.Message.encode(message).finish();
    if (bytes.length <= MAX_FORWARDABLE_BYTES) record.message = bytes;
  }
  const events: AccountEvent[] = [];
  let pollUpdate: InboundResult['pollUpdate'];
  const conversationId = info.chat;

  if (decoded.type === 'revoke' && decoded.revoke) {
    events.push({ type: 'message:deleted', conversationId, data: { ...base, messageId: decoded.revoke.target.id, by: info.sender } as ValueMap });
  } else if (decoded.type === 'edit' && decoded.edit) {
    events.push({ type: 'message:updated', conversationId, data: { ...base, messageId: decoded.edit.target.id, content: decoded.edit.content ?? '', edited: true } as ValueMap });
  } else if (decoded.type === 'poll-vote' && decoded.vote) {
    const data: Record<string, unknown> = { ...base, ...strip(decoded) };
    const pollId = decoded.vote.poll.id;
    const options = poll ? decryptVote(decoded, info, poll) : undefined;
    if (options !== undefined && poll) {
      (data.vote as Record<string, unknown>).options = options;
      const { record: pollRec, tally } = countVote(poll, info.sender, { t: decoded.vote.senderTimestampMs ?? info.t * 1000, options });
      pollUpdate = { chat: info.chat, id: pollId, record: pollRec };
      events.push({ type: 'message:new', conversationId, data: data as ValueMap });
      events.push({ type: 'message:updated', conversationId, data: { chat: info.chat, messageId: pollId, poll: { tally } } as unknown as ValueMap });
    } else {
      events.push({ type: 'message:new', conversationId, data: { ...data, undecrypted: true } as ValueMap });
    }
  } else if (decoded.type === 'event-response' && decoded.eventResponse) {
    const answer = event ? decryptAnswer(decoded, info, event) : undefined;
    const data: Record<string, unknown> = { ...base, ...strip(decoded) };
    if (answer) Object.assign(data.eventResponse as Record<string, unknown>, answer);
    events.push({ type: 'message:new', conversationId, data: (answer ? data : { ...data, undecrypted: true }) as ValueMap });
  } else if (decoded.type === 'sender-key') {
    // A key delivery alone (a retry resend without content): nothing for consumers.
  } else {
    events.push({ type: 'message:new', conversationId, data: { ...base, ...strip(decoded) } as ValueMap });
    if (decoded.type === 'event' && decoded.event?.secret) {
      const creators = info.fromMe ? info.me : [info.sender, ...info.senderAlts];
      Object.assign(record, eventRecord(Buffer.from(decoded.event.secret, 'base64'), creators));
    }
    if (decoded.type === 'poll' && decoded.poll?.secret) {
      const creators = info.fromMe ? info.me : [info.sender, ...info.senderAlts];
      Object.assign(record, pollRecord(decoded.poll.options, Buffer.from(decoded.poll.secret, 'base64'), creators));
    }
  }
  return { record: record as ValueMap, events, pollUpdate, decoded };
}

/** The decoded content without the fields only the account uses. */
function strip(d: DecodedContent): Record<string, unknown> {
  const { senderKey: _sk, wrappers: _w, ...rest } = d;
  if (rest.poll) rest.poll = { name: rest.poll.name, options: rest.poll.options, selectableCount: rest.poll.selectableCount };
  if (rest.event) {
    const { secret: _s, ...event } = rest.event;
    rest.event = event;
  }
  return rest;
}

/** Kinds a consumer may forward later by id: content, not changes of other messages. */
const FORWARDABLE: ReadonlySet<string> = new Set(['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'live-location', 'contact', 'contacts', 'poll', 'event']);

/** The answer in an event response, trying each JID pair the event and the answer may be keyed by. */
function decryptAnswer(d: DecodedContent, info: InboundInfo, event: StoredEvent): { response: string; extraGuestCount?: number } | undefined {
  const r = d.eventResponse!;
  const payload = Buffer.from(r.encPayload, 'base64');
  const iv = Buffer.from(r.encIv, 'base64');
  const responders = [info.sender, ...info.senderAlts].map(jidNormalizedUser).filter((j) => j !== '');
  for (const creatorJid of event.creators.map(jidNormalizedUser)) {
    for (const responderJid of responders) {
      const answer = decryptEventResponse(payload, iv, { eventId: r.event.id, creatorJid, responderJid, messageSecret: event.secret });
      if (answer) return { response: answer.response, ...(answer.extraGuestCount !== undefined ? { extraGuestCount: answer.extraGuestCount } : {}) };
    }
  }
  return undefined;
}

function decryptVote(d: DecodedContent, info: InboundInfo, poll: StoredPoll): string[] | undefined {
  const vote = { encPayload: Buffer.from(d.vote!.encPayload, 'base64'), encIv: Buffer.from(d.vote!.encIv, 'base64') };
  const voters = [info.sender, ...info.senderAlts].map(jidNormalizedUser).filter((j) => j !== '');
  for (const creatorJid of poll.creators.map(jidNormalizedUser)) {
    for (const voterJid of voters) {
      try {
        const hashes = decryptPollVote(vote, { pollId: d.vote!.poll.id, creatorJid, voterJid, messageSecret: poll.secret });
        return selectedOptionNames(poll.options, hashes);
      } catch {
        // Try the next JID pair: WhatsApp keys votes by whichever identity the clients saw.
      }
    }
  }
  return undefined;
}
