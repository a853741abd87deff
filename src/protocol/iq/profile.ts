/**
 * A profile as others see it and as we set it. Pure specs (IqSpec).
 *
 *   xmlns="w:profile:picture" get, target=jid: <picture type="preview|image" query="url">[<tctoken>]</picture>
 *     → <picture id url direct_path type/>; no picture (or hidden) → error 404 / 401
 *   xmlns="w:profile:picture" set [target=group]: <picture type="image">jpeg</picture> → <picture id/>;
 *     with no child it removes the picture
 *   xmlns="status" set: <status>text</status> (our about)
 *   xmlns="w:biz" get: <business_profile v="244"><profile jid/></business_profile>
 *     → <business_profile><profile jid><description/><address/><email/><website/><categories><category id/>…</categories></profile>
 */
import type { BinaryNode } from '../binary/index.js';
import { childNode, childrenByTag, node, textOf } from './nodes.js';
import { IqParseError } from './errors.js';
import { IqServerError } from './errors.js';
import { iq, type IqSpec } from './spec.js';

export interface ProfilePicture {
  readonly id: string;
  readonly url: string;
  readonly directPath?: string | undefined;
  readonly type: 'preview' | 'image';
}

/**
 * The picture of a user or group; undefined when it has none or hides it
 * from us (WhatsApp answers 404 / 401, which this spec cannot see: the
 * caller maps those errors).
 */
export function getProfilePicture(jid: string, preview: boolean, tcToken?: Uint8Array): IqSpec<ProfilePicture | undefined> {
  const type = preview ? 'preview' : 'image';
  return {
    build: () => iq('w:profile:picture', 'get', [node('picture', { type, query: 'url' }, tcToken ? [node('tctoken', {}, tcToken)] : undefined)], undefined, { target: jid }),
    parse(result) {
      const p = childNode(result, 'picture');
      if (!p) return undefined;
      const err = childNode(p, 'error');
      if (err) throw new IqServerError(Number(err.attrs.code) || 500, err.attrs.text ?? '');
      if (!p.attrs.id || !p.attrs.url) return undefined;
      return { id: p.attrs.id, url: p.attrs.url, directPath: p.attrs.direct_path, type: p.attrs.type === 'preview' ? 'preview' : 'image' };
    },
  };
}

/** Sets our picture (or a group's, with `target`) to a JPEG: the answer carries the new picture id. */
export function setProfilePicture(jpeg: Uint8Array, target?: string): IqSpec<{ id?: string | undefined }> {
  return {
    build: () => iq('w:profile:picture', 'set', [node('picture', { type: 'image' }, jpeg)], undefined, target ? { target } : {}),
    parse: (result) => ({ id: childNode(result, 'picture')?.attrs.id }),
  };
}

export function removeProfilePicture(target?: string): IqSpec<void> {
  return { build: () => iq('w:profile:picture', 'set', [], undefined, target ? { target } : {}), parse: () => undefined };
}

/** Our about text. */
export function setAbout(text: string): IqSpec<void> {
  return { build: () => iq('status', 'set', [node('status', {}, new TextEncoder().encode(text))]), parse: () => undefined };
}

export interface BusinessProfile {
  readonly jid: string;
  readonly description?: string | undefined;
  readonly address?: string | undefined;
  readonly email?: string | undefined;
  readonly websites: readonly string[];
  readonly categories: ReadonlyArray<{ id?: string | undefined; name: string }>;
}

export function getBusinessProfile(jid: string): IqSpec<BusinessProfile | undefined> {
  return {
    build: () => iq('w:biz', 'get', [node('business_profile', { v: '244' }, [node('profile', { jid })])]),
    parse(result) {
      const root = childNode(result, 'business_profile');
      if (!root) throw new IqParseError('w:biz answer has no <business_profile>');
      const p = childNode(root, 'profile');
      if (!p) return undefined;
      const text = (n: BinaryNode | undefined): string | undefined => textOf(n) || undefined;
      return {
        jid: p.attrs.jid ?? jid,
        description: text(childNode(p, 'description')),
        address: text(childNode(p, 'address')),
        email: text(childNode(p, 'email')),
        websites: childrenByTag(p, 'website').flatMap((w) => (textOf(w) ? [textOf(w)!] : [])),
        categories: childrenByTag(childNode(p, 'categories'), 'category').map((c) => ({ id: c.attrs.id, name: textOf(c) ?? '' })),
      };
    },
  };
}
