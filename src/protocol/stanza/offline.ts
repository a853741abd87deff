/**
 * The offline queue's stanzas (the `<ib>` family): the server's preview of
 * what waits and its end marker, and the client's request for the next batch.
 */
import type { BinaryNode } from '../binary/index.js';
import { childNode, node } from '../iq/nodes.js';

/** `<ib><offline_batch count="N"/></ib>`: send me at most N more queued stanzas. */
export function offlineBatchRequest(count: number): BinaryNode {
  return node('ib', {}, [node('offline_batch', { count: String(count) })]);
}

/** The `count` of `<offline_preview>` / `<offline>`; undefined when missing or not a number. */
export function offlineCount(n: BinaryNode): number | undefined {
  const raw = n.attrs.count;
  return raw !== undefined && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : undefined;
}

/** The count the client asked for in `<ib><offline_batch count/></ib>`; undefined for any other `<ib>`. */
export function offlineBatchCount(ib: BinaryNode): number | undefined {
  const req = ib.tag === 'ib' ? childNode(ib, 'offline_batch') : undefined;
  return req ? offlineCount(req) : undefined;
}
