// The disconnect decision table (seeds: whatsapp-rust's stream error table; field lesson 5).
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
    ['999', 'stop', 0],
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

  it('an unknown error (a rejected ack) stops instead of looping', () => {
    const d = decideStreamError(se(undefined, { tag: 'ack', attrs: { id: 'x' } }));
    expect(d).toMatchObject({ code: undefined, action: 'stop' });
    expect(d.reason).toContain('ack');
  });

  it('ignores codes that are not numbers', () => {
    expect(decideStreamError(se('5x5')).action).toBe('stop');
  });
});

describe('decideFailure / connectionLost', () => {
  it('login failure 401 is a logout, 503 a backoff', () => {
    expect(decideFailure({ tag: 'failure', attrs: { reason: '401' } }).action).toBe('loggedOut');
    expect(decideFailure({ tag: 'failure', attrs: { reason: '503' } }).action).toBe('backoff');
    expect(decideFailure({ tag: 'failure', attrs: {} }).action).toBe('stop');
  });

  it('a lost connection backs off as 428', () => {
    expect(connectionLost('socket closed')).toMatchObject({ code: 428, action: 'backoff', backoffBoost: 0 });
  });
});
