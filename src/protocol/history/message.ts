/**
 * One WebMessageInfo from a history sync (a conversation's message or a
 * status) → HistoryMessage. The content goes through decodeContent with the
 * Message's own bytes, exactly as a live message does, so a message decodes
 * the same whether it arrived live or from the phone's history.
 *
 * The sender is found as whatsmeow's ParseWebMessage finds it: ours for
 * fromMe (or the original self author the phone recorded), the chat itself in
 * a 1:1 chat, else the participant. A message without id or sender is not
 * usable and comes back undefined for the caller to count.
 */
import { jidKind, jidNormalizedUser } from '../jid/index.js';
import { decodeContent, selectedOptionNames } from '../message/index.js';
import { proto } from '../proto/index.js';
import type { HistoryContent, HistoryMessage, HistoryPollVote, HistoryReaction, HistoryReceipt, MessageStatus } from './types.js';
import { lastFieldBytes } from './wire.js';

/** WebMessageInfo.message. */
const WMI_MESSAGE = 2;

const STATUS: readonly MessageStatus[] = ['error', 'pending', 'sent', 'delivered', 'read', 'played'];

/** Chats whose every message not from us is from the chat's own jid. */
const ONE_TO_ONE = new Set(['pn', 'lid', 'hosted', 'hosted-lid', 'newsletter', 'bot']);

export interface MessageContext {
  /** The conversation id; absent for statuses, whose chat is the key's remoteJid. */
  readonly chat?: string;
  /** Our own user jid: the sender of fromMe messages the phone did not attribute. */
  readonly me: string;
}

const b64 = (b: Uint8Array | null | undefined): string | undefined => (b && b.length > 0 ? Buffer.from(b).toString('base64') : undefined);
const num = (n: number | null | undefined): number | undefined => (typeof n === 'number' && n !== 0 ? n : undefined);

/** Who wrote the message a key names, as a user jid; undefined when the key does not say. */
function authorOf(key: proto.IMessageKey | null | undefined, chat: string, me: string, participant?: string | null): string | undefined {
  if (key?.fromMe) return me;
  if (ONE_TO_ONE.has(jidKind(chat) ?? '')) return chat;
  const who = jidNormalizedUser(participant || key?.participant);
  return who === '' ? undefined : who;
}

/**
 * @param bytes a WebMessageInfo as it lay in the chunk
 * @returns undefined when the message has no id or no findable sender
 * @throws the protobuf decoder's error when the bytes are not a WebMessageInfo
 */
export function historyMessage(bytes: Uint8Array, ctx: MessageContext): HistoryMessage | undefined {
  const info = proto.WebMessageInfo.decode(bytes);
  const key = info.key;
  if (!key?.id) return undefined;
  const chat = jidNormalizedUser(ctx.chat ?? key.remoteJid);
  if (chat === '') return undefined;
  const fromMe = key.fromMe === true;
  const sender = fromMe ? jidNormalizedUser(info.originalSelfAuthorUserJidString) || ctx.me : authorOf(key, chat, ctx.me, info.participant);
  if (!sender) return undefined;

  const decoded = info.message ? decodeContent(info.message, lastFieldBytes(bytes, WMI_MESSAGE)) : { type: 'stub' as const };
  // What only a live message's handling uses (a sender key to install, the wrappers it came in) has no use here.
  const { senderKey: _senderKey, wrappers: _wrappers, ...content } = decoded as HistoryContent;
  const out: HistoryMessage = { id: key.id, chat, sender, fromMe, t: Number(info.messageTimestamp ?? 0), history: true, ...content };
  if (info.pushName) out.pushName = info.pushName;
  if (info.status !== null && info.status !== undefined && STATUS[info.status]) out.status = STATUS[info.status]!;
  if (info.starred) out.starred = true;
  if (info.messageStubType || content.type === 'stub') {
    const type = info.messageStubType ?? 0;
    out.stub = { type: (proto.WebMessageInfo.StubType[type] as string | undefined) ?? String(type) };
    if (info.messageStubParameters?.length) out.stub.params = [...info.messageStubParameters];
  }
  const secret = b64(info.messageSecret) ?? b64(info.message?.messageContextInfo?.messageSecret);
  if (secret) out.messageSecret = secret;
  const ephemeral = num(info.ephemeralDuration);
  if (ephemeral !== undefined) out.ephemeralDuration = ephemeral;

  const reactions = (info.reactions ?? []).flatMap((r) => reactionOf(r, chat, ctx.me));
  if (reactions.length > 0) out.reactions = reactions;
  const receipts = (info.userReceipt ?? []).map(receiptOf);
  if (receipts.length > 0) out.receipts = receipts;
  if (out.poll && info.pollUpdates?.length) {
    const options = out.poll.options;
    const votes = info.pollUpdates.flatMap((u) => voteOf(u, options, chat, ctx.me));
    if (votes.length > 0) out.pollVotes = votes;
  }
  return out;
}

function reactionOf(r: proto.IReaction, chat: string, me: string): HistoryReaction[] {
  // An empty text is a reaction taken back: nothing left to show.
  if (!r.text || !r.key?.id) return [];
  const sender = authorOf(r.key, chat, me);
  if (!sender) return [];
  const out: HistoryReaction = { id: r.key.id, sender, fromMe: r.key.fromMe === true, emoji: r.text };
  const ts = num(r.senderTimestampMs);
  if (ts !== undefined) out.senderTimestampMs = ts;
  return [out];
}

function receiptOf(u: proto.IUserReceipt): HistoryReceipt {
  const out: HistoryReceipt = { jid: u.userJid ?? '' };
  const delivered = num(u.receiptTimestamp);
  const read = num(u.readTimestamp);
  const played = num(u.playedTimestamp);
  if (delivered !== undefined) out.deliveredAt = delivered;
  if (read !== undefined) out.readAt = read;
  if (played !== undefined) out.playedAt = played;
  return out;
}

function voteOf(u: proto.IPollUpdate, options: readonly string[], chat: string, me: string): HistoryPollVote[] {
  const voter = authorOf(u.pollUpdateMessageKey, chat, me);
  if (!voter) return [];
  const vote: HistoryPollVote = { voter, options: selectedOptionNames(options, u.vote?.selectedOptions ?? []) };
  const ts = num(u.senderTimestampMs);
  if (ts !== undefined) vote.senderTimestampMs = ts;
  return [vote];
}
