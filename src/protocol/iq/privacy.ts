/**
 * xmlns="privacy" get: the account's privacy settings, one `<category name
 * value/>` each (readreceipts, last, online, profile, status, groupadd…);
 * set `<privacy><category name value/></privacy>` changes one.
 * Privacy tokens (set `<tokens>`) are messaging's.
 */
import { IqParseError } from './errors.js';
import { childNode, childrenByTag, node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export const getPrivacySettings: IqSpec<Record<string, string>> = {
  build: () => iq('privacy', 'get', [node('privacy')]),
  parse(result) {
    const privacy = childNode(result, 'privacy');
    if (!privacy) throw new IqParseError('privacy answer has no <privacy>');
    const out: Record<string, string> = {};
    for (const c of childrenByTag(privacy, 'category')) if (c.attrs.name !== undefined && c.attrs.value !== undefined) out[c.attrs.name] = c.attrs.value;
    return out;
  },
};

/** Changes one category (wire name, e.g. `last`) to `value`; the server refuses an unknown pair with 400. */
export function setPrivacySetting(name: string, value: string): IqSpec<void> {
  return { build: () => iq('privacy', 'set', [node('privacy', {}, [node('category', { name, value })])]), parse: () => undefined };
}
