/**
 * Our side of trusted-contact (privacy) tokens on 1:1 sends: the contact's
 * token we hold (attached as `<tctoken>`), our own token issued to contacts
 * we message (once per 7-day bucket, fire and forget, as WhatsApp Web), and
 * recovery from a 463: the server refused a send for want of the contact's
 * token, so we issue ours, keep the token the answer carries for that
 * contact, and the caller resends once with it.
 *
 * Tokens are stored under the contact's LID when we know it (as the
 * `privacy_token` notifications that bring them are), else under the jid we
 * message. Owns the issue bookkeeping; must not build or send messages.
 */
import { issuePrivacyTokens, shouldIssueToken, tcTokenExpiresAtMs, type ReceivedToken } from '../../protocol/iq/privacy-tokens.js';
import { isLid, jidDecode, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { BoundedMap } from './bounded.js';
import type { Identities } from './identity.js';

export class PrivacyTokens {
  readonly #deps: MessagingDeps;
  readonly #ids: Identities;
  readonly #now: () => number;
  /** When we last issued our token to a contact (unix s), by user part. */
  readonly #issued = new BoundedMap<string, number>(10_000);
  readonly stats = { recoveries: 0, recoveryFailures: 0 };

  constructor(deps: MessagingDeps, ids: Identities, now: () => number) {
    this.#deps = deps;
    this.#ids = ids;
    this.#now = now;
  }

  /** The contact's valid token, if we hold one. */
  async held(peer: string): Promise<Uint8Array | undefined> {
    const store = this.#deps.store;
    const now = this.#now();
    const lid = await this.#lidOf(peer);
    const t = (lid ? await store.tcTokens.getValid(lid, now) : undefined) ?? (await store.tcTokens.getValid(peer, now));
    return t?.token;
  }

  /** Our token for a contact we just messaged, when this bucket has not had it yet. Never throws. */
  issueInBackground(peer: string): void {
    const nowS = Math.floor(this.#now() / 1000);
    const user = jidDecode(peer)?.user ?? peer;
    if (!shouldIssueToken(this.#issued.get(user), nowS)) return;
    this.#issued.set(user, nowS);
    this.#issue(peer, nowS).catch((err: unknown) => {
      this.#deps.logger.debug({ err: (err as Error).message }, 'privacy token issuance failed');
    });
  }

  /**
   * After a 463: issues our token to `peer` and keeps the token the answer
   * carries for it. Resolves with that token, or undefined when the server
   * gave none (the send stays refused).
   */
  async recover(peer: string): Promise<Uint8Array | undefined> {
    const nowS = Math.floor(this.#now() / 1000);
    this.#issued.set(jidDecode(peer)?.user ?? peer, nowS);
    this.stats.recoveries++;
    const token = await this.#issue(peer, nowS).catch((err: unknown) => {
      this.#deps.logger.warn({ err: (err as Error).message }, 'privacy token issuance after 463 failed');
      return undefined;
    });
    if (!token) this.stats.recoveryFailures++;
    return token;
  }

  /** Issues and stores what the answer carries for `peer`; the newest token for it, if any. */
  async #issue(peer: string, nowS: number): Promise<Uint8Array | undefined> {
    const tokens = await this.#deps.port.execute(issuePrivacyTokens([peer], nowS));
    const mine = tokens.filter((t) => jidNormalizedUser(t.jid) === jidNormalizedUser(peer) || t.jid === '').sort((a, b) => b.t - a.t)[0];
    if (!mine) return undefined;
    await this.#keep(peer, mine);
    return mine.token;
  }

  async #keep(peer: string, token: ReceivedToken): Promise<void> {
    const owner = (await this.#lidOf(peer)) ?? jidNormalizedUser(peer);
    const existing = await this.#deps.store.tcTokens.get(owner);
    if (existing && existing.timestamp > token.t) return;
    await this.#deps.store.transaction((tx) => tx.tcTokens.put(owner, { token: token.token, timestamp: token.t, expiresAt: tcTokenExpiresAtMs(token.t) }));
  }

  async #lidOf(peer: string): Promise<string | undefined> {
    return isLid(peer) ? jidNormalizedUser(peer) : this.#ids.lidOf(peer);
  }
}
