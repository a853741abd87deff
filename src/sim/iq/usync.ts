/**
 * xmlns="usync": per-user answers to the protocols the client asks for.
 *   devices → `<devices><device-list><device id="0"/><device id=N key-index=K/>…</device-list></devices>`
 *             (a non-zero device without key-index is dropped by Baileys)
 *   contact → `<contact type="in|out"/>`; a user given as `<contact>+1555…</contact>` is resolved to its jid
 *   lid     → `<lid val="…@lid"/>` for a known user. Only clients that ask get it;
 *             Baileys 7 needs it: it fetches prekeys and keeps sessions by LID only,
 *             so without a LID it cannot start a 1:1 session at all (seen: "No sessions").
 *   other protocols → an empty node of that name
 * The `<usync>` attributes are echoed, as WhatsApp does.
 */
import { child, children, iqError, iqResult, node, textOf, type BinaryNode } from '../nodes.js';
import type { UserRecord } from '../state.js';
import type { IqContext } from './index.js';

const MAX_USERS_PER_QUERY = 5_000;

export function handleUsync(ctx: IqContext, iq: BinaryNode): BinaryNode {
  const usync = child(iq, 'usync');
  const query = child(usync, 'query');
  const list = child(usync, 'list');
  if (!usync || !query) return iqError(iq, 400, 'bad-request');
  const protocols = children(query).map((p) => p.tag);
  const users = children(list).filter((u) => u.tag === 'user');
  if (users.length > MAX_USERS_PER_QUERY) return iqError(iq, 400, 'too-many-users');
  const out: BinaryNode[] = [];
  for (const u of users) {
    const phoneQuery = textOf(child(u, 'contact'));
    let jid = u.attrs.jid;
    let record: UserRecord | undefined;
    if (jid) record = ctx.hub.dir.userOf(jid);
    else if (phoneQuery) {
      const digits = phoneQuery.replace(/[^0-9]/g, '');
      jid = `${digits}@s.whatsapp.net`;
      record = ctx.hub.dir.user(digits);
    }
    if (!jid) continue;
    const parts: BinaryNode[] = [];
    for (const p of protocols) {
      if (p === 'devices') parts.push(devicesNode(record));
      else if (p === 'contact') parts.push(node('contact', { type: record ? 'in' : 'out' }));
      else if (p === 'lid') {
        if (record) parts.push(node('lid', { val: record.lid }));
      } else parts.push(node(p, {}));
    }
    out.push(node('user', { jid }, parts));
  }
  const attrs: Record<string, string> = {};
  for (const a of ['sid', 'mode', 'context', 'last', 'index']) {
    const v = usync.attrs[a];
    if (v !== undefined) attrs[a] = v;
  }
  return iqResult(iq, [node('usync', attrs, [node('result', {}, protocols.map((p) => node(p, {}))), node('list', {}, out)])]);
}

function devicesNode(user: UserRecord | undefined): BinaryNode {
  const list = user
    ? [...user.devices.values()]
        .sort((a, b) => a.deviceId - b.deviceId)
        .map((d) => (d.deviceId === 0 ? node('device', { id: '0' }) : node('device', { id: String(d.deviceId), 'key-index': String(d.keyIndex) })))
    : [];
  return node('devices', {}, [node('device-list', {}, list)]);
}
