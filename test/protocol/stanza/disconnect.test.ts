// The disconnect decision table (seeds: whatsapp-rust's stream error table; field lesson 5).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { connectionLost, decideFailure, decideStreamError } from '../../../src/protocol/stanza/disconnect.js';

const se = (code?: string, child?: BinaryNode): BinaryNode => ({ tag: 'stream:error', attrs: code ? { code } : {}, ...(child ? { content: [child] } : {}) });

describe('decideStreamError', () => {
  it.each([
    ['515', 'reconnect', 0],
    ['503', 'backoff', 0],
    ['500', 'backoff', 0],
    ['429', 'backoff', 5],
    ['401', 'loggedOut', 0],
    ['516', 'loggedOut', 0],
    ['409', 'replaced', 0],
    ['440', 'replaced', 0],
    ['403', 'stop', 0],
    ['405', 'outdated', 0],
    ['999', 'backoff', 0],
    ['502', 'backoff', 0],
  ] as const)('code %s → %s', (code, action, boost) => {
    const d = decideStreamError(se(code));
    expect(d.action).toBe(action);
    expect(d.code).toBe(Number(code));
    expect(d.backoffBoost).toBe(boost);
  });

  it('conflict replaced without a code is 409, replaced', () => {
    expect(decideStreamError(se(undefined, { tag: 'conflict', attrs: { type: 'replaced' } }))).toMatchObject({ code: 409, action: 'replaced' });
  });

  it('conflict device_removed is a logout, whatever the code', () => {
    expect(decideStreamError(se('401', { tag: 'conflict', attrs: { type: 'device_removed' } }))).toMatchObject({ code: 401, action: 'loggedOut' });
    expect(decideStreamError(se(undefined, { tag: 'conflict', attrs: { type: 'device_removed' } }))).toMatchObject({ action: 'loggedOut' });
  });

  it('an error without a code (a rejected ack, nothing at all) backs off: it does not stop the account for good', () => {
    const d = decideStreamError(se(undefined, { tag: 'ack', attrs: { id: 'x' } }));
    expect(d).toMatchObject({ code: undefined, action: 'backoff' });
    expect(d.reason).toContain('ack');
    expect(decideStreamError(se())).toMatchObject({ code: undefined, action: 'backoff', reason: 'stream-error' });
  });

  it('ignores codes that are not numbers', () => {
    expect(decideStreamError(se('5x5')).action).toBe('backoff');
  });

  it('only logouts, conflicts and bans end the account, a too-old client fetches the published build; any other code is retried', () => {
    const ending = new Set([401, 403, 409, 440, 516]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.option(fc.constantFrom('conflict', 'ack', 'xml-not-well-formed', 'system-shutdown')), (code, child) => {
        const d = decideStreamError(se(String(code), child ? { tag: child, attrs: {} } : undefined));
        const ends = d.action === 'stop' || d.action === 'loggedOut' || d.action === 'replaced';
        expect(ends).toBe(ending.has(code));
        expect(d.action === 'outdated').toBe(code === 405);
      }),
    );
  });
});

describe('decideFailure / connectionLost', () => {
  it('login failure 401 is a logout, 503 a backoff', () => {
    expect(decideFailure({ tag: 'failure', attrs: { reason: '401' } }).action).toBe('loggedOut');
    expect(decideFailure({ tag: 'failure', attrs: { reason: '503' } }).action).toBe('backoff');
    expect(decideFailure({ tag: 'failure', attrs: {} }).action).toBe('backoff');
  });

  it('a lost connection backs off as 428', () => {
    expect(connectionLost('socket closed')).toMatchObject({ code: 428, action: 'backoff', backoffBoost: 0 });
  });
});
