/**
 * The keepalive decision (seeds: WhatsApp Web's, as whatsapp-rust mirrors
 * it), taken at each tick (every 15–30 s at random):
 *
 * 1. skip   — data arrived within the minimum interval: the link is proven alive.
 * 2. IQs are pending: they test the link already, so no ping; but if we
 *    sent something DEAD_SOCKET_TIME ago and heard nothing since → dead.
 * 3. ping   — otherwise send `<iq xmlns="w:p"><ping/></iq>`. Sending first
 *    and checking after (when the ping fails) keeps an idle but healthy
 *    link from looking dead: our last send may be an ack, which the server
 *    never answers.
 * dead: reconnect at once.
 *
 * Pure: times come in as arguments.
 */
export type KeepaliveAction = 'dead' | 'skip' | 'ping';

export interface KeepaliveInput {
  readonly now: number;
  /** Unix ms of the last frame received / sent on this link (0: none). */
  readonly lastReceived: number;
  readonly lastSent: number;
  readonly pendingIqs: number;
  /** Data this recent proves the link alive (the minimum keepalive interval, 15 s). */
  readonly minIntervalMs: number;
  /** Silence after a send that declares the socket dead (20 s). */
  readonly deadSocketMs: number;
}

/** True when a send went unanswered for deadSocketMs (not armed before anything was sent). */
export function isDeadSocket(i: Pick<KeepaliveInput, 'now' | 'lastReceived' | 'lastSent' | 'deadSocketMs'>): boolean {
  return i.lastSent > 0 && i.lastSent > i.lastReceived && i.now - i.lastSent >= i.deadSocketMs;
}

export function decideKeepalive(i: KeepaliveInput): KeepaliveAction {
  if (i.now - i.lastReceived < i.minIntervalMs) return 'skip';
  if (i.pendingIqs > 0) return isDeadSocket(i) ? 'dead' : 'skip';
  return 'ping';
}

/** The next tick in [interval − jitter, interval + jitter) (WA Web: 15 · (1 + random()) s). */
export function keepaliveDelay(intervalMs: number, jitterMs: number, random: number): number {
  return Math.round(intervalMs - jitterMs + 2 * jitterMs * random);
}
