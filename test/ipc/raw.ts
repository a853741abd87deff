/**
 * A bare WebSocket client of the control socket for tests: sends frames as
 * given (valid or not) and waits for the frames that come back, so the
 * server is tested without WadClient in between.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export interface InFrame {
  id: string;
  type: string;
  version: number;
  timestamp: number;
  tenantId?: string;
  conversationId?: string;
  replyTo?: string;
  subscription?: string;
  data: Record<string, any>;
}

export function tempSocket(): { dir: string; socket: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wad-ipc-'));
  return { dir, socket: join(dir, 'wad.sock') };
}

export class Raw {
  readonly frames: InFrame[] = [];
  #waiters: Array<{ pred: (f: InFrame) => boolean; resolve: (f: InFrame) => void }> = [];
  #n = 0;
  closed: { code: number; reason: string } | undefined;
  #closeWaiters: Array<(c: { code: number; reason: string }) => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const f = JSON.parse(data.toString()) as InFrame;
      const i = this.#waiters.findIndex((w) => w.pred(f));
      if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(f);
      else this.frames.push(f);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.#closeWaiters.splice(0)) w(this.closed);
    });
    ws.on('error', () => {});
  }

  static open(socket: string, opts: WebSocket.ClientOptions = {}): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws+unix://${socket}:/`, opts);
      const raw = new Raw(ws);
      ws.once('open', () => resolve(raw));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  static openUrl(url: string, opts: WebSocket.ClientOptions = {}): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, opts);
      const raw = new Raw(ws);
      ws.once('open', () => resolve(raw));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body || '{}') })));
      });
    });
  }

  sendRaw(data: string | Uint8Array, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary, compress: data.length > 1024 });
  }

  send(type: string, data: unknown = {}, extra: Record<string, unknown> = {}): string {
    const id = `t${++this.#n}`;
    this.sendRaw(JSON.stringify({ id, type, version: 1, timestamp: Date.now(), data, ack: true, ...extra }));
    return id;
  }

  /** Sends a request and waits for its answer frame (ack or error with replyTo). */
  async request(type: string, data: unknown = {}, extra: Record<string, unknown> = {}): Promise<InFrame> {
    const id = this.send(type, data, extra);
    return this.next((f) => f.replyTo === id);
  }

  /** The next frame matching pred (already received ones first). */
  next(pred: (f: InFrame) => boolean = () => true, timeoutMs = 10_000): Promise<InFrame> {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (f: InFrame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms; have ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  /** Next frame or the close, whichever comes first. */
  nextOrClose(timeoutMs = 10_000): Promise<InFrame | { closed: { code: number; reason: string } }> {
    if (this.closed && this.frames.length === 0) return Promise.resolve({ closed: this.closed });
    return Promise.race([this.next(() => true, timeoutMs), this.whenClosed().then((closed) => ({ closed }))]);
  }

  whenClosed(): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((r) => this.#closeWaiters.push(r));
  }

  /** Drains frames received so far that match. */
  take(pred: (f: InFrame) => boolean): InFrame[] {
    const out = this.frames.filter(pred);
    for (const f of out) this.frames.splice(this.frames.indexOf(f), 1);
    return out;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const p = this.whenClosed().then(() => {});
    this.ws.close();
    return p;
  }
}
