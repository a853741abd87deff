// A history chunk's memory does not grow with its message count: one chunk of
// 8,000 messages (a simulated phone sends ~19,000 in one) is stored by the real
// HistorySync in a child process whose V8 heap is capped well below what the
// chunk's messages take decoded all at once (~4–5 KiB each), and the heap used
// after a full collection stays within a bound while it works. Half the chats
// are LID chats whose phone numbers come only in the chunk's mapping list,
// after every conversation: their messages must still land under the number.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildHistoryChunks, compressHistory, webMessageInfo, type HistoryChatInput } from '../../src/protocol/history/index.js';

const CHATS = 20;
const PER_CHAT = 400;
const ME = '15550178000@s.whatsapp.net';
const CHILD = fileURLToPath(new URL('./support/history-memory-child.ts', import.meta.url));
const MIB = 1024 * 1024;

function chunk(): { compressed: Uint8Array; expected: Record<string, number> } {
  const chats: HistoryChatInput[] = [];
  const mappings: Array<{ lid: string; pn: string }> = [];
  const expected: Record<string, number> = {};
  for (let c = 0; c < CHATS; c++) {
    const pn = `1555017${String(1000 + c)}@s.whatsapp.net`;
    const lid = `${90000000 + c}@lid`;
    const jid = c % 2 === 0 ? pn : lid;
    if (jid === lid) mappings.push({ lid, pn });
    const messages = [];
    for (let i = PER_CHAT - 1; i >= 0; i--) {
      const text = `message ${i} of chat ${c}: ${'history '.repeat(12)}`;
      messages.push(webMessageInfo({ id: `H${c}X${i}`, chat: jid, fromMe: i % 3 === 0, t: 1_700_000_000 + c * PER_CHAT + i, message: { conversation: text } }));
    }
    chats.push({ jid, unreadCount: 0, lastMessageAt: 1_700_000_000 + (c + 1) * PER_CHAT, messages });
    expected[pn] = PER_CHAT;
  }
  const [only, ...rest] = buildHistoryChunks({ syncType: 'RECENT', chats, mappings }, { maxChunkBytes: 256 * MIB });
  expect(rest).toHaveLength(0);
  expect(only!.messages).toBe(CHATS * PER_CHAT);
  return { compressed: compressHistory(only!.bytes), expected };
}

describe('history chunk memory', () => {
  it('stores a 8,000-message chunk under a 32 MiB heap, the live heap bounded, LID chats under their numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wad-history-memory-'));
    try {
      const { compressed, expected } = chunk();
      const blob = join(dir, 'chunk.z');
      writeFileSync(blob, compressed);
      const run = spawnSync(process.execPath, ['--max-old-space-size=32', '--expose-gc', '--import', 'tsx', CHILD, blob, join(dir, 'db'), ME, Object.keys(expected).join(',')], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.stderr.slice(-2000)).not.toMatch(/heap out of memory/);
      expect(run.status).toBe(0);
      const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { baseline: number; peak: number; chunks: number; messages: number; stored: Record<string, number> };
      expect(out.chunks).toBe(1);
      expect(out.messages).toBe(CHATS * PER_CHAT);
      expect(out.stored).toEqual(expected);
      // Decoded whole, the chunk's messages alone would be ~35 MiB live.
      expect((out.peak - out.baseline) / MIB).toBeLessThan(12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
