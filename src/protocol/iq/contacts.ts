/**
 * xmlns="usync" for people: whether phone numbers are on WhatsApp (the
 * `contact` protocol, users named by `+digits`), and what a user shows to
 * others (`status` = about with its time, `picture` id, `business`, devices,
 * LID). Pure specs (IqSpec).
 *
 *   <usync context="interactive" mode="query" sid last="true" index="0">
 *     <query><contact/><lid/></query>
 *     <list><user><contact>+15551234567</contact></user>…</list></usync>
 *   → <list><user jid="15551234567@s.whatsapp.net"><contact type="in|out">+15551234567</contact><lid val/></user>…
 *
 * The answer names each user by the jid WhatsApp resolved; the `contact`
 * node echoes the number as asked, which is how an answer is matched to its
 * question (the jid's digits can differ from what the caller typed).
 */
import { jidDecode } from '../jid/index.js';
import type { BinaryNode } from '../binary/index.js';
import { proto } from '../proto/index.js';
import { IqParseError } from './errors.js';
import { childNode, childrenByTag, node, textOf } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export interface ContactCheck {
  /** The number as asked (`+digits`), or the jid's digits when the answer did not echo it. */
  readonly query: string;
  /** The user jid WhatsApp resolved the number to. */
  readonly jid: string;
  readonly exists: boolean;
  readonly lid?: string | undefined;
}

/** Users one usync query may name (WhatsApp Web batches contact checks in chunks of this size). */
export const USYNC_MAX_USERS = 500;

/** @throws RangeError for an empty list or more than USYNC_MAX_USERS numbers */
export function usyncContacts(phones: readonly string[], sid: string): IqSpec<ContactCheck[]> {
  if (phones.length === 0 || phones.length > USYNC_MAX_USERS) throw new RangeError(`a contact check names 1-${USYNC_MAX_USERS} numbers`);
  return {
    build: () =>
      iq('usync', 'get', [
        node('usync', { context: 'interactive', mode: 'query', sid, last: 'true', index: '0' }, [
          node('query', {}, [node('contact'), node('lid')]),
          node('list', {}, phones.map((p) => node('user', {}, [node('contact', {}, `+${p.replace(/^\+/, '')}`)]))),
        ]),
      ]),
    parse(result) {
      const list = usyncList(result);
      return childrenByTag(list, 'user').flatMap((u) => {
        const jid = u.attrs.jid;
        const contact = childNode(u, 'contact');
        if (!jid || !contact) return [];
        const query = textOf(contact) || `+${jidDecode(jid)?.user ?? ''}`;
        return [{ query, jid, exists: contact.attrs.type === 'in', lid: lidOf(u) }];
      });
    },
  };
}

export interface UserInfo {
  readonly jid: string;
  readonly lid?: string | undefined;
  /** The about text; undefined when unset or hidden from us by the user's privacy. */
  readonly about?: string | undefined;
  /** Unix seconds when the about was set. */
  readonly aboutSetAt?: number | undefined;
  readonly pictureId?: string | undefined;
  /** Set for a business account: its verified name when the certificate carries one, else ''. */
  readonly verifiedName?: string | undefined;
  /** Device ids (0 = the phone). */
  readonly devices: readonly number[];
}

/** @throws RangeError for an empty list or more than USYNC_MAX_USERS users */
export function usyncUserInfo(jids: readonly string[], sid: string): IqSpec<UserInfo[]> {
  if (jids.length === 0 || jids.length > USYNC_MAX_USERS) throw new RangeError(`a user info query names 1-${USYNC_MAX_USERS} users`);
  return {
    build: () =>
      iq('usync', 'get', [
        node('usync', { context: 'interactive', mode: 'query', sid, last: 'true', index: '0' }, [
          node('query', {}, [node('business', {}, [node('verified_name')]), node('status'), node('picture'), node('devices', { version: '2' }), node('lid')]),
          node('list', {}, jids.map((jid) => node('user', { jid }))),
        ]),
      ]),
    parse(result) {
      return childrenByTag(usyncList(result), 'user').flatMap((u) => (u.attrs.jid ? [parseUserInfo(u.attrs.jid, u)] : []));
    },
  };
}

function parseUserInfo(jid: string, u: BinaryNode): UserInfo {
  const status = childNode(u, 'status');
  // A status the user hides from us comes back as code 401 and no text.
  const about = status && !childNode(status, 'error') && status.attrs.code === undefined ? textOf(status) || undefined : undefined;
  const t = Number(status?.attrs.t);
  const picture = childNode(u, 'picture');
  const pictureId = picture && childNode(picture, 'error') === undefined && picture.attrs.code === undefined ? picture.attrs.id : undefined;
  const devices = childrenByTag(childNode(childNode(u, 'devices'), 'device-list'), 'device')
    .map((d) => Number(d.attrs.id))
    .filter((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff);
  return {
    jid,
    lid: lidOf(u),
    about,
    aboutSetAt: about !== undefined && Number.isFinite(t) && t > 0 ? t : undefined,
    pictureId: pictureId || undefined,
    verifiedName: verifiedNameOf(childNode(childNode(u, 'business'), 'verified_name')),
    devices,
  };
}

/** The name in a business's verified-name certificate; '' when it cannot be read; undefined when there is none. */
function verifiedNameOf(n: BinaryNode | undefined): string | undefined {
  const bytes = n?.content instanceof Uint8Array ? n.content : undefined;
  if (!n) return undefined;
  if (!bytes || bytes.length === 0) return '';
  try {
    const cert = proto.VerifiedNameCertificate.decode(bytes);
    return cert.details ? (proto.VerifiedNameCertificate.Details.decode(cert.details).verifiedName ?? '') : '';
  } catch {
    return '';
  }
}

function usyncList(result: BinaryNode): BinaryNode {
  const list = childNode(childNode(result, 'usync'), 'list');
  if (!list) throw new IqParseError('usync answer has no <usync><list>');
  return list;
}

function lidOf(u: BinaryNode): string | undefined {
  const val = childNode(u, 'lid')?.attrs.val;
  return val && jidDecode(val)?.server === 'lid' ? val : undefined;
}
