/**
 * webhook:list at one daemon of a cluster counts each webhook over the whole
 * cluster: every daemon delivers the events of the accounts it runs, so a
 * webhook's `lag`, `delivered` and `failures` are the sums of every daemon
 * that runs accounts (each asked once, ask-peers.ts), and it is `paused`
 * when any of them paused it. The webhooks themselves are the ones this
 * daemon lists (all share one store, and the caller's scope was applied
 * to them here). Daemons that did not answer are named in `unanswered`.
 * Owns that merge.
 */
import type { WebhookInfo } from '../../contract/api.js';
import type { AccountOwner } from '../../store/cluster/owners.js';
import { askPeers, type AskPeersDeps } from './ask-peers.js';

export interface WebhooksViewDeps extends AskPeersDeps {
  readonly owners: { all(): Promise<Map<string, AccountOwner>> };
  readonly daemonId: string;
}

export async function webhooksOfAll(listed: WebhookInfo[], deps: WebhooksViewDeps): Promise<{ webhooks: WebhookInfo[]; unanswered?: string[] }> {
  let leases: Map<string, AccountOwner>;
  try {
    leases = await deps.owners.all();
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, 'cluster: webhook:list counted here only (the lease table did not answer)');
    return { webhooks: listed };
  }
  const daemons = new Map<string, string>();
  const unanswered = new Set<string>();
  for (const l of leases.values()) {
    if (!l.owner || l.owner === deps.daemonId) continue;
    if (l.endpoint) daemons.set(l.owner, l.endpoint);
    else unanswered.add(l.owner);
  }
  const answers = await askPeers(daemons, 'webhook:list', deps);
  for (const d of daemons.keys()) if (!answers.has(d)) unanswered.add(d);
  const theirs = new Map<string, WebhookInfo[]>();
  for (const result of answers.values()) {
    if (!Array.isArray(result['webhooks'])) continue;
    for (const w of result['webhooks'] as WebhookInfo[]) theirs.set(w.id, [...(theirs.get(w.id) ?? []), w]);
  }
  const webhooks = listed.map((w) => {
    const all = [w, ...(theirs.get(w.id) ?? [])];
    const sum = (k: 'lag' | 'delivered' | 'failures'): number => all.reduce((n, x) => n + (typeof x[k] === 'number' ? x[k] : 0), 0);
    const paused = all.find((x) => x.state === 'paused');
    return { ...w, lag: sum('lag'), delivered: sum('delivered'), failures: sum('failures'), ...(paused ? { state: 'paused' as const, ...(paused.lastError !== undefined ? { lastError: paused.lastError } : {}) } : {}) };
  });
  return { webhooks, ...(unanswered.size > 0 ? { unanswered: [...unanswered] } : {}) };
}
