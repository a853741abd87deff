/**
 * The admin API's history routes: seed a phone's history (or generate a large
 * one), read it back, clear it, set how it is sent to new companions, and list
 * the notifications sent. admin.ts registers them; the phone does the work.
 *
 *   POST   /phones/:phone/history          seed → {chats, messages, pushNames, mappings}
 *   GET    /phones/:phone/history          {chats:[…], messages, pushNames, mappings}
 *   DELETE /phones/:phone/history          {ok}
 *   GET    /phones/:phone/history/sends    [{device, messageId, syncType, chunkOrder, progress, …}]
 *   POST   /phones/:phone/history/policy   partial policy → the policy
 *   GET    /phones/:phone/history/policy   the policy
 *   GET    /phones/:phone/history/:chat    ?limit&before → messages, newest first
 */
import type { AdminContext, AdminRoute } from './admin-route.js';
import { SimError } from './errors.js';
import type { PhoneHistoryApi } from './phone-history.js';

function historyOf(ctx: AdminContext, phone: string): PhoneHistoryApi {
  if (!ctx.hub.dir.user(phone)) throw new SimError('NOT_FOUND', `no user ${phone}`);
  const history = ctx.hub.phones.get(phone)?.history;
  if (!history) throw new SimError('NOT_FOUND', `the phone of ${phone} keeps no history`);
  return history;
}

function positive(v: string | null, name: string): number | undefined {
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SimError('BAD_REQUEST', `${name} must be a positive integer`);
  return n;
}

export const HISTORY_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/phones/:phone/history',
    handler: (ctx, p, body) => {
      const totals = historyOf(ctx, p.phone!).seed(body);
      ctx.hub.onChange();
      return [200, totals];
    },
  },
  { method: 'GET', path: '/phones/:phone/history', handler: (ctx, p) => [200, historyOf(ctx, p.phone!).view()] },
  {
    method: 'DELETE',
    path: '/phones/:phone/history',
    handler: (ctx, p) => {
      historyOf(ctx, p.phone!).clear();
      ctx.hub.onChange();
      return [200, { ok: true }];
    },
  },
  { method: 'GET', path: '/phones/:phone/history/sends', handler: (ctx, p) => [200, historyOf(ctx, p.phone!).sends()] },
  { method: 'GET', path: '/phones/:phone/history/policy', handler: (ctx, p) => [200, historyOf(ctx, p.phone!).policy()] },
  {
    method: 'POST',
    path: '/phones/:phone/history/policy',
    handler: (ctx, p, body) => {
      const policy = historyOf(ctx, p.phone!).policy(body);
      ctx.hub.onChange();
      return [200, policy];
    },
  },
  {
    method: 'GET',
    path: '/phones/:phone/history/:chat',
    handler: (ctx, p, _body, query) => {
      const limit = positive(query.get('limit'), 'limit');
      const before = query.get('before');
      const opts = { ...(limit !== undefined ? { limit } : {}), ...(before ? { before } : {}) };
      return [200, historyOf(ctx, p.phone!).messages(decodeURIComponent(p.chat!), opts)];
    },
  },
];
