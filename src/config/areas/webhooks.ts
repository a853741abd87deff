/** Webhooks the config adds at start, and how every webhook is delivered. */
import { arrayOf, int, object, ok, bad, refine, str } from '../checks.js';
import { DAY, ms } from '../values.js';

export interface WebhookConfig {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  readonly events?: readonly string[];
  readonly accounts?: readonly string[];
}

export interface WebhookDeliveryConfig {
  /** Failed POSTs in a row after which a webhook pauses. */
  readonly retryLimit: number;
  /** First wait after a failure; doubles per failure (jittered ±50%) up to maxMs. */
  readonly initialMs: number;
  readonly maxMs: number;
  /** One POST's time limit. */
  readonly timeoutMs: number;
}

export const webhooksSchema = arrayOf(
  object(
    {
      id: refine(str({ nonEmpty: true }), (v) => (/^[A-Za-z0-9_-]{1,64}$/.test(v) ? ok(v) : bad('1-64 letters, digits, _ or -'))),
      url: refine(str({ nonEmpty: true }), (v) => (/^https?:\/\/\S+$/.test(v) ? ok(v) : bad('an http:// or https:// URL'))),
      secret: refine(str({ nonEmpty: true }), (v) => (v.length >= 16 ? ok(v) : bad('a secret of at least 16 characters'))),
      events: arrayOf(str({ nonEmpty: true })),
      accounts: arrayOf(str({ nonEmpty: true })),
    },
    { optional: ['events', 'accounts'] },
  ),
);

export const webhookDeliverySchema = object({ retryLimit: int(1, 10_000), initialMs: ms(1, 3_600_000), maxMs: ms(1, DAY), timeoutMs: ms(100, 600_000) });
