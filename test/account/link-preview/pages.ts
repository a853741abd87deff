/**
 * A local web server for link preview tests (127.0.0.1 only): routes of
 * pages, images, redirects, oversized and silent answers. Test support only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface Pages {
  readonly base: string;
  readonly port: number;
  /** Paths asked for, in order. */
  readonly hits: string[];
  route(path: string, handler: Route): void;
  close(): Promise<void>;
}

export async function startPages(): Promise<Pages> {
  const routes = new Map<string, Route>();
  const hits: string[] = [];
  const held = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    hits.push(path);
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404).end('no');
      return;
    }
    held.add(res);
    res.on('close', () => held.delete(res));
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    hits,
    route: (path, handler) => void routes.set(path, handler),
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const html = (body: string): Route => (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
};

export const bytes = (type: string, data: Uint8Array): Route => (_req, res) => {
  res.writeHead(200, { 'content-type': type, 'content-length': data.length }).end(data);
};

export const redirect = (to: string): Route => (_req, res) => {
  res.writeHead(302, { location: to }).end();
};

/** An Open Graph page whose image is at `image`. */
export function ogPage(o: { title: string; description?: string; image?: string }): string {
  return `<!doctype html><html><head><title>fallback &amp; title</title>
<meta property="og:title" content="${o.title}">
${o.description ? `<meta property="og:description" content="${o.description}">` : ''}
${o.image ? `<meta property="og:image" content="${o.image}">` : ''}
</head><body><p>hello</p></body></html>`;
}
