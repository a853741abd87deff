/**
 * A large history (by default 50 chats, 20,000 messages) from a simulated
 * phone to an unmodified Baileys 7 client, timed: seeding, and link to the
 * last RECENT chunk processed. Too slow for every run: it runs only with
 * WAD_SIM_HISTORY_BIG=1 (WAD_SIM_HISTORY_CHATS / _MESSAGES change the size,
 * WAD_SIM_HISTORY_TEXT_BYTES pads each text with random characters), and
 * prints what it measured.
 *
 *   WAD_SIM_HISTORY_BIG=1 npx vitest run test/e2e/sim-baileys-history-big.test.ts
 */
import { proto } from 'baileys';
import { describe, expect, it } from 'vitest';
import { startSim } from '../../src/sim/index.js';
import type { HistorySendRecord } from '../../src/sim/phone-history.js';
import { admin, BaileysClient } from '../sim/baileys-harness.js';

const CHATS = Number(process.env.WAD_SIM_HISTORY_CHATS ?? 50);
const MESSAGES = Number(process.env.WAD_SIM_HISTORY_MESSAGES ?? 20_000);
const TEXT_BYTES = Number(process.env.WAD_SIM_HISTORY_TEXT_BYTES ?? 0);
const PHONE = '15550202001';
const mib = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10;

describe.skipIf(process.env.WAD_SIM_HISTORY_BIG !== '1')(`a history of ${CHATS} chats and ${MESSAGES} messages`, () => {
  it('reaches a Baileys client whole', async () => {
    const sim = await startSim({ limits: { maxHistoryMessages: Math.max(200_000, MESSAGES) } });
    const client = new BaileysClient(sim, 'big', undefined, { history: true });
    try {
      await admin(sim, 'POST', '/phones', { phone: PHONE, name: 'Big' });
      const seedStart = performance.now();
      await admin(sim, 'POST', `/phones/${PHONE}/history`, { generate: { chats: CHATS, messages: MESSAGES, step: 10, textBytes: TEXT_BYTES } });
      const seedMs = performance.now() - seedStart;

      const linkStart = performance.now();
      await client.linkByQr(PHONE);
      const openMs = performance.now() - linkStart;
      const recentDone = () => client.historySets.some((s) => s.syncType === proto.HistorySync.HistorySyncType.RECENT && s.progress === 100);
      await client.waitFor(() => recentDone() && client.historySets.reduce((n, s) => n + s.messages.length, 0) >= MESSAGES, 'every message', 600_000);
      const syncMs = performance.now() - linkStart;

      const got = new Set(client.historySets.flatMap((s) => s.messages.map((m) => m.key.id)));
      expect(got.size).toBe(MESSAGES);
      expect(new Set(client.historySets.flatMap((s) => s.chats.map((c) => c.id))).size).toBe(CHATS);
      const sends = (await admin(sim, 'GET', `/phones/${PHONE}/history/sends`)) as HistorySendRecord[];
      console.log(
        JSON.stringify({
          chats: CHATS,
          messages: MESSAGES,
          textBytes: TEXT_BYTES,
          seedMs: Math.round(seedMs),
          linkToOpenMs: Math.round(openMs),
          linkToLastRecentChunkMs: Math.round(syncMs),
          notifications: sends.length,
          blobMiB: mib(sends.filter((s) => !s.inline).reduce((n, s) => n + s.bytes, 0)),
          chunks: sends.map((s) => `${s.syncType}#${s.chunkOrder}:${s.messages}`),
          rssMiB: mib(process.memoryUsage().rss),
        }),
      );
    } finally {
      client.kill();
      await sim.close();
    }
  }, 900_000);
});
