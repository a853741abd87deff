// History sync decoding: wad vs Baileys 7 in the same run.
//   npx tsx --expose-gc scripts/bench/history.ts [--chats 50] [--messages 20000] [--rounds 5]
// One inflated HistorySync chunk of `messages` text messages over `chats`
// chats. wad: the incremental decoder fed in 64 KiB pieces (as an inflate
// stream hands them out), every item consumed and dropped as an account that
// commits batch by batch would. Baileys: proto.HistorySync.decode of the whole
// chunk, then processHistoryMessage, as its socket does. Reports the median
// time, and the live memory (JS heap + buffers, after a full GC) at each one's peak: for wad at
// every item, for Baileys once its result exists. wad does more per message
// (the decoded content a consumer gets: type, text, media, sender), Baileys
// hands out the raw protobuf objects.
import { proto as baileys, processHistoryMessage } from 'baileys';
import { buildHistoryChunks, HistorySyncDecoder, webMessageInfo, type HistoryChatInput } from '../../src/protocol/history/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CHATS = arg('chats', 50);
const MESSAGES = arg('messages', 20_000);
const ROUNDS = arg('rounds', 5);
const PIECE = 64 * 1024;
const ME = '15559990000@s.whatsapp.net';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('run with --expose-gc for heap figures');

const chats: HistoryChatInput[] = Array.from({ length: CHATS }, (_, c) => {
  const jid = c % 5 === 0 ? `1203630252461${String(c).padStart(5, '0')}@g.us` : `1555${String(c).padStart(7, '0')}@s.whatsapp.net`;
  const count = Math.floor(MESSAGES / CHATS) + (c < MESSAGES % CHATS ? 1 : 0);
  return {
    jid,
    name: `Chat ${c}`,
    unreadCount: c % 7,
    lastMessageAt: 1_700_000_000,
    messages: Array.from({ length: count }, (_, i) =>
      webMessageInfo({
        id: `3EB0${String(c).padStart(4, '0')}${String(i).padStart(12, '0')}`,
        chat: jid,
        fromMe: i % 3 === 0,
        ...(jid.endsWith('@g.us') && i % 3 !== 0 ? { participant: '15550002222@s.whatsapp.net' } : {}),
        t: 1_700_000_000 - i * 60,
        message: { conversation: `message ${i} of chat ${c}: the quick brown fox jumps over the lazy dog` },
        status: 'read',
      }),
    ),
  };
});
const [chunk] = buildHistoryChunks({ syncType: 'FULL', chats }, { maxChunkBytes: 1 << 30 });
const blob = chunk!.bytes;

/** Live JS heap plus ArrayBuffer memory (where Buffers keep their bytes), after a full GC. */
function heap(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** wad: pieces in, every item looked at and dropped; `sample` runs at each item. */
function ours(sample: () => void = () => {}): number {
  let messages = 0;
  const decoder = new HistorySyncDecoder({ me: ME });
  const take = (items: Iterable<{ kind: string; messages?: unknown[] }>) => {
    for (const item of items) {
      if (item.kind === 'messages') messages += item.messages!.length;
      sample();
    }
  };
  // Copies, as an inflate stream hands out fresh buffers.
  for (let at = 0; at < blob.length; at += PIECE) take(decoder.push(Buffer.from(blob.subarray(at, at + PIECE))));
  take(decoder.end());
  return messages;
}

/** Baileys: the whole chunk decoded, then its history processing. */
function theirs(): { messages: number; result: unknown } {
  const result = processHistoryMessage(baileys.HistorySync.decode(blob));
  return { messages: result.messages.length, result };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (run: () => unknown): number => {
  const start = performance.now();
  run();
  return performance.now() - start;
};
for (let w = 0; w < 3; w++) [ours, theirs].forEach((run) => run());
const times = { wad: [] as number[], baileys: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  times.wad.push(time(() => ours()));
  times.baileys.push(time(() => theirs()));
}

// Live memory (heap + buffers, after a full GC) at its peak, over the lowest
// point seen (a full GC may also drop compiled code of the warm-up rounds).
let low = heap();
let high = low;
ours(() => {
  const now = heap();
  low = Math.min(low, now);
  high = Math.max(high, now);
});
const ourPeak = high - low;
const before = heap();
const held = theirs();
const theirPeak = heap() - before;
void held.result;

const mib = (n: number) => (n / 1024 / 1024).toFixed(2);
console.log(`chunk: ${CHATS} chats, ${MESSAGES} messages, ${mib(blob.length)} MiB inflated; median of ${ROUNDS} rounds after 3 warm-up rounds`);
for (const [name, ms, peak] of [['wad', median(times.wad), ourPeak], ['baileys', median(times.baileys), theirPeak]] as const) {
  console.log(`${name.padEnd(8)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round((MESSAGES / ms) * 1000).toLocaleString('en-US').padStart(9)} msg/s  live memory at peak +${mib(peak)} MiB`);
}
