/**
 * xmlns="urn:xmpp:whatsapp:dirty": the server's "something you keep changed
 * while you were away" bits and the client's answer once it caught up.
 *
 *   server: <ib><dirty type="account_sync|groups|syncd_app_state|…" timestamp/></ib>
 *   client: set <clean type [timestamp]/> → result (the bit is cleared for the user)
 *
 * The clean names the timestamp of the bit it answers, so a bit set again
 * later (a newer timestamp) is not cleared by an answer to the older one.
 */
import type { BinaryNode } from '../binary/index.js';
import { childrenByTag, node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export const DIRTY_XMLNS = 'urn:xmpp:whatsapp:dirty';

export interface DirtyBit {
  readonly type: string;
  /** Unix seconds the bit was set, as the server wrote it; undefined when absent or not a number. */
  readonly timestamp: number | undefined;
}

/** The dirty bits an `<ib>` carries (none for any other stanza). */
export function dirtyBits(ib: BinaryNode): DirtyBit[] {
  if (ib.tag !== 'ib') return [];
  return childrenByTag(ib, 'dirty').flatMap((d) => {
    const type = d.attrs.type;
    if (!type) return [];
    const raw = d.attrs.timestamp;
    return [{ type, timestamp: raw !== undefined && /^[0-9]{1,12}$/.test(raw) ? Number(raw) : undefined }];
  });
}

/** Tells the server we caught up with what a bit flagged. */
export function cleanDirtyBit(bit: DirtyBit): IqSpec<void> {
  return {
    build: () => iq(DIRTY_XMLNS, 'set', [node('clean', bit.timestamp === undefined ? { type: bit.type } : { type: bit.type, timestamp: String(bit.timestamp) })]),
    parse: () => undefined,
  };
}
