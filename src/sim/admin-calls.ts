/**
 * The admin API's call routes: a user's simulated phone calls someone, hangs
 * up, and a test reads how a call ended (rejected by which device, accepted,
 * terminated). admin.ts registers them.
 *
 *   POST /phones/:phone/calls       {to: phone|jid, video?: bool, group?: bool} → {callId}
 *   POST /calls/:id/end             {reason?: string}   the caller hangs up (reason "timeout": unanswered)
 *   GET  /calls/:id                 {callId, from, to, video, isGroup, state, endedBy?, reason?}
 */
import type { AdminContext, AdminRoute } from './admin-route.js';
import { endCall, placeCall, type SimCall } from './calls.js';
import { SimError } from './errors.js';

function body(b: unknown): Record<string, unknown> {
  if (b === undefined) return {};
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new SimError('BAD_REQUEST', 'body must be a JSON object');
  return b as Record<string, unknown>;
}

function callOf(ctx: AdminContext, id: string): SimCall {
  const call = ctx.hub.calls.get(id);
  if (!call) throw new SimError('NOT_FOUND', `no call ${id}`);
  return call;
}

function view(call: SimCall): Record<string, unknown> {
  return {
    callId: call.callId,
    from: call.caller.jid,
    to: call.callee.jid,
    video: call.video,
    isGroup: call.isGroup,
    state: call.state,
    ...(call.endedBy ? { endedBy: call.endedBy } : {}),
    ...(call.reason ? { reason: call.reason } : {}),
  };
}

export const CALL_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/phones/:phone/calls',
    handler(ctx, p, raw) {
      const { hub } = ctx;
      const caller = hub.dir.user(p.phone!);
      if (!caller) throw new SimError('NOT_FOUND', `no user ${p.phone}`);
      const b = body(raw);
      const to = typeof b.to === 'string' ? b.to : '';
      const callee = hub.dir.user(to) ?? hub.dir.userOf(to);
      if (!callee) throw new SimError('NOT_FOUND', `no user ${to || '(to missing)'}`);
      if (callee === caller) throw new SimError('BAD_REQUEST', 'a phone cannot call itself');
      for (const k of ['video', 'group'] as const) if (b[k] !== undefined && typeof b[k] !== 'boolean') throw new SimError('BAD_REQUEST', `${k} must be true or false`);
      return [200, { callId: placeCall(hub, caller, callee, { video: b.video === true, isGroup: b.group === true }) }];
    },
  },
  {
    method: 'POST',
    path: '/calls/:id/end',
    handler(ctx, p, raw) {
      const call = callOf(ctx, p.id!);
      const reason = body(raw).reason;
      if (reason !== undefined && (typeof reason !== 'string' || !/^[a-z_]{1,32}$/.test(reason))) throw new SimError('BAD_REQUEST', 'reason must be a short lowercase word');
      endCall(ctx.hub, call, reason);
      return [200, view(call)];
    },
  },
  { method: 'GET', path: '/calls/:id', handler: (ctx, p) => [200, view(callOf(ctx, p.id!))] },
];
