/**
 * `<ib><unified_session id/></ib>`: the telemetry session marker WhatsApp's
 * clients send after pairing, at login and whenever they say `available`.
 * The id is the server's clock, moved three days on, in milliseconds modulo
 * one week: every client of the same moment sends the same number, so it
 * must come from the server's time, not the local clock.
 */
import type { BinaryNode } from '../binary/index.js';
import { node } from '../iq/nodes.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;
const OFFSET_MS = 3 * DAY_MS;

/** The id for the server's time `serverNowMs` (local time plus the server's offset). */
export function unifiedSessionId(serverNowMs: number): string {
  const id = (Math.floor(serverNowMs) + OFFSET_MS) % WEEK_MS;
  return String(id < 0 ? id + WEEK_MS : id);
}

export function unifiedSessionStanza(serverNowMs: number): BinaryNode {
  return node('ib', {}, [node('unified_session', { id: unifiedSessionId(serverNowMs) })]);
}

/**
 * How far the server's clock is ahead of ours (ms), from the `t` (unix
 * seconds) of its `<success>` or `pair-success`; undefined when `t` is
 * missing or not a positive number (then the last offset stays).
 */
export function serverClockOffset(t: string | undefined, localNowMs: number): number | undefined {
  if (t === undefined || !/^[0-9]{1,12}$/.test(t)) return undefined;
  const seconds = Number(t);
  return seconds > 0 ? seconds * 1000 - localNowMs : undefined;
}
