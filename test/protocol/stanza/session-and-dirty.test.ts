// Small login-time shapes: the unified_session id (the server's clock moved
// three days on, modulo a week, as Baileys and whatsmeow compute it), the
// server clock offset it is read with, dirty bits and their clean IQ, and
// the key bundle digest's hash (a vector computed with Python's hashlib).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { cleanDirtyBit, dirtyBits } from '../../../src/protocol/iq/dirty.js';
import { keyBundleHash } from '../../../src/protocol/iq/prekeys.js';
import { serverClockOffset, unifiedSessionId, unifiedSessionStanza } from '../../../src/protocol/stanza/unified-session.js';

const WEEK = 7 * 24 * 3600 * 1000;

describe('unified_session', () => {
  it('is the server time plus three days, modulo one week', () => {
    expect(unifiedSessionId(1_700_000_000_000)).toBe('166400000');
    expect(unifiedSessionId(0)).toBe('259200000');
    expect(unifiedSessionStanza(0)).toEqual({ tag: 'ib', attrs: {}, content: [{ tag: 'unified_session', attrs: { id: '259200000' } }] });
  });

  it('stays in one week and repeats every week', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (t) => {
        const id = Number(unifiedSessionId(t));
        expect(id).toBeGreaterThanOrEqual(0);
        expect(id).toBeLessThan(WEEK);
        expect(unifiedSessionId(t + WEEK)).toBe(String(id));
        expect(Number(unifiedSessionId(t + 1))).toBe((id + 1) % WEEK);
      }),
    );
  });

  it('reads the server clock offset from t (unix seconds), ignoring what is not a time', () => {
    expect(serverClockOffset('1700000000', 1_700_000_000_000 - 2500)).toBe(2500);
    expect(serverClockOffset('1700000000', 1_700_000_060_000)).toBe(-60_000);
    for (const bad of [undefined, '', '0', '-5', '12x', '1e9']) expect(serverClockOffset(bad, 1)).toBeUndefined();
  });
});

describe('dirty bits', () => {
  it('reads each bit of an <ib> and cleans it with its own timestamp', () => {
    const ib: BinaryNode = {
      tag: 'ib',
      attrs: { from: 's.whatsapp.net' },
      content: [
        { tag: 'dirty', attrs: { type: 'groups', timestamp: '1700000000' } },
        { tag: 'dirty', attrs: { type: 'account_sync' } },
        { tag: 'dirty', attrs: { type: 'account_sync', timestamp: 'soon' } },
        { tag: 'dirty', attrs: {} },
        { tag: 'offline', attrs: { count: '0' } },
      ],
    };
    const bits = dirtyBits(ib);
    expect(bits).toEqual([
      { type: 'groups', timestamp: 1_700_000_000 },
      { type: 'account_sync', timestamp: undefined },
      { type: 'account_sync', timestamp: undefined },
    ]);
    expect(cleanDirtyBit(bits[0]!).build()).toEqual({
      tag: 'iq',
      attrs: { to: '@s.whatsapp.net', type: 'set', xmlns: 'urn:xmpp:whatsapp:dirty' },
      content: [{ tag: 'clean', attrs: { type: 'groups', timestamp: '1700000000' } }],
    });
    expect(cleanDirtyBit(bits[1]!).build().content).toEqual([{ tag: 'clean', attrs: { type: 'account_sync' } }]);
    expect(dirtyBits({ ...ib, tag: 'message' })).toEqual([]);
  });
});

describe('key bundle digest hash', () => {
  it('is SHA-1 over identity, signed prekey, signature and each prekey, in order', () => {
    const fill = (b: number, n: number) => new Uint8Array(n).fill(b);
    const hash = keyBundleHash(fill(1, 32), fill(2, 32), fill(3, 64), [fill(4, 32), fill(5, 32)]);
    expect(Buffer.from(hash).toString('hex')).toBe('f7c25cd5011ec11b3f3cf3952cd17989410687a5');
    expect(Buffer.from(keyBundleHash(fill(1, 32), fill(2, 32), fill(3, 64), [fill(5, 32), fill(4, 32)])).toString('hex')).not.toBe('f7c25cd5011ec11b3f3cf3952cd17989410687a5');
  });
});
