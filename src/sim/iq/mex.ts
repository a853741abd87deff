/**
 * xmlns="w:mex": the channel (newsletter) queries by persisted query id —
 * create, metadata by jid or invite, follow, unfollow, mute, unmute, the
 * list of followed channels. Each answer is `<result>` with the GraphQL
 * response as JSON: `{"data": {"<path>": …}}`, or `{"errors": [...]}` with
 * an `extensions.error_code` (404 unknown channel, 403 not allowed, 400 bad
 * variables) in an IQ result, as WhatsApp answers a refused query. Unknown
 * query ids get 400 the same way.
 */
import { NEWSLETTER_PATH, NEWSLETTER_QUERY } from '../../protocol/iq/newsletter.js';
import { SimError } from '../errors.js';
import type { Hub } from '../hub.js';
import { bytesOf, child, iqError, iqResult, node, type BinaryNode } from '../nodes.js';
import type { NewsletterRecord } from '../newsletters.js';
import type { IqContext } from './index.js';

type Ctx = IqContext & { deviceJid: string };
type Vars = Record<string, unknown>;

class MexRefusal extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

const answer = (iq: BinaryNode, response: unknown): BinaryNode =>
  iqResult(iq, [node('result', {}, new TextEncoder().encode(JSON.stringify(response)))]);

export function handleMex(ctx: Ctx, iq: BinaryNode): BinaryNode {
  const { hub } = ctx;
  const me = hub.dir.userOf(ctx.deviceJid);
  if (!me) return iqError(iq, 401, 'not-authorized');
  const query = child(iq, 'query');
  const queryId = query?.attrs.query_id ?? '';
  let variables: Vars;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytesOf(query) ?? new Uint8Array())) as { variables?: Vars };
    variables = parsed.variables ?? {};
  } catch {
    return iqError(iq, 400, 'bad-request');
  }
  try {
    const [path, data] = run(hub, me.jid, queryId, variables);
    return answer(iq, { data: { [path]: data } });
  } catch (err) {
    if (err instanceof MexRefusal) return answer(iq, { errors: [{ message: err.message, extensions: { error_code: err.errorCode, is_retryable: false, severity: 'CRITICAL' } }] });
    if (err instanceof SimError) return answer(iq, { errors: [{ message: err.message, extensions: { error_code: err.code === 'LIMIT' ? 429 : 400 } }] });
    throw err;
  }
}

function run(hub: Hub, me: string, queryId: string, v: Vars): [string, unknown] {
  const store = hub.newsletters;
  switch (queryId) {
    case NEWSLETTER_QUERY.create: {
      const input = (v.input ?? {}) as Vars;
      if (typeof input.name !== 'string') throw new MexRefusal(400, 'name is required');
      const description = typeof input.description === 'string' ? input.description : '';
      const n = store.create(me, input.name, description, Number(hub.nowSeconds()));
      hub.onChange();
      return [NEWSLETTER_PATH.create, store.view(n, me)];
    }
    case NEWSLETTER_QUERY.metadata: {
      const input = (v.input ?? {}) as Vars;
      const key = typeof input.key === 'string' ? input.key : '';
      const n = input.type === 'INVITE' ? store.byInvite(key) : store.get(key);
      if (!n) throw new MexRefusal(404, 'channel not found');
      return [NEWSLETTER_PATH.metadata, store.view(n, me)];
    }
    case NEWSLETTER_QUERY.follow: {
      const n = channel(hub, v);
      store.follow(n, me);
      hub.onChange();
      return [NEWSLETTER_PATH.follow, { id: n.jid }];
    }
    case NEWSLETTER_QUERY.unfollow: {
      const n = channel(hub, v);
      if (n.owner === me) throw new MexRefusal(403, 'the owner cannot unfollow');
      store.unfollow(n, me);
      hub.onChange();
      return [NEWSLETTER_PATH.unfollow, { id: n.jid }];
    }
    case NEWSLETTER_QUERY.mute:
    case NEWSLETTER_QUERY.unmute: {
      const n = channel(hub, v);
      const mute = queryId === NEWSLETTER_QUERY.mute;
      if (mute) n.muted.add(me);
      else n.muted.delete(me);
      hub.onChange();
      return [mute ? NEWSLETTER_PATH.mute : NEWSLETTER_PATH.unmute, { id: n.jid, mute: mute ? 'ON' : 'OFF' }];
    }
    case NEWSLETTER_QUERY.subscribed:
      return [NEWSLETTER_PATH.subscribed, store.of(me).map((n) => store.view(n, me))];
    default:
      throw new MexRefusal(400, `unknown query ${queryId}`);
  }
}

function channel(hub: Hub, v: Vars): NewsletterRecord {
  const n = typeof v.newsletter_id === 'string' ? hub.newsletters.get(v.newsletter_id) : undefined;
  if (!n) throw new MexRefusal(404, 'channel not found');
  return n;
}
