// What a shared PostgreSQL store announces of a batch, and which keys are
// subscriber cursors: built from the real key layout (families/events.ts),
// with batches fast-check makes up.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCursorKey, noticesOf, parseNotice } from '../../src/store/backend/pg-events.js';
import type { BatchOp } from '../../src/store/backend/types.js';
import { EVENT_SEQ, cursorKey, eventKey } from '../../src/store/families/events.js';
import { accountPrefix, key, u64, utf8 } from '../../src/store/keys.js';

const put = (k: Uint8Array): BatchOp => ({ type: 'put', key: k, value: u64(1) });

describe('store notices', () => {
  it('announce, per account, the first and last seq a batch appends, parsed back as sent', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('acc1', 'b.2', 'c_3'), fc.integer({ min: 1, max: 2 ** 40 })), { minLength: 1, maxLength: 30 }), (appends) => {
        const ops: BatchOp[] = appends.map(([a, seq]) => put(eventKey(accountPrefix(a), seq)));
        // Other records of the batch say nothing: the seq counter, a cursor, creds, the registry.
        ops.push(put(key(accountPrefix('acc1'), EVENT_SEQ)), put(cursorKey(accountPrefix('acc1'), 'crm')), put(key(accountPrefix('acc1'), 'creds')), put(utf8('accounts/acc1')));
        const notices = noticesOf(ops, 'd1').map(parseNotice);
        const expected = [...new Set(appends.map(([a]) => a))].map((a) => {
          const seqs = appends.filter(([x]) => x === a).map(([, s]) => s);
          return { kind: 'events', owner: 'd1', account: a, first: Math.min(...seqs), last: Math.max(...seqs) };
        });
        expect(notices).toEqual(expected);
      }),
    );
  });

  it('announce webhook changes; deleted events, cursors and seqs alone say nothing', () => {
    expect(noticesOf([{ type: 'del', key: utf8('webhooks/w1') }], null).map(parseNotice)).toEqual([{ kind: 'webhooks' }]);
    expect(noticesOf([{ type: 'del', key: eventKey(accountPrefix('acc1'), 3) }, put(key(accountPrefix('acc1'), EVENT_SEQ)), put(cursorKey(accountPrefix('acc1'), 'x'))], 'd1')).toEqual([]);
    expect(noticesOf([put(eventKey(accountPrefix('acc1'), 7))], null).map(parseNotice)).toEqual([{ kind: 'events', owner: null, account: 'acc1', first: 7, last: 7 }]);
  });

  it('parse only well-formed notices', () => {
    for (const bad of ['', 'x', '[]', '{}', '{"a":"acc1","f":2,"l":1}', '{"a":"acc1","f":0,"l":1}', '{"a":"../x","f":1,"l":1}', '{"a":"acc1","f":1.5,"l":2}', '{"a":1,"f":1,"l":1}']) {
      expect(parseNotice(bad), bad).toBeUndefined();
    }
  });

  it('tell subscriber cursors from every other key', () => {
    const ns = accountPrefix('acc1');
    expect(isCursorKey(cursorKey(ns, 'crm'))).toBe(true);
    expect(isCursorKey(cursorKey(ns, 'webhook:abc'))).toBe(true);
    for (const k of [eventKey(ns, 0x2f2f), key(ns, EVENT_SEQ), key(ns, 'creds'), utf8('evc/acc1'), utf8('accounts/acc1'), utf8('webhooks/w1'), key(ns, 'evcx', 'crm')]) expect(isCursorKey(k)).toBe(false);
  });
});
