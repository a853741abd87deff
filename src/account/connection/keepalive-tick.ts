/**
 * One keepalive tick on the current link, as keepalive.ts decides it: a
 * stalled offline window is ended first; then nothing, a ping, or the link
 * declared dead. A ping that fails declares it dead only if the silence
 * after our last send says so (the ping may have failed with the link).
 *
 * Owns the tick's I/O; the decision is keepalive.ts's, pure.
 */
import { ping } from '../../protocol/iq/ping.js';
import { decideKeepalive, isDeadSocket } from './keepalive.js';
import type { ConnectionEvent } from './machine.js';
import type { OfflineWindow } from './offline-window.js';
import type { ConnectionSettings } from './settings.js';
import type { Wire } from './wire.js';

export interface KeepaliveParts {
  readonly wire: Wire;
  readonly offline: OfflineWindow;
  readonly settings: ConnectionSettings;
  readonly now: () => number;
  signal(event: ConnectionEvent): void;
  /** Ends the offline window (`why` is logged). */
  offlineDone(why: string): void;
}

export function keepaliveTick(c: KeepaliveParts): void {
  const link = c.wire.link;
  if (!link?.ready) return;
  const s = c.settings;
  const now = c.now();
  if (c.offline.stalled()) c.offlineDone('timed out: nothing arrived for a while');
  // We stopped reading ourselves: silence proves nothing, and a ping's answer could not be read.
  if (link.paused) return;
  const input = { now, lastReceived: link.lastReceived, lastSent: link.lastSent, pendingIqs: c.wire.pendingIqs, minIntervalMs: s.keepAliveIntervalMs - s.keepAliveJitterMs, deadSocketMs: s.keepAliveTimeoutMs };
  const action = decideKeepalive(input);
  if (action === 'dead') c.signal({ type: 'LINK.DEAD' });
  if (action !== 'ping') return;
  c.wire.execute(ping, { timeoutMs: s.keepAliveTimeoutMs }).catch(() => {
    if (c.wire.link !== link) return;
    if (isDeadSocket({ now: c.now(), lastReceived: link.lastReceived, lastSent: link.lastSent, deadSocketMs: s.keepAliveTimeoutMs })) c.signal({ type: 'LINK.DEAD' });
  });
}
