/**
 * One request without an account asked of several other daemons at once
 * (account:list, webhook:list), for a view of the whole cluster: each
 * daemon once, all in parallel, each bounded by a short timeout, so a silent
 * daemon costs the caller at most that. A daemon that does not answer is
 * logged and left out. Owns that fan-out; what is made of the answers is
 * the caller's.
 */
import type { Logger } from 'pino';
import type { PeerAnswer } from './peer-answer.js';

export interface AskPeersDeps {
  readonly peers: { post(endpoint: string, frame: Record<string, unknown>, file?: undefined, timeoutMs?: number): Promise<PeerAnswer> };
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** A listing must not wait on a silent daemon as long as a send may. */
export const ASK_MS = 2000;

/** Each daemon's result (by daemon id); a daemon missing from it did not answer. */
export async function askPeers(daemons: ReadonlyMap<string, string>, type: string, deps: AskPeersDeps): Promise<Map<string, Record<string, unknown>>> {
  const answers = new Map<string, Record<string, unknown>>();
  await Promise.all(
    [...daemons].map(async ([daemon, endpoint]) => {
      try {
        const answer = await deps.peers.post(endpoint, { id: `cluster-${type}`, type, ack: true, data: {} }, undefined, Math.min(deps.timeoutMs, ASK_MS));
        if (answer.ok) answers.set(daemon, answer.result);
        else deps.logger.warn({ daemon, endpoint, code: answer.error.code, err: answer.error.message }, `cluster: a daemon refused ${type}`);
      } catch (err) {
        deps.logger.warn({ daemon, endpoint, err: (err as Error).message }, `cluster: a daemon did not answer ${type}`);
      }
    }),
  );
  return answers;
}
