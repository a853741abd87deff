/**
 * xmlns="w:m" `<media_conn/>`: where to upload media and the token uploads carry.
 *
 *   set <media_conn/> → <media_conn auth ttl [auth_ttl]><host hostname [maxContentLengthBytes]/>…</media_conn>
 */
import { IqParseError } from './errors.js';
import { childNode, childrenByTag, node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export interface MediaConn {
  readonly auth: string;
  /** Seconds the hosts stay valid. */
  readonly ttl: number;
  /** Seconds the auth token stays valid (ttl when absent). */
  readonly authTtl: number;
  readonly hosts: ReadonlyArray<{ hostname: string; maxContentLengthBytes: number | undefined }>;
}

function seconds(v: string | undefined): number | undefined {
  return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : undefined;
}

export const mediaConn: IqSpec<MediaConn> = {
  build: () => iq('w:m', 'set', [node('media_conn')]),
  parse(result) {
    const mc = childNode(result, 'media_conn');
    const auth = mc?.attrs.auth;
    const ttl = seconds(mc?.attrs.ttl);
    if (!mc || !auth || ttl === undefined) throw new IqParseError('media_conn answer lacks auth or ttl');
    const hosts = childrenByTag(mc, 'host').flatMap((h) =>
      h.attrs.hostname ? [{ hostname: h.attrs.hostname, maxContentLengthBytes: seconds(h.attrs.maxContentLengthBytes) }] : [],
    );
    if (hosts.length === 0) throw new IqParseError('media_conn answer has no <host>');
    return { auth, ttl, authTtl: seconds(mc.attrs.auth_ttl) ?? ttl, hosts };
  },
};
