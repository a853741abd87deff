/**
 * xmlns="privacy" set `<tokens>`: issues our trusted-contact (privacy) token
 * to contacts after a first 1:1 message, as WhatsApp Web does; the answer
 * may carry tokens for us. Tokens from contacts arrive as `privacy_token`
 * notifications (stanza/notification.ts) and go on our 1:1 sends as
 * `<tctoken>`. Pure spec.
 *
 *   <iq type="set" xmlns="privacy"><tokens><token jid="user@…" t="unix s" type="trusted_contact"/>…</tokens></iq>
 *   → [<tokens><token jid t type="trusted_contact">bytes</token>…</tokens>]
 */
import { jidNormalizedUser } from '../jid/index.js';
import { bytesOf, child, childrenByTag, node } from '../stanza/nodes.js';
import { iq, type IqSpec } from './spec.js';

export interface ReceivedToken {
  readonly jid: string;
  readonly t: number;
  readonly token: Uint8Array;
}

/** WhatsApp's tokens live in 7-day buckets; 4 buckets (~28 days) are valid. */
export const TCTOKEN_BUCKET_SECONDS = 604_800;
export const TCTOKEN_BUCKETS = 4;

/** Unix seconds before which a token (by its timestamp) is expired at `nowSeconds`. */
export function tcTokenCutoff(nowSeconds: number): number {
  const current = Math.floor(nowSeconds / TCTOKEN_BUCKET_SECONDS);
  return (current - (TCTOKEN_BUCKETS - 1)) * TCTOKEN_BUCKET_SECONDS;
}

/** When a token with this timestamp stops being valid (ms). */
export function tcTokenExpiresAtMs(tokenSeconds: number): number {
  const bucket = Math.floor(tokenSeconds / TCTOKEN_BUCKET_SECONDS);
  return (bucket + TCTOKEN_BUCKETS) * TCTOKEN_BUCKET_SECONDS * 1000;
}

/** Whether we should issue our token again (WhatsApp Web: once per bucket). */
export function shouldIssueToken(lastIssuedSeconds: number | undefined, nowSeconds: number): boolean {
  if (lastIssuedSeconds === undefined) return true;
  return Math.floor(nowSeconds / TCTOKEN_BUCKET_SECONDS) > Math.floor(lastIssuedSeconds / TCTOKEN_BUCKET_SECONDS);
}

/** @throws RangeError for an empty list */
export function issuePrivacyTokens(jids: readonly string[], nowSeconds: number): IqSpec<ReceivedToken[]> {
  if (jids.length === 0) throw new RangeError('no contacts to issue tokens to');
  const t = String(Math.floor(nowSeconds));
  return {
    build: () =>
      iq('privacy', 'set', [node('tokens', {}, jids.map((jid) => node('token', { jid: jidNormalizedUser(jid), t, type: 'trusted_contact' })))]),
    parse(result) {
      return childrenByTag(child(result, 'tokens'), 'token').flatMap((tok) => {
        const token = bytesOf(tok);
        const ts = Number(tok.attrs.t);
        if (tok.attrs.type !== 'trusted_contact' || !token || !Number.isSafeInteger(ts) || ts <= 0) return [];
        return [{ jid: tok.attrs.jid ?? '', t: ts, token }];
      });
    },
  };
}
