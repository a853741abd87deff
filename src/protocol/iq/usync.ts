/**
 * xmlns="usync": device lists (and the LID of each user) for the users we
 * send to. One query for many users; the answer lists each user's devices
 * with their ADV key index. Pure spec (IqSpec).
 *
 *   <iq type="get" xmlns="usync" to="@s.whatsapp.net">
 *     <usync context="message" mode="query" sid last="true" index="0">
 *       <query><devices version="2"/><lid/></query>
 *       <list><user jid="…@s.whatsapp.net"/>…</list></usync></iq>
 *   → <usync><list><user jid><devices><device-list><device id="0"/><device id="3" key-index="1"/></device-list>
 *        [<key-index-list ts>…</key-index-list>]</devices>[<lid val="…@lid"/>]</user>…</list></usync>
 *
 * A non-zero device without `key-index` is not a real companion and is
 * dropped (Baileys' extractDeviceJids does the same).
 */
import { jidDecode } from '../jid/index.js';
import { child, childrenByTag, node } from '../stanza/nodes.js';
import { IqParseError } from './errors.js';
import { iq, type IqSpec } from './spec.js';

export interface UsyncDevice {
  readonly id: number;
  readonly keyIndex?: number | undefined;
}

export interface UsyncUser {
  /** The user JID as queried (PN or LID). */
  readonly jid: string;
  readonly devices: readonly UsyncDevice[];
  /** The user's LID (a user JID), when the answer had one. */
  readonly lid?: string | undefined;
  /** The usync answer for this user said it failed (an `<error>` under devices). */
  readonly error?: string | undefined;
}

export interface UsyncOptions {
  /** `message` for sends, `interactive` or `background` otherwise. */
  readonly context?: 'message' | 'interactive' | 'background';
  /** The query id; any unique string. */
  readonly sid: string;
  /** Ask for each user's LID too (default true). */
  readonly lid?: boolean;
}

/** @throws RangeError for an empty user list */
export function usyncDevices(users: readonly string[], options: UsyncOptions): IqSpec<UsyncUser[]> {
  if (users.length === 0) throw new RangeError('usync needs at least one user');
  return {
    build: () =>
      iq('usync', 'get', [
        node('usync', { context: options.context ?? 'message', mode: 'query', sid: options.sid, last: 'true', index: '0' }, [
          node('query', {}, options.lid === false ? [node('devices', { version: '2' })] : [node('devices', { version: '2' }), node('lid')]),
          node('list', {}, users.map((jid) => node('user', { jid }))),
        ]),
      ]),
    parse(result) {
      const list = child(child(result, 'usync'), 'list');
      if (!list) throw new IqParseError('usync answer has no <usync><list>');
      return childrenByTag(list, 'user').map(parseUser);
    },
  };
}

function parseUser(user: import('../binary/index.js').BinaryNode): UsyncUser {
  const jid = user.attrs.jid ?? '';
  const devicesNode = child(user, 'devices');
  const err = child(devicesNode, 'error');
  const devices: UsyncDevice[] = [];
  for (const d of childrenByTag(child(devicesNode, 'device-list'), 'device')) {
    const id = Number(d.attrs.id);
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) continue;
    const keyIndexAttr = d.attrs['key-index'];
    const keyIndex = keyIndexAttr === undefined ? undefined : Number(keyIndexAttr);
    if (id !== 0 && (keyIndex === undefined || !Number.isInteger(keyIndex))) continue;
    devices.push(keyIndex === undefined ? { id } : { id, keyIndex });
  }
  const lidVal = child(user, 'lid')?.attrs.val;
  const lid = lidVal && jidDecode(lidVal)?.server === 'lid' ? lidVal : undefined;
  return { jid, devices, lid, error: err ? err.attrs.text ?? err.attrs.code ?? 'error' : undefined };
}
