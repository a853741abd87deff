/**
 * xmlns="abt" (A/B props) and "w" (server props), with the privacy-token
 * flags WhatsApp Web reads from them:
 *   10518 privacy_token_sending_on_all_1_on_1_messages  true: attach `<tctoken>` to every 1:1 message
 *   9666  profile_scraping_privacy_token_in_photo_iq    true: attach it to profile picture IQs
 *   14303 lid_trusted_token_issue_to_lid                false: issue tokens to the PN, not the LID
 * and, among the server props, tctoken_duration / tctoken_num_buckets
 * (604800 / 4: a token lives four 7-day buckets).
 *
 *   abt: get <props protocol="1" [hash]/> → <props protocol="1" hash refresh><prop config_code config_value/>…</props>
 *   w:   get <props [hash]/>              → <props version hash refresh><prop name value/>…</props>
 *
 * A request naming the current hash gets the `<props>` without `<prop>`s
 * (nothing changed), as WhatsApp answers a client that has them already.
 */
import { createHash } from 'node:crypto';
import { TCTOKEN_BUCKETS, TCTOKEN_BUCKET_SECONDS } from '../../protocol/iq/privacy-tokens.js';
import { child, iqResult, node, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

/** config code → value, as the simulator starts. */
const AB_DEFAULTS: ReadonlyArray<readonly [string, string]> = [
  ['10518', 'true'],
  ['9666', 'true'],
  ['14303', 'false'],
];

const MAX_AB_PROPS = 1_000;

/**
 * The A/B props every account gets, and their hash (which changes with any
 * value, so a client naming the old hash gets the new props). The admin API
 * changes them (POST /props) to prove clients refresh what they hold.
 */
export class AbProps {
  readonly #props = new Map<string, string>(AB_DEFAULTS);
  #hash = '';

  constructor() {
    this.#rehash();
  }

  get hash(): string {
    return this.#hash;
  }

  entries(): ReadonlyArray<readonly [string, string]> {
    return [...this.#props];
  }

  /** Sets one prop. False when the table is full and the code is new. */
  set(code: string, value: string): boolean {
    if (!this.#props.has(code) && this.#props.size >= MAX_AB_PROPS) return false;
    this.#props.set(code, value);
    this.#rehash();
    return true;
  }

  toJSON(): { hash: string; props: Record<string, string> } {
    return { hash: this.#hash, props: Object.fromEntries(this.#props) };
  }

  #rehash(): void {
    this.#hash = hashOf([...this.#props].map(([code, value]) => `${code}=${value}`));
  }
}

const SERVER_PROPS: ReadonlyArray<readonly [string, string]> = [
  ['tctoken_duration', String(TCTOKEN_BUCKET_SECONDS)],
  ['tctoken_num_buckets', String(TCTOKEN_BUCKETS)],
];

const REFRESH_SECONDS = '86400';

const SERVER_HASH = hashOf(SERVER_PROPS.map(([name, value]) => `${name}=${value}`));

export function handleProps(ctx: IqContext, iq: BinaryNode): BinaryNode {
  const req = child(iq, 'props');
  const unchanged = (hash: string) => req?.attrs.hash === hash;
  if (iq.attrs.xmlns === 'abt') {
    const ab = ctx.hub.abProps;
    const props = unchanged(ab.hash) ? [] : ab.entries().map(([code, value]) => node('prop', { config_code: code, config_value: value }));
    return iqResult(iq, [node('props', { protocol: req?.attrs.protocol ?? '1', hash: ab.hash, refresh: REFRESH_SECONDS }, props)]);
  }
  const props = unchanged(SERVER_HASH) ? [] : SERVER_PROPS.map(([name, value]) => node('prop', { name, value }));
  return iqResult(iq, [node('props', { version: '1', hash: SERVER_HASH, refresh: REFRESH_SECONDS }, props)]);
}

function hashOf(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('base64').slice(0, 12);
}
