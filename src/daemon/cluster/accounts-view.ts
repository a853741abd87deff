/**
 * account:list at one daemon of a cluster shows every account where it
 * runs: each entry gets `owner` (the daemon holding its live lease, null
 * when none does), `ownerEndpoint` and `running`; an account another daemon
 * runs takes that daemon's own entry (its state, jid, name), asked once per
 * daemon (ask-peers.ts). An owner that does not answer leaves this daemon's
 * stored view of its accounts (`running: true` still says the lease is
 * live); a lease table that cannot be read leaves the list as it was.
 * Owns that merge; the forwarding is the peer client's.
 */
import type { Logger } from 'pino';
import type { AccountSummary } from '../../contract/api.js';
import type { AccountOwner } from '../../store/cluster/owners.js';
import { askPeers, type AskPeersDeps } from './ask-peers.js';

export interface AccountsViewDeps extends AskPeersDeps {
  readonly owners: { all(): Promise<Map<string, AccountOwner>> };
  readonly daemonId: string;
  readonly endpoint: string | null;
  readonly logger: Logger;
}

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
  for (const [owner, result] of await askPeers(peers, 'account:list', deps)) {
    if (!Array.isArray(result['accounts'])) continue;
    for (const a of result['accounts'] as AccountSummary[]) if (leases.get(a.id)?.owner === owner) reported.set(a.id, a);
  }
  return listed.map((a) => {
    const l = leases.get(a.id);
    if (!l?.owner) return { ...a, owner: null, ownerEndpoint: null, running: false };
    const mine = l.owner === deps.daemonId;
    return { ...(reported.get(a.id) ?? a), id: a.id, owner: l.owner, ownerEndpoint: mine ? deps.endpoint : l.endpoint, running: true };
  });
}
