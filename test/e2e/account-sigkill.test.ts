// Must-show (issue 6), small: SIGKILL of the daemon at random moments
// (starting, pairing by QR or code, online), 5 cycles. The store always
// opens, linked accounts come back online without re-linking, unlinked ones
// are never online. scripts/crash/account-sigkill.ts runs 50+ cycles.
import { describe, expect, it } from 'vitest';
import { runAccountCycles } from '../../scripts/crash/account-cycles.js';

describe('daemon under SIGKILL', () => {
  it('5 kills at random moments: no corrupt store, no re-link', async () => {
    const seed = Date.now() >>> 0;
    const r = await runAccountCycles({ cycles: 5, seed });
    expect(r.failures, `seed ${seed}`).toEqual([]);
    expect(Object.values(r.kills).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
