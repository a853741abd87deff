// The offline queue's <ib> stanzas: our batch request is byte-for-byte the one
// Baileys sends after a preview (its encoder as the oracle), and the counts
// of the server's preview / end marker and of a client's request read back.
import { describe, expect, it } from 'vitest';
import { encodeNode } from '../../../src/protocol/binary/index.js';
import { offlineBatchCount, offlineBatchRequest, offlineCount } from '../../../src/protocol/stanza/offline.js';
import { baileysEncode, hex } from '../binary/support.js';

describe('offline stanzas', () => {
  it('the batch request encodes exactly as Baileys encodes its own', () => {
    const baileys = { tag: 'ib', attrs: {}, content: [{ tag: 'offline_batch', attrs: { count: '100' } }] };
    expect(hex(encodeNode(offlineBatchRequest(100)))).toBe(hex(baileysEncode(baileys)));
    expect(offlineBatchCount(offlineBatchRequest(200))).toBe(200);
  });

  it('reads counts, and nothing from what is not a count or not a batch request', () => {
    expect(offlineCount({ tag: 'offline_preview', attrs: { count: '5000', message: '4990' } })).toBe(5000);
    expect(offlineCount({ tag: 'offline', attrs: { count: '0' } })).toBe(0);
    for (const count of [undefined, '', '-1', '1e3', '12345678901']) expect(offlineCount({ tag: 'offline', attrs: count === undefined ? {} : { count } })).toBeUndefined();
    expect(offlineBatchCount({ tag: 'ib', attrs: {}, content: [{ tag: 'edge_routing', attrs: {} }] })).toBeUndefined();
    expect(offlineBatchCount({ tag: 'iq', attrs: {}, content: [{ tag: 'offline_batch', attrs: { count: '1' } }] })).toBeUndefined();
  });
});
