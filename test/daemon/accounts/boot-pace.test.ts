// The boot's pace: starts wait while the loop's turns are long, but never below the minimum under way,
// and never once the boot is over. Turn lengths are scripted, so nothing here depends on the machine's speed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BootPace } from '../../../src/daemon/accounts/boot-pace.js';

/** A pace whose turns take the lengths in `turns`, one per measurement (then 0 ms); counts the measurements. */
function scripted(turns: number[], opts = { turnMs: 15, minInFlight: 2 }) {
  let measured = 0;
  const pace = new BootPace({
    ...opts,
    measureTurn: async () => {
      measured++;
      return turns.shift() ?? 0;
    },
  });
  return { pace, measured: () => measured };
}

/** Holds `n` starts under way until the returned release is called. */
function underWay(pace: BootPace, n: number): () => Promise<void> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const runs = Array.from({ length: n }, () => pace.run(() => gate));
  return async () => {
    release();
    await Promise.all(runs);
  };
}

describe('boot pace', () => {
  it('waits out long turns once enough starts are under way, and goes ahead at the first short one', async () => {
    const { pace, measured } = scripted([40, 90, 16, 15, 200]);
    const release = underWay(pace, 2);
    expect(pace.inFlight).toBe(2);
    await pace.turn(() => false);
    // 40, 90 and 16 are over 15 ms: held; 15 is not.
    expect(measured()).toBe(4);
    await release();
    expect(pace.inFlight).toBe(0);
  });

  it('never holds a start while fewer than the minimum are under way, however long the turns', async () => {
    const { pace, measured } = scripted([500, 500, 500]);
    const release = underWay(pace, 1);
    await pace.turn(() => false);
    expect(measured()).toBe(1);
    await release();
  });

  it('stops waiting once the boot is over', async () => {
    const { pace, measured } = scripted(Array.from({ length: 10 }, () => 100));
    const release = underWay(pace, 3);
    // The boot ends during the third long turn: that turn is the last one waited.
    await pace.turn(() => measured() >= 3);
    expect(measured()).toBe(3);
    await release();
  });

  it('counts a start under way until it settles, also when it throws', async () => {
    const { pace } = scripted([]);
    await expect(pace.run(async () => Promise.reject(new Error('no start')))).rejects.toThrow('no start');
    expect(pace.inFlight).toBe(0);
  });

  it('goes ahead after exactly the turns up to the first short one (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 20 }), fc.integer({ min: 0, max: 4 }), async (turns, inFlight) => {
        const firstShort = turns.findIndex((t) => t <= 15);
        const { pace, measured } = scripted([...turns], { turnMs: 15, minInFlight: 2 });
        const release = underWay(pace, inFlight);
        await pace.turn(() => false);
        // Past the script every turn measures 0 ms (short).
        expect(measured()).toBe(inFlight < 2 ? 1 : firstShort >= 0 ? firstShort + 1 : turns.length + 1);
        await release();
      }),
      { numRuns: 100 },
    );
  });
});
