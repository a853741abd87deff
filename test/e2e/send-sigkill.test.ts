// A client that resends under its idempotency key after every lost socket,
// while the daemon is killed with SIGKILL at random moments (4 times here;
// scripts/crash/send-sigkill.ts runs 50+): every answered payload reaches
// the simulated phone once, under the id the client was given, and no
// payload arrives under two ids.
import { describe, expect, it } from 'vitest';
import { runSendCycles } from '../../scripts/crash/send-cycles.js';

describe('sends under SIGKILL', () => {
  it('4 kills: 0 lost, 0 duplicated by id or by payload', async () => {
    const seed = Date.now() >>> 0;
    const r = await runSendCycles({ cycles: 4, seed });
    expect(r.failures, `seed ${seed}`).toEqual([]);
    expect(r.answered, `seed ${seed}`).toBeGreaterThan(0);
    expect({ lost: r.lost, duplicatedById: r.duplicatedById, duplicatedByPayload: r.duplicatedByPayload, mismatched: r.mismatched }, `seed ${seed}`).toEqual({
      lost: [],
      duplicatedById: [],
      duplicatedByPayload: [],
      mismatched: [],
    });
  }, 120_000);
});
