/**
 * xmlns="abt": the A/B props (feature flags) of this account. With the hash
 * of the last answer the server may answer "unchanged" (no `<prop>`s).
 *
 *   get <props protocol="1" [hash]/> → <props protocol="1" hash="…"><prop name value/>…</props>
 */
import { IqParseError } from './errors.js';
import { childNode, childrenByTag, node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export interface Props {
  readonly hash: string | undefined;
  readonly props: ReadonlyMap<string, string>;
}

export function fetchProps(lastHash?: string): IqSpec<Props> {
  return {
    build: () => iq('abt', 'get', [node('props', lastHash ? { protocol: '1', hash: lastHash } : { protocol: '1' })]),
    parse(result) {
      const props = childNode(result, 'props');
      if (!props) throw new IqParseError('abt answer has no <props>');
      const map = new Map<string, string>();
      for (const p of childrenByTag(props, 'prop')) {
        const name = p.attrs.config_code ?? p.attrs.name;
        const value = p.attrs.config_value ?? p.attrs.value;
        if (name !== undefined && value !== undefined) map.set(name, value);
      }
      return { hash: props.attrs.hash, props: map };
    },
  };
}
