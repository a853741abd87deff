// Child process of history-memory.test.ts, run under a small V8 heap: stores
// one history chunk (compressed HistorySync in the file argv[2]) through the
// real HistorySync into a LevelDB store in argv[3], sampling the heap used
// after a full collection while it works. Prints one JSON line: the peak, the
// baseline before the chunk, and per chat the messages stored.
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { pino } from 'pino';
import { HistorySync } from '../../../src/account/history/history-sync.js';
import { buildHistoryNotification, historySyncNotificationOf } from '../../../src/protocol/history/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { LevelBackend } from '../../../src/store/backend/level.js';
import { AccountStore } from '../../../src/store/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const heapAfterGc = (): number => {
  gc();
  return getHeapStatistics().used_heap_size;
};

const [blobPath, dir, me, chatsArg] = process.argv.slice(2) as [string, string, string, string];
const compressed = readFileSync(blobPath);
const store = await AccountStore.open(await LevelBackend.open(dir, { createIfMissing: true }), 'acc');
const n = historySyncNotificationOf(buildHistoryNotification({ syncType: 'RECENT', payload: { kind: 'inline', compressed }, chunkOrder: 1, progress: 100 }))!;
await store.transaction((tx) => tx.historyPending.put({ messageId: 'HIST1', notification: proto.Message.HistorySyncNotification.encode(n).finish(), receivedAt: 0, stored: false }));

const sync = new HistorySync({
  store,
  events: { emit: async () => 0, stage: () => () => undefined },
  logger: pino({ level: 'silent' }),
  port: { send: async () => undefined },
  media: { download: () => Promise.reject(new Error('inline chunk: nothing to download')) },
  me: () => ({ jid: me, lid: undefined }),
  messaging: () => ({
    learnLid: async () => undefined,
    canonicalChat: async (j: string) => j,
    sendToOwnDevices: () => Promise.reject(new Error('not used')),
  }),
});
const baseline = heapAfterGc();
let peak = baseline;
const sampler = setInterval(() => (peak = Math.max(peak, heapAfterGc())), 250);
sync.kick();
while (sync.stats.chunks + sync.stats.chunksFailed === 0) await new Promise((r) => setTimeout(r, 20));
clearInterval(sampler);
const stored: Record<string, number> = {};
for (const chat of chatsArg.split(',')) stored[chat] = await store.chatMessages.count(chat);
process.stdout.write(JSON.stringify({ baseline, peak, chunks: sync.stats.chunks, messages: sync.stats.messages, stored }) + '\n');
process.exit(0);
