// What accounts throw reaches the control socket as the contract's codes (CONTRACTS.md §3),
// with the exact cause kept in details.
import { describe, expect, it } from 'vitest';
import { MessagingError } from '../../src/account/messaging/errors.js';
import { DaemonError } from '../../src/contract/errors.js';
import { toDaemonError } from '../../src/daemon/error-map.js';

describe('toDaemonError', () => {
  it('maps messaging failures to what the caller can do about them', () => {
    const cases: Array<[ConstructorParameters<typeof MessagingError>[0], string]> = [
      ['NOT_FOUND', 'NOT_FOUND'],
      ['NOT_MEMBER', 'NOT_MEMBER'],
      ['BAD_JID', 'INVALID_PAYLOAD'],
      ['BAD_CONTENT', 'INVALID_PAYLOAD'],
      ['NOT_READY', 'UNAVAILABLE'],
      ['ACK_TIMEOUT', 'UNAVAILABLE'],
      ['RATE_LIMITED', 'RATE_LIMITED'],
      ['KEY_REUSED', 'INVALID_PAYLOAD'],
    ];
    for (const [from, to] of cases) {
      const err = toDaemonError(new MessagingError(from, 'x'));
      expect(err.code).toBe(to);
      expect(err.details).toMatchObject({ messaging: from });
    }
  });

  it('keeps the server code of a rejected send (463: no privacy token) and never reports success', () => {
    const err = toDaemonError(new MessagingError('SERVER_REJECTED', 'ack error 463', { serverCode: 463 }));
    expect(err).toBeInstanceOf(DaemonError);
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.details).toEqual({ messaging: 'SERVER_REJECTED', serverCode: 463 });
  });

  it('an ack that did not come says the message may have been delivered, and which', () => {
    const err = toDaemonError(new MessagingError('ACK_TIMEOUT', 'no ack', { messageId: '3EB0AA', mayHaveBeenDelivered: true }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.details).toEqual({ messaging: 'ACK_TIMEOUT', messageId: '3EB0AA', mayHaveBeenDelivered: true });
  });

  it("reports the server's 429 as RATE_LIMITED, keeping its code", () => {
    const err = toDaemonError(new MessagingError('SERVER_REJECTED', 'ack error 429', { serverCode: 429 }));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.details).toEqual({ messaging: 'SERVER_REJECTED', serverCode: 429 });
  });

  it('passes DaemonErrors through and turns anything else into INTERNAL_ERROR', () => {
    const own = new DaemonError('NOT_FOUND', 'no such account');
    expect(toDaemonError(own)).toBe(own);
    expect(toDaemonError(new Error('boom')).code).toBe('INTERNAL_ERROR');
  });
});
