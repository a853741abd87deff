// fast-check arbitraries for history sync suites: chats of every jid kind with
// real-shaped message contents (the proto fixtures), stubs, receipts and
// reactions; push names and LID mappings.
import fc from 'fast-check';
import { webMessageInfo, type HistoryBuildInput, type HistoryChatInput } from '../../../src/protocol/history/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { MESSAGES } from '../proto/fixtures.js';

export const ME = '15559990000@s.whatsapp.net';
export const ME_LID = '99887766554433@lid';

const pnUser = fc.integer({ min: 1_555_000_0000, max: 1_555_000_9999 }).map((n) => `${n}@s.whatsapp.net`);
const lidUser = fc.integer({ min: 100_000_000_000_000, max: 100_000_000_009_999 }).map((n) => `${n}@lid`);
const groupJid = fc.integer({ min: 1, max: 9999 }).map((n) => `12036302524612${String(n).padStart(4, '0')}@g.us`);
const seconds = fc.integer({ min: 1_600_000_000, max: 1_800_000_000 });
const text = fc.string({ minLength: 1, maxLength: 40 });
const messageId = fc.stringMatching(/^3EB0[0-9A-F]{16}$/);

/** Message contents as phones send them (a phone's history keeps our sends unwrapped, never as deviceSentMessage). */
const CONTENTS = Object.entries(MESSAGES)
  .filter(([name]) => name !== 'deviceSentText')
  .map(([, m]) => proto.Message.fromObject(m));
const content = fc.oneof(
  { weight: 3, arbitrary: text.map((t): proto.IMessage => ({ conversation: t })) },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENTS) },
);

/** One message of `chat`: from us or from the chat (a participant in groups), content or a stub, maybe receipts and reactions. */
function messageOf(chat: string, isGroup: boolean): fc.Arbitrary<proto.IWebMessageInfo> {
  return fc
    .record({
      id: messageId,
      fromMe: fc.boolean(),
      participant: pnUser,
      t: seconds,
      message: fc.option(content, { nil: undefined }),
      stub: fc.option(fc.record({ type: fc.constantFrom(1, 2, 20, 27, 28, 132), params: fc.array(pnUser, { maxLength: 2 }) }), { nil: undefined }),
      pushName: fc.option(text, { nil: undefined }),
      status: fc.option(fc.constantFrom('pending' as const, 'sent' as const, 'delivered' as const, 'read' as const, 'played' as const), { nil: undefined }),
      receipt: fc.option(fc.record({ userJid: pnUser, receiptTimestamp: seconds, readTimestamp: fc.option(seconds, { nil: undefined }) }), { nil: undefined }),
      reaction: fc.option(fc.record({ id: messageId, fromMe: fc.boolean(), participant: pnUser, text: fc.constantFrom('👍', '❤️', '😂'), senderTimestampMs: fc.integer({ min: 1, max: 2 ** 45 }) }), {
        nil: undefined,
      }),
    })
    .map((m) => {
      const info = webMessageInfo({
        id: m.id,
        chat,
        fromMe: m.fromMe,
        ...(isGroup && !m.fromMe ? { participant: m.participant } : {}),
        t: m.t,
        ...(m.message ? { message: m.message } : {}),
        ...(m.stub || !m.message ? { stub: m.stub ?? { type: 2, params: [] } } : {}),
        ...(m.pushName && !m.fromMe ? { pushName: m.pushName } : {}),
        ...(m.status ? { status: m.status } : {}),
      });
      if (m.receipt && m.fromMe) info.userReceipt = [m.receipt];
      if (m.reaction) {
        const key: proto.IMessageKey = { remoteJid: chat, fromMe: m.reaction.fromMe, id: m.reaction.id };
        if (isGroup && !m.reaction.fromMe) key.participant = m.reaction.participant;
        info.reactions = [{ key, text: m.reaction.text, senderTimestampMs: m.reaction.senderTimestampMs }];
      }
      return info;
    });
}

const chatJid = fc.oneof(pnUser, lidUser, groupJid);

export const chatInput: fc.Arbitrary<HistoryChatInput> = chatJid.chain((jid) => {
  const isGroup = jid.endsWith('@g.us');
  return fc
    .record(
      {
        name: text,
        unreadCount: fc.nat({ max: 500 }),
        archived: fc.boolean(),
        pinnedAt: seconds,
        mutedUntil: fc.oneof(fc.constant(-1), seconds),
        ephemeralExpiration: fc.constantFrom(86_400, 604_800, 7_776_000),
        lastMessageAt: seconds,
        lid: lidUser,
        pn: pnUser,
        endOfHistory: fc.constantFrom('more-on-phone' as const, 'complete' as const, 'more-on-phone-on-demand' as const),
        description: text,
        messages: fc.array(messageOf(jid, isGroup), { maxLength: 12 }),
      },
      { requiredKeys: ['messages'] },
    )
    .map((c): HistoryChatInput => {
      const out: HistoryChatInput = { jid, ...c };
      // A chat names its other identity only where it has one: PN chats their LID, LID chats their PN.
      if (jid.endsWith('@lid')) delete out.lid;
      else delete out.pn;
      if (isGroup) delete out.lid;
      return out;
    });
});

const CONVERSATION_TYPES = ['INITIAL_BOOTSTRAP', 'RECENT', 'FULL', 'ON_DEMAND'] as const;

/** A history of one sync type: conversations (for the types that carry them), push names, mappings, statuses. */
export const historyInput: fc.Arbitrary<HistoryBuildInput> = fc.record({
  syncType: fc.constantFrom(...CONVERSATION_TYPES, 'PUSH_NAME' as const),
  chats: fc.array(chatInput, { maxLength: 6 }),
  pushNames: fc.array(fc.record({ jid: pnUser, name: text }), { maxLength: 4 }),
  mappings: fc.array(fc.record({ lid: lidUser, pn: pnUser }), { maxLength: 4 }),
  statuses: fc.array(
    fc.record({ id: messageId, participant: pnUser, t: seconds, message: content }).map((s) =>
      webMessageInfo({ id: s.id, chat: 'status@broadcast', fromMe: false, participant: s.participant, t: s.t, message: s.message }),
    ),
    { maxLength: 3 },
  ),
});
