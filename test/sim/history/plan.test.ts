/**
 * What the phone sends a new companion, read back by Baileys' own protobuf
 * decoder (an independent reader) and by ours: stages in order, every
 * message at most once, the bootstrap holding the last messages of the most
 * recent chats, RECENT the rest of the recent window, FULL the older ones only
 * when asked, each chat's last entry saying whether the phone holds more; and
 * the on-demand answer found by anchor id or time.
 */
import fc from 'fast-check';
import { proto as baileys } from 'baileys';
import { describe, expect, it } from 'vitest';
import { buildHistoryChunks, decodeHistorySync } from '../../../src/protocol/history/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import type { CompanionHistoryConfig } from '../../../src/sim/phone-host.js';
import type { HistorySyncPolicy } from '../../../src/sim/phone-history.js';
import { planInitialSync, planOnDemand, type SyncStage } from '../../../src/sim/phone/history/plan.js';
import { DEFAULT_POLICY } from '../../../src/sim/phone/history/policy.js';
import { HistoryStore } from '../../../src/sim/phone/history/store.js';

const NOW = 1_790_000_000;
const DAY = 86_400;
const END = baileys.Conversation.EndOfHistoryTransferType;

interface Sent {
  syncType: string;
  chunkOrder: number;
  progress: number;
  conversations: baileys.IConversation[];
  pushnames: baileys.IPushname[];
  mappings: baileys.IPhoneNumberToLIDMapping[];
}

/** Every chunk of every stage, as Baileys decodes it. */
function send(stages: SyncStage[], chunkBytes: number): Sent[] {
  return stages.flatMap((stage) =>
    buildHistoryChunks(stage.build(), { maxChunkBytes: chunkBytes }).map((c) => {
      const h = baileys.HistorySync.decode(c.bytes);
      expect(baileys.HistorySync.HistorySyncType[h.syncType]).toBe(stage.syncType);
      return { syncType: stage.syncType, chunkOrder: h.chunkOrder!, progress: h.progress!, conversations: h.conversations, pushnames: h.pushnames, mappings: h.phoneNumberToLidMappings };
    }),
  );
}

function storeOf(chats: Array<Array<{ t: number; fromMe: boolean }>>): HistoryStore {
  const store = new HistoryStore();
  chats.forEach((list, c) => {
    const chat = store.ensureChat(`1555000${c}@s.whatsapp.net`);
    list.forEach((m, i) => store.add(chat, { id: `C${c}M${i}`, t: m.t, fromMe: m.fromMe, content: proto.Message.encode({ conversation: `chat ${c} #${i}` }).finish() }));
  });
  return store;
}

const messageArb = fc.record({ t: fc.integer({ min: NOW - 400 * DAY, max: NOW }), fromMe: fc.boolean() });
const policyArb = fc.record({
  chunkBytes: fc.integer({ min: 1024, max: 6000 }),
  bootstrapChats: fc.integer({ min: 0, max: 4 }),
  bootstrapMessages: fc.integer({ min: 0, max: 8 }),
  recentDays: fc.integer({ min: 1, max: 365 }),
});
const companionArb = fc.option(
  fc.record({
    requireFullSync: fc.boolean(),
    inlineInitialPayload: fc.constant(true),
    recentSyncDaysLimit: fc.option(fc.integer({ min: 1, max: 365 }), { nil: undefined }),
  }),
  { nil: undefined },
);

describe('planInitialSync', () => {
  it('sends each message at most once, the recent window always, the older ones only in a full sync, in stage and chunk order', () => {
    fc.assert(
      fc.property(fc.array(fc.array(messageArb, { maxLength: 30 }), { minLength: 1, maxLength: 5 }), policyArb, companionArb, (chats, p, companion) => {
        const store = storeOf(chats);
        store.setPushName('15550000@s.whatsapp.net', 'Zero');
        const policy: HistorySyncPolicy = { ...DEFAULT_POLICY, ...p };
        const config = companion ? (Object.fromEntries(Object.entries(companion).filter(([, v]) => v !== undefined)) as unknown as CompanionHistoryConfig) : undefined;
        const sent = send(planInitialSync(store, policy, config, NOW), policy.chunkBytes);

        const types = sent.map((s) => s.syncType);
        const stageOrder = ['INITIAL_BOOTSTRAP', 'INITIAL_STATUS_V3', 'PUSH_NAME', 'RECENT', 'FULL'];
        expect(types.map((t) => stageOrder.indexOf(t))).toEqual([...types.map((t) => stageOrder.indexOf(t))].sort((a, b) => a - b));
        expect(types.includes('FULL')).toBe(config?.requireFullSync === true);
        for (const type of new Set(types)) {
          const chunks = sent.filter((s) => s.syncType === type);
          expect(chunks.map((c) => c.chunkOrder)).toEqual(chunks.map((_, i) => i + 1));
          expect(chunks.at(-1)!.progress).toBe(100);
        }

        const ids = sent.flatMap((s) => s.conversations.flatMap((c) => c.messages!.map((m) => m.message!.key!.id!)));
        expect(new Set(ids).size).toBe(ids.length);
        const cutoff = NOW - Math.min(policy.recentDays, config?.recentSyncDaysLimit ?? Infinity) * DAY;
        const all = store.chats().flatMap((c) => c.messages);
        const sentIds = new Set(ids);
        for (const m of all) {
          if (m.t >= cutoff || config?.requireFullSync) expect(sentIds.has(m.id)).toBe(true);
        }
        // What stays on the phone is older than the window and none of the bootstrap's.
        const bootstrap = new Set(sent.filter((s) => s.syncType === 'INITIAL_BOOTSTRAP').flatMap((s) => s.conversations.flatMap((c) => c.messages!.map((m) => m.message!.key!.id!))));
        for (const m of all.filter((x) => !sentIds.has(x.id))) {
          expect(m.t).toBeLessThan(cutoff);
          expect(bootstrap.has(m.id)).toBe(false);
        }
        // Newest first inside each conversation entry.
        for (const c of sent.flatMap((s) => s.conversations)) {
          const times = c.messages!.map((m) => Number(m.message!.messageTimestamp));
          expect(times).toEqual([...times].sort((a, b) => b - a));
        }
        // The last entry of a chat says whether the phone holds more of it.
        for (const chat of store.chats().filter((c) => c.messages.length > 0)) {
          const entries = sent.flatMap((s) => s.conversations).filter((c) => c.id === chat.jid && c.endOfHistoryTransfer);
          const more = chat.messages.some((m) => !sentIds.has(m.id));
          expect(entries.at(-1)?.endOfHistoryTransferType ?? END.COMPLETE_BUT_MORE_MESSAGES_REMAIN_ON_PRIMARY).toBe(
            more ? END.COMPLETE_BUT_MORE_MESSAGES_REMAIN_ON_PRIMARY : END.COMPLETE_AND_NO_MORE_MESSAGE_REMAIN_ON_PRIMARY,
          );
        }
      }),
      { numRuns: 60 },
    );
  });

  it('bootstraps with every chat, most recent first, and the last messages of the most recent ones', () => {
    const store = storeOf([
      Array.from({ length: 10 }, (_, i) => ({ t: NOW - 100 + i, fromMe: false })),
      Array.from({ length: 10 }, (_, i) => ({ t: NOW - 50 + i, fromMe: true })),
      [{ t: NOW - 500, fromMe: false }],
    ]);
    store.setMapping('9001@lid', '15550000@s.whatsapp.net');
    const [bootstrap] = send(planInitialSync(store, { ...DEFAULT_POLICY, bootstrapChats: 2, bootstrapMessages: 3 }, undefined, NOW), DEFAULT_POLICY.chunkBytes);
    expect(bootstrap!.conversations.map((c) => c.id)).toEqual(['15550001@s.whatsapp.net', '15550000@s.whatsapp.net', '15550002@s.whatsapp.net']);
    expect(bootstrap!.conversations.map((c) => c.messages!.map((m) => m.message!.key!.id))).toEqual([
      ['C1M9', 'C1M8', 'C1M7'],
      ['C0M9', 'C0M8', 'C0M7'],
      [],
    ]);
    expect(bootstrap!.conversations[1]!.lidJid).toBe('9001@lid');
    expect(bootstrap!.mappings).toEqual([expect.objectContaining({ lidJid: '9001@lid', pnJid: '15550000@s.whatsapp.net' })]);
  });

  it('sends the status posts of the last 24 hours after the bootstrap, before the push names', () => {
    const store = storeOf([[{ t: NOW - 10, fromMe: false }]]);
    store.setPushName('15550000@s.whatsapp.net', 'Zero');
    const status = (id: string, t: number, participant?: string) => ({ id, t, fromMe: !participant, ...(participant ? { participant } : {}), content: proto.Message.encode({ conversation: id }).finish() });
    store.addStatus(status('today', NOW - 3600, '15550000@s.whatsapp.net'));
    store.addStatus(status('mine', NOW - 60));
    store.addStatus(status('yesterday', NOW - 2 * DAY, '15550000@s.whatsapp.net'));
    const stages = planInitialSync(store, DEFAULT_POLICY, undefined, NOW);
    expect(stages.map((s) => s.syncType)).toEqual(['INITIAL_BOOTSTRAP', 'INITIAL_STATUS_V3', 'PUSH_NAME', 'RECENT']);
    const [chunk] = buildHistoryChunks(stages[1]!.build());
    const ours = decodeHistorySync(chunk!.bytes, { me: '15559999999@s.whatsapp.net' });
    expect(ours.statuses.map((m) => [m.id, m.chat, m.sender, m.content])).toEqual([
      ['mine', 'status@broadcast', '15559999999@s.whatsapp.net', 'mine'],
      ['today', 'status@broadcast', '15550000@s.whatsapp.net', 'today'],
    ]);
    expect(baileys.HistorySync.decode(chunk!.bytes).statusV3Messages.map((m) => m.key?.participant ?? null)).toEqual([null, '15550000@s.whatsapp.net']);
  });

  it('carries each message’s reactions keyed as their senders sent them', () => {
    const store = new HistoryStore();
    const group = store.ensureChat('120363000000000001@g.us');
    store.add(group, {
      id: 'G1',
      t: NOW - 5,
      fromMe: true,
      content: proto.Message.encode({ conversation: 'lunch?' }).finish(),
      reactions: [
        { id: 'R1', fromMe: false, sender: '15550000@s.whatsapp.net', emoji: '👍', t: (NOW - 4) * 1000 },
        { id: 'R2', fromMe: true, emoji: '🎉', t: (NOW - 3) * 1000 },
      ],
    });
    const [chunk] = buildHistoryChunks(planInitialSync(store, DEFAULT_POLICY, undefined, NOW)[0]!.build());
    const [m] = decodeHistorySync(chunk!.bytes, { me: '15559999999@s.whatsapp.net' }).messages;
    expect(m!.reactions).toEqual([
      { id: 'R1', sender: '15550000@s.whatsapp.net', fromMe: false, emoji: '👍', senderTimestampMs: (NOW - 4) * 1000 },
      { id: 'R2', sender: '15559999999@s.whatsapp.net', fromMe: true, emoji: '🎉', senderTimestampMs: (NOW - 3) * 1000 },
    ]);
  });

  it('keeps a full sync within the companion’s days and size limits', () => {
    const store = storeOf([Array.from({ length: 100 }, (_, i) => ({ t: NOW - (100 - i) * 10 * DAY, fromMe: false }))]);
    const policy = { ...DEFAULT_POLICY, bootstrapChats: 0, recentDays: 30 };
    const ids = (c?: CompanionHistoryConfig) =>
      send(planInitialSync(store, policy, c, NOW), policy.chunkBytes)
        .filter((s) => s.syncType === 'FULL')
        .flatMap((s) => s.conversations.flatMap((x) => x.messages!.map((m) => Number(m.message!.messageTimestamp))));
    expect(ids({ requireFullSync: true, inlineInitialPayload: true })).toHaveLength(97);
    const byDays = ids({ requireFullSync: true, inlineInitialPayload: true, fullSyncDaysLimit: 200 });
    expect(byDays.length).toBe(17);
    expect(Math.min(...byDays)).toBeGreaterThanOrEqual(NOW - 200 * DAY);
  });
});

describe('planOnDemand', () => {
  const store = storeOf([Array.from({ length: 120 }, (_, i) => ({ t: NOW - 1000 + i, fromMe: i % 2 === 0 }))]);
  store.setMapping('777@lid', '15550000@s.whatsapp.net');
  const answer = (req: Parameters<typeof planOnDemand>[1]) => {
    const chunks = buildHistoryChunks(planOnDemand(store, req).build());
    return decodeHistorySync(chunks[0]!.bytes, { me: '15559999999@s.whatsapp.net' });
  };

  it('answers the `count` messages before the anchor, newest first, saying more remain', () => {
    const got = answer({ chat: '15550000@s.whatsapp.net', oldestMsgId: 'C0M100', oldestMsgFromMe: true, oldestMsgTimestamp: NOW - 900, count: 50 });
    expect(got.messages.map((m) => m.id)).toEqual(Array.from({ length: 50 }, (_, i) => `C0M${99 - i}`));
    expect(got.chats[0]!.endOfHistory).toBe('more-on-phone-on-demand');
  });

  it('finds the anchor by time when the phone does not hold its id, and says when nothing older remains', () => {
    const got = answer({ chat: '15550000@s.whatsapp.net', oldestMsgId: 'UNKNOWN', oldestMsgFromMe: false, oldestMsgTimestamp: NOW - 1000 + 20, count: 50 });
    expect(got.messages.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => `C0M${19 - i}`));
    expect(got.chats[0]!.endOfHistory).toBe('complete');
  });

  it('knows a chat asked for by its LID, and answers an unknown chat with nothing more to send', () => {
    expect(answer({ chat: '777@lid', oldestMsgId: 'C0M10', oldestMsgFromMe: true, oldestMsgTimestamp: 0, count: 5 }).messages).toHaveLength(5);
    const none = answer({ chat: '42@s.whatsapp.net', oldestMsgId: 'X', oldestMsgFromMe: false, oldestMsgTimestamp: NOW, count: 50 });
    expect(none.messages).toEqual([]);
    expect(none.chats[0]).toMatchObject({ jid: '42@s.whatsapp.net', endOfHistory: 'complete' });
  });
});
