/**
 * Opens one WebSocket to the daemon — `ws+unix:` for the socket, or a ws://
 * URL with a bearer token — and turns the ways it can fail into
 * WadClientError: no daemon (UNAVAILABLE), refused (the daemon's 401/503 body
 * carries the contract code), too slow (TIMEOUT). Owns the handshake only.
 */
import WebSocket from 'ws';
import { WadClientError } from './errors.js';
import { isErrorCode } from '../contract/errors.js';

export interface Endpoint {
  socket?: string | undefined;
  url?: string | undefined;
  token?: string | undefined;
  maxPayload?: number | undefined;
  /** Offer permessage-deflate; default: only over TCP (`url`). */
  compression?: boolean | undefined;
}

export function describe(ep: Endpoint): string {
  return ep.url ?? ep.socket ?? '(nowhere)';
}

/** @throws WadClientError UNAVAILABLE, AUTH_REQUIRED, AUTH_INVALID, TOKEN_EXPIRED, TIMEOUT */
export function openSocket(ep: Endpoint, timeoutMs: number): Promise<WebSocket> {
  const url = ep.url ?? `ws+unix://${ep.socket}:/`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: ep.token ? { Authorization: `Bearer ${ep.token}` } : {},
      // On the local socket compression costs CPU at both ends and saves nothing (a media
      // download went from ~17 to ~250 MiB/s without it); over a network it saves bytes.
      perMessageDeflate: (ep.compression ?? ep.url !== undefined) ? { threshold: 1024 } : false,
      maxPayload: ep.maxPayload ?? 256 << 20,
      handshakeTimeout: timeoutMs,
    });
    let settled = false;
    const fail = (err: WadClientError): void => {
      if (settled) return;
      settled = true;
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(err);
    };
    ws.once('open', () => {
      if (settled) return;
      settled = true;
      ws.removeAllListeners('unexpected-response');
      resolve(ws);
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      const where = describe(ep);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        fail(new WadClientError('UNAVAILABLE', `no wad daemon is listening on ${where} (start one with \`wad daemon\`)`, { errno: err.code }, { cause: err }));
      } else if (err.code === 'EACCES') {
        fail(new WadClientError('FORBIDDEN', `permission denied on ${where} (the socket belongs to another user)`, { errno: err.code }, { cause: err }));
      } else if (/timed out/i.test(err.message)) {
        fail(new WadClientError('TIMEOUT', `the daemon on ${where} did not answer within ${timeoutMs} ms`, undefined, { cause: err }));
      } else {
        fail(new WadClientError('UNAVAILABLE', `cannot reach the daemon on ${where}: ${err.message}`, { errno: err.code }, { cause: err }));
      }
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 4096) body += c;
      });
      res.on('end', () => {
        let code: unknown;
        let message = `the daemon refused the connection (HTTP ${res.statusCode})`;
        try {
          const j = JSON.parse(body) as { code?: unknown; message?: unknown };
          code = j.code;
          if (typeof j.message === 'string') message = j.message;
        } catch {
          // Not ours: keep the status line.
        }
        fail(new WadClientError(isErrorCode(code) ? code : res.statusCode === 401 ? 'AUTH_INVALID' : 'UNAVAILABLE', message, { status: res.statusCode }));
      });
    });
  });
}
