/**
 * A scriptable HTTPS media host for failure tests: a self-signed certificate
 * for 127.0.0.1 and localhost (two "hosts" on one server, told apart by the
 * Host header), and a handler the test swaps per case.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export class FakeHost {
  handler: Handler = (_req, res) => res.writeHead(500).end();
  readonly requests: Array<{ method: string; host: string; url: string }> = [];
  private constructor(
    readonly server: Server,
    readonly caPath: string,
  ) {}

  static async start(): Promise<FakeHost> {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
    });
    const caPath = join(mkdtempSync(join(tmpdir(), 'wad-fake-host-')), 'ca.pem');
    writeFileSync(caPath, pems.cert);
    const server = createServer({ key: pems.private, cert: pems.cert });
    const host = new FakeHost(server, caPath);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        host.requests.push({ method: req.method!, host: req.headers.host!, url: req.url! });
        host.handler(req, res, Buffer.concat(chunks));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return host;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Two host names that reach this server. */
  get hosts(): [string, string] {
    return [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
