/**
 * xmlns="md" (multi-device): the link-code pairing stages a companion sends
 * (`link_code_companion_reg` companion_hello / companion_finish) and
 * `remove-companion-device` (a companion logging itself — or, from the
 * phone's side, another companion — out).
 */
import { child, iqError, iqResult, type BinaryNode } from '../nodes.js';
import { parseDeviceJid } from '../state.js';
import type { IqContext } from './index.js';

export function handleMd(ctx: IqContext, iq: BinaryNode): BinaryNode {
  const reg = child(iq, 'link_code_companion_reg');
  if (reg) {
    if (ctx.deviceJid !== undefined) return iqError(iq, 400, 'already-registered');
    if (reg.attrs.stage === 'companion_hello') return ctx.pairing.companionHello(ctx.session, iq, reg);
    if (reg.attrs.stage === 'companion_finish') return ctx.pairing.companionFinish(ctx.session, iq, reg);
    return iqError(iq, 400, 'bad-request');
  }
  const remove = child(iq, 'remove-companion-device');
  if (remove) {
    if (ctx.deviceJid === undefined) return iqError(iq, 401, 'not-authorized');
    const me = ctx.hub.dir.userOf(ctx.deviceJid);
    const target = parseDeviceJid(remove.attrs.jid ?? '');
    const owner = remove.attrs.jid ? ctx.hub.dir.userOf(remove.attrs.jid) : undefined;
    if (!me || !target || owner !== me || target.device === 0) return iqError(iq, 403, 'forbidden');
    // Answer first: removing the asking device closes its socket.
    setImmediate(() => ctx.hub.removeDevice(me, target.device));
    return iqResult(iq);
  }
  return iqResult(iq);
}
