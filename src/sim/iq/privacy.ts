/**
 * xmlns="privacy": `<privacy/>` reads the settings (everything "all", so
 * read receipts are of type "read"); sets (privacy tokens, settings) are
 * accepted and not remembered.
 */
import { child, iqResult, node, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

const CATEGORIES: ReadonlyArray<[string, string]> = [
  ['readreceipts', 'all'],
  ['last', 'all'],
  ['online', 'all'],
  ['profile', 'all'],
  ['status', 'all'],
  ['groupadd', 'all'],
  ['calladd', 'all'],
  ['messages', 'all'],
];

export function handlePrivacy(_ctx: IqContext, iq: BinaryNode): BinaryNode {
  if (iq.attrs.type === 'get' && child(iq, 'privacy')) {
    return iqResult(iq, [node('privacy', {}, CATEGORIES.map(([name, value]) => node('category', { name, value })))]);
  }
  return iqResult(iq);
}
