/**
 * account:list at one daemon of a cluster shows every account where it
 * runs: each entry gets `owner` (the daemon holding its live lease, null
 * when none does), `ownerEndpoint` and `running`; an account another daemon
 * runs takes that daemon's own entry (its state, jid, name), asked once per
 * daemon with one forwarded account:list each, all at once, each bounded by
 * a short timeout. An owner that does not answer leaves this daemon's
 * stored view of its accounts (`running: true` still says the lease is
 * live); a lease table that cannot be read leaves the list as it was.
 * Owns that merge; the forwarding is the peer client's.
 */
import type { Logger } from 'pino';
import type { AccountSummary } from '../../contract/api.js';
import type { AccountOwner } from '../../store/cluster/owners.js';
import type { PeerAnswer } from './peer-answer.js';

export interface AccountsViewDeps {
  readonly owners: { all(): Promise<Map<string, AccountOwner>> };
  readonly peers: { post(endpoint: string, frame: Record<string, unknown>, file?: undefined, timeoutMs?: number): Promise<PeerAnswer> };
  readonly daemonId: string;
  readonly endpoint: string | null;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** A listing must not wait on a silent daemon as long as a send may. */
const ASK_MS = 2000;

export async function withOwners(listed: AccountSummary[], deps: AccountsViewDeps): Promise<AccountSummary[]> {
  let leases: Map<string, AccountOwner>;
  try {
    leases = await deps.owners.all();
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, 'cluster: account:list without owners (the lease table did not answer)');
    return listed;
  }
  const peers = new Map<string, string>();
  for (const a of listed) {
    const l = leases.get(a.id);
    if (l?.owner && l.owner !== deps.daemonId && l.endpoint) peers.set(l.owner, l.endpoint);
  }
  const reported = new Map<string, AccountSummary>();
  await Promise.all(
    [...peers].map(async ([owner, endpoint]) => {
      try {
        const answer = await deps.peers.post(endpoint, { id: 'cluster-account-list', type: 'account:list', ack: true, data: {} }, undefined, Math.min(deps.timeoutMs, ASK_MS));
        if (!answer.ok || !Array.isArray(answer.result['accounts'])) return;
        for (const a of answer.result['accounts'] as AccountSummary[]) if (leases.get(a.id)?.owner === owner) reported.set(a.id, a);
      } catch (err) {
        deps.logger.warn({ owner, endpoint, err: (err as Error).message }, 'cluster: a daemon did not answer account:list; its accounts are shown from the lease table');
      }
    }),
  );
  return listed.map((a) => {
    const l = leases.get(a.id);
    if (!l?.owner) return { ...a, owner: null, ownerEndpoint: null, running: false };
    const mine = l.owner === deps.daemonId;
    return { ...(reported.get(a.id) ?? a), id: a.id, owner: l.owner, ownerEndpoint: mine ? deps.endpoint : l.endpoint, running: true };
  });
}
