/**
 * For the HTTP API's tests: a daemon with its HTTP listener on a free
 * loopback port and two tokens (one global, one limited to some accounts),
 * a JSON client for it, and example values for a request body built from a
 * route's JSON Schema (the OpenAPI walk).
 */
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { daemonWithSocket } from '../ipc/e2e-support.js';

export const GLOBAL = 'global-token-0123456789';
export const SCOPED = 'scoped-token-0123456789';

/** A daemon whose HTTP API listens on 127.0.0.1 (a free port); the scoped token sees only `scopedTo`. */
export async function daemonWithHttp(sim: SimHandle, dataDir: string, scopedTo: string[], over: Array<[string, unknown]> = []): Promise<Daemon> {
  return daemonWithSocket(sim, dataDir, [
    ['http.listen', '127.0.0.1:0'],
    ['tokens', [GLOBAL, { token: SCOPED, accounts: scopedTo }]],
    ['http.rateLimit', { perSecond: 10_000, burst: 10_000 }],
    ['http.accountRateLimit', { perSecond: 10_000, burst: 40_000 }],
    ...over,
  ]);
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export function http(d: Daemon, token: string | null = GLOBAL) {
  const base = d.http!.url;
  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Answer<T>> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (metrics, a page): the text itself.
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return {
    base,
    post: <T = Record<string, unknown>>(path: string, body: unknown = {}) => call<T>('POST', path, body),
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
  };
}

type Schema = { [k: string]: unknown };

/** Values the walk may put in a field, by field name; the first that fits the field's schema wins. */
export type Samples = Record<string, unknown[]>;

/**
 * An example that the schema accepts: required fields only, named values
 * from `samples` where one fits, else the simplest value of the type.
 */
export function exampleOf(schema: Schema, samples: Samples, name = ''): unknown {
  if (Array.isArray(schema['allOf'])) {
    return Object.assign({}, ...(schema['allOf'] as Schema[]).map((s) => exampleOf(s, samples, name)));
  }
  const variants = (schema['oneOf'] ?? schema['anyOf']) as Schema[] | undefined;
  if (variants) return exampleOf(variants[0]!, samples, name);
  for (const v of samples[name] ?? []) if (fits(schema, v)) return v;
  if (Array.isArray(schema['enum'])) return schema['enum'][0];
  switch (schema['type']) {
    case 'object': {
      const props = (schema['properties'] ?? {}) as Record<string, Schema>;
      const out: Record<string, unknown> = {};
      for (const k of (schema['required'] ?? []) as string[]) out[k] = exampleOf(props[k] ?? {}, samples, k);
      return out;
    }
    case 'array': {
      const n = Math.max(1, (schema['minItems'] as number | undefined) ?? 1);
      return Array.from({ length: n }, () => exampleOf((schema['items'] ?? {}) as Schema, samples, `${name}[]`));
    }
    case 'integer':
    case 'number':
      return (schema['minimum'] as number | undefined) ?? 0;
    case 'boolean':
      return false;
    default: {
      const min = (schema['minLength'] as number | undefined) ?? 1;
      return 'x'.repeat(Math.max(1, min));
    }
  }
}

function fits(schema: Schema, v: unknown): boolean {
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).includes(v);
  const t = schema['type'];
  if (t === 'string') {
    if (typeof v !== 'string') return false;
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern']).test(v)) return false;
    return v.length >= ((schema['minLength'] as number | undefined) ?? 0) && v.length <= ((schema['maxLength'] as number | undefined) ?? Infinity);
  }
  if (t === 'array') return Array.isArray(v) && v.every((x) => fits((schema['items'] ?? {}) as Schema, x));
  if (t === 'integer' || t === 'number') return typeof v === 'number';
  if (t === 'boolean') return typeof v === 'boolean';
  if (t === 'object') return typeof v === 'object' && v !== null;
  return true;
}

export interface SseMessage {
  id: string;
  event: string;
  data: { type: string; tenantId?: string; data: Record<string, unknown> };
}

/** An open `GET /v1/events` stream: its messages as they arrive, and a way to wait for one. */
export async function openEvents(d: Daemon, query: string, token: string = GLOBAL, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(`${d.http!.url}/v1/events?${query}`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: ac.signal });
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  const done = (async () => {
    if (!res.ok || !res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]));
          if (fields['data'] === undefined) continue;
          messages.push({ id: fields['id'] ?? '', event: fields['event'] ?? 'message', data: JSON.parse(fields['data']) });
          for (const w of waiters) w();
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    status: res.status,
    messages,
    async next<T>(what: string, find: (m: SseMessage[]) => T | undefined, timeoutMs = 15_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find(messages);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages.map((m) => m.id + ' ' + m.event))}`);
        await new Promise<void>((r) => {
          const w = (): void => {
            waiters.delete(w);
            r();
          };
          waiters.add(w);
          setTimeout(w, 100);
        });
      }
    },
    async close(): Promise<void> {
      ac.abort();
      await done;
    },
  };
}
