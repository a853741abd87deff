// Differential conversations: our sessions against libsignal-node 6.0.0, both
// starting directions, over random schedules of sends, reordered deliveries,
// drops, duplicates and store round trips of our record. Every delivered
// message must decrypt to what was sent; every duplicate must fail on both
// implementations and, on ours, with a typed error that leaves the record as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignalError, type MessageType, type SessionRecord } from '../../../src/protocol/signal/index.js';
import { parsePreKeyMessage, parseWhisperMessage } from '../../../src/protocol/signal/wire.js';
import { bytesEqual } from '../../../src/protocol/crypto/hash.js';
import { LibPeer, OurPeer, type Peer } from './support.js';

type Command =
  | { readonly k: 'send'; readonly from: 0 | 1 }
  | { readonly k: 'deliver'; readonly dir: 0 | 1; readonly pick: number }
  | { readonly k: 'drop'; readonly dir: 0 | 1; readonly pick: number }
  | { readonly k: 'dup'; readonly dir: 0 | 1; readonly pick: number }
  | { readonly k: 'restore' };

interface InFlight {
  readonly type: MessageType;
  readonly ciphertext: Uint8Array;
  readonly text: string;
  overtaken: number;
}

/** A message may be overtaken this often, so it never falls more than a few ratchet steps behind. */
const MAX_OVERTAKEN = 3;
const WINDOW = 4;

const side = fc.constantFrom<0 | 1>(0, 1);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant('send' as const), from: side }) },
  { weight: 10, arbitrary: fc.record({ k: fc.constant('deliver' as const), dir: side, pick: fc.nat(WINDOW - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('drop' as const), dir: side, pick: fc.nat(WINDOW - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('dup' as const), dir: side, pick: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'restore' as const }) },
);

/** Whether `record` still holds the receiving chain of this message (else a replay reads as a bad MAC). */
function chainKnown(record: SessionRecord | undefined, m: InFlight): boolean {
  const msg = m.type === 'pkmsg' ? parsePreKeyMessage(m.ciphertext).message : parseWhisperMessage(m.ciphertext);
  const states = record ? [record.current, ...record.previous] : [];
  return states.some((s) => s?.receiving.some((c) => bytesEqual(c.ratchetKey, msg.ratchetKey)));
}

interface Stats {
  sent: number;
  delivered: number;
  reordered: number;
  dropped: number;
  duplicates: number;
  restores: number;
}

async function converse(peers: [Peer, Peer], commands: readonly Command[]): Promise<Stats> {
  const [a, b] = peers;
  await a.startSession(b.bundle(true));
  const canSend = [true, false];
  const queues: InFlight[][] = [[], []];
  const delivered: InFlight[][] = [[], []];
  const stats: Stats = { sent: 0, delivered: 0, reordered: 0, dropped: 0, duplicates: 0, restores: 0 };

  const deliver = async (dir: 0 | 1, index: number) => {
    const queue = queues[dir]!;
    const [m] = queue.splice(index, 1) as [InFlight];
    for (let i = 0; i < index; i++) queue[i]!.overtaken++;
    const receiver = peers[1 - dir]!;
    const plaintext = await receiver.decrypt(m.type, m.ciphertext);
    expect(new TextDecoder().decode(plaintext)).toBe(m.text);
    delivered[dir]!.push(m);
    canSend[1 - dir] = true;
    stats.delivered++;
    if (index > 0) stats.reordered++;
  };
  const pickIndex = (queue: InFlight[], pick: number) => {
    const late = queue.findIndex((m) => m.overtaken >= MAX_OVERTAKEN);
    return late >= 0 ? late : Math.min(pick, queue.length - 1);
  };

  for (const c of commands) {
    if (c.k === 'send') {
      if (!canSend[c.from]) continue;
      const text = `${peers[c.from]!.name}#${stats.sent++} ${'x'.repeat(stats.sent % 37)}`;
      const { type, ciphertext } = await peers[c.from]!.encrypt(new TextEncoder().encode(text));
      queues[c.from]!.push({ type, ciphertext, text, overtaken: 0 });
    } else if (c.k === 'deliver' || c.k === 'drop') {
      const queue = queues[c.dir]!;
      if (queue.length === 0) continue;
      const index = pickIndex(queue, c.pick);
      if (c.k === 'deliver') await deliver(c.dir, index);
      else {
        queue.splice(index, 1);
        stats.dropped++;
      }
    } else if (c.k === 'dup') {
      const done = delivered[c.dir]!;
      if (done.length === 0) continue;
      const m = done[done.length - 1 - (c.pick % done.length)]!;
      const receiver = peers[1 - c.dir]!;
      stats.duplicates++;
      if (receiver instanceof OurPeer) {
        const before = receiver.snapshot();
        const expected = chainKnown(receiver.record, m) ? 'DUPLICATE_MESSAGE' : 'BAD_MAC';
        const error = await receiver.decrypt(m.type, m.ciphertext).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SignalError);
        expect((error as SignalError).code).toBe(expected);
        expect(receiver.snapshot()).toBe(before);
      } else {
        await expect(receiver.decrypt(m.type, m.ciphertext)).rejects.toThrow();
      }
    } else {
      for (const p of peers) if (p instanceof OurPeer) p.restore();
      stats.restores++;
    }
  }
  // Whatever is still in flight arrives, in order.
  for (const dir of [0, 1] as const) while (queues[dir]!.length > 0) await deliver(dir, 0);
  return stats;
}

const schedule = fc.array(command, { minLength: 560, maxLength: 640 });

describe('1:1 conversations against libsignal-node', () => {
  const silent = () => {};
  beforeAll(() => {
    // libsignal logs every closed session and every failed attempt.
    vi.spyOn(console, 'info').mockImplementation(silent);
    vi.spyOn(console, 'warn').mockImplementation(silent);
    vi.spyOn(console, 'error').mockImplementation(silent);
  });
  afterAll(() => vi.restoreAllMocks());

  const cases: Array<[string, () => [Peer, Peer]]> = [
    ['we start from libsignal’s bundle', () => [new OurPeer(), new LibPeer()]],
    ['libsignal starts from our bundle', () => [new LibPeer(), new OurPeer()]],
    ['both sides ours', () => [new OurPeer('a'), new OurPeer('b')]],
  ];
  for (const [name, make] of cases) {
    it(`${name}: random schedules with reordering, drops, duplicates and restores`, async () => {
      const total: Stats = { sent: 0, delivered: 0, reordered: 0, dropped: 0, duplicates: 0, restores: 0 };
      await fc.assert(
        fc.asyncProperty(schedule, async (commands) => {
          const stats = await converse(make(), commands);
          expect(stats.sent).toBeGreaterThanOrEqual(200);
          for (const k of Object.keys(total) as Array<keyof Stats>) total[k] += stats[k];
        }),
        { numRuns: 3, endOnFailure: true },
      );
      // The schedules really did reorder, drop, replay and restore.
      expect(total.sent).toBeGreaterThanOrEqual(600);
      for (const k of ['reordered', 'dropped', 'duplicates', 'restores'] as const) expect(total[k]).toBeGreaterThan(10);
    });
  }

  it('a long strictly alternating chat keeps every record bounded (libsignal’s grows)', async () => {
    const ours = new OurPeer();
    const lib = new LibPeer();
    await ours.startSession(lib.bundle(true));
    for (let i = 0; i < 60; i++) {
      const m1 = await ours.encrypt(new TextEncoder().encode(`q${i}`));
      await lib.decrypt(m1.type, m1.ciphertext);
      const m2 = await lib.encrypt(new TextEncoder().encode(`a${i}`));
      expect(new TextDecoder().decode(await ours.decrypt(m2.type, m2.ciphertext))).toBe(`a${i}`);
    }
    expect(ours.record!.current!.receiving.length).toBeLessThanOrEqual(5);
    const libChains = Object.values(lib.storedRecord()._sessions).map((session) => Object.keys(session._chains).length);
    expect(libChains[0]).toBeGreaterThan(50);
  });
});
