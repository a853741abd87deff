/**
 * One POST of a webhook: the body signed with the webhook's secret
 * (`X-Wad-Signature: sha256=<hex HMAC-SHA256 of the body>`), the delivery
 * id the receiver deduplicates by (`X-Wad-Delivery: <account>:<seq>`), a
 * time limit, and the answer's body left unread (a receiver cannot make the
 * daemon buffer it). Owns the wire form of a delivery; must not retry.
 */
import { createHmac } from 'node:crypto';

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type PostResult = { ok: true; status: number } | { ok: false; status?: number; error: string };

export async function postDelivery(url: string, secret: string, delivery: string, body: string, timeoutMs: number): Promise<PostResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'wad-webhook/1', 'x-wad-delivery': delivery, 'x-wad-signature': signature(secret, body) },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message) };
  }
}
