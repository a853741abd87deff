/**
 * The commands' link to a daemon over its HTTP API (`--url`, `--token`),
 * sending control requests as WadClient does (so the client's verb modules
 * serve the commands over either), plus the verbs whose HTTP form differs
 * from the socket's (adding an account, files, events): control requests
 * are `POST /v1/<noun>/<verb>`, event streams are `GET /v1/events`
 * (Server-Sent Events), files go as multipart/form-data read from disk as
 * they are sent. A failure answer becomes the
 * WadClientError of its code, so the commands explain it as they do for the
 * socket. Owns the HTTP form of what the commands need, nothing more.
 */
import { createWriteStream, openAsBlob } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename } from 'node:path';
import { accountVerbs } from '../client/account-verbs.js';
import type { DownloadedFile } from '../client/download.js';
import { WadClientError, type ClientErrorCode } from '../client/errors.js';
import { kindFromMime, mimeFromName } from '../client/mime.js';
import { linkPreviewData, type LinkPreviewGiven, type SendAnswer } from '../client/messages.js';
import type { SubscribeOptions } from '../client/stream.js';
import type { AccountState, WadEvent } from '../contract/api.js';
import type { RequestMap, RequestType } from '../contract/frames.js';

type Route = { account?: string; chat?: string };

export interface EventSource extends AsyncIterable<WadEvent> {
  close(): Promise<void>;
}

export class HttpLink {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #streams = new Set<AbortController>();
  readonly #accounts = accountVerbs(this);

  constructor(url: string, token: string | undefined) {
    this.#base = url.replace(/\/+$/, '');
    this.#token = token;
  }

  async request<T extends RequestType>(type: T, data: RequestMap[T]['data'], route: Route = {}): Promise<RequestMap[T]['result']> {
    const [noun, verb] = type.split(':') as [string, string];
    const body = { ...(data as Record<string, unknown>), ...(route.account !== undefined ? { account: route.account } : {}), ...(route.chat !== undefined ? { chat: route.chat } : {}) };
    let res: Response;
    try {
      res = await fetch(`${this.#base}/v1/${noun}/${verb}`, { method: 'POST', headers: this.#headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
    } catch (err) {
      throw new WadClientError('UNAVAILABLE', `cannot reach the daemon at ${this.#base}: ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`);
    }
    return this.#answer<RequestMap[T]['result']>(res);
  }

  /** The result of a JSON answer. @throws WadClientError of the answer's code */
  async #answer<R>(res: Response): Promise<R> {
    const answer = (await res.json().catch(() => ({}))) as { success?: boolean; error?: { code?: string; message?: string; details?: Record<string, unknown>; retryAfter?: number } };
    if (res.ok && answer.success === true) {
      const { success: _s, ...result } = answer;
      return result as R;
    }
    const e = answer.error ?? {};
    throw new WadClientError((e.code ?? 'INTERNAL_ERROR') as ClientErrorCode, e.message ?? `HTTP ${res.status}`, e.details, e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {});
  }

  /** Adds the account; its connection:update events (the QRs) reach onUpdate until close(). */
  async addAccount(id: string, opts: { phone?: string; onUpdate?: (ev: WadEvent) => void } = {}): Promise<{ pairCode?: string }> {
    if (opts.onUpdate) {
      const updates = this.subscribe({ accounts: [id], types: ['connection:update'] });
      const onUpdate = opts.onUpdate;
      void (async () => {
        for await (const ev of updates) onUpdate(ev);
      })().catch(() => {});
    }
    return this.request('account:add', opts.phone !== undefined ? { phone: opts.phone } : {}, { account: id });
  }

  /** Polls the account's state (twice a second) until it is one of `states`. @throws WadClientError TIMEOUT */
  async waitForState(id: string, opts: { states?: AccountState[]; timeoutMs?: number } = {}): Promise<AccountState> {
    const states = opts.states ?? ['online'];
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const { state } = await this.#accounts.accountStatus(id);
      if (states.includes(state)) return state;
      if (Date.now() > deadline) throw new WadClientError('TIMEOUT', `account ${id} is still ${state}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async sendText(account: string, chat: string, text: string, opts: { quoted?: string } = {}): Promise<string> {
    return (await this.request('message:send', { type: 'text', content: text, ...opts }, { account, chat })).messageId;
  }

  /** A text with a link preview (see WadClient.sendLink). */
  async sendLink(account: string, chat: string, text: string, preview: true | LinkPreviewGiven, opts: { quoted?: string } = {}): Promise<SendAnswer> {
    return this.request('message:send', { type: 'text', content: text, ...opts, linkPreview: linkPreviewData(preview) }, { account, chat });
  }

  /** multipart/form-data with the file read from disk as it is sent (constant memory). */
  async sendFile(account: string, chat: string, path: string, opts: { caption?: string; mimeType?: string; quoted?: string; audience?: string[]; ptt?: boolean; viewOnce?: boolean } = {}): Promise<string> {
    const name = basename(path);
    const mimeType = opts.mimeType ?? mimeFromName(name);
    const form = new FormData();
    form.set('account', account);
    form.set('chat', chat);
    form.set('type', kindFromMime(mimeType));
    form.set('mimeType', mimeType);
    if (opts.caption !== undefined) form.set('caption', opts.caption);
    if (opts.quoted !== undefined) form.set('quoted', opts.quoted);
    if (opts.ptt) form.set('ptt', 'true');
    if (opts.viewOnce) form.set('viewOnce', 'true');
    for (const jid of opts.audience ?? []) form.append('audience', jid);
    form.set('file', await openAsBlob(path, { type: mimeType }), name);
    let res: Response;
    try {
      res = await fetch(`${this.#base}/v1/message/send`, { method: 'POST', headers: this.#headers({}), body: form });
    } catch (err) {
      throw new WadClientError('UNAVAILABLE', `cannot reach the daemon at ${this.#base}: ${(err as Error).message}`);
    }
    return (await this.#answer<RequestMap['message:send']['result']>(res)).messageId;
  }

  /**
   * `GET /v1/media/:account/:chat/:messageId`: the file the daemon verified
   * before sending its first byte, into memory or a new 0600 file (`to`;
   * removed again if the transfer breaks). @throws WadClientError of the answer's code
   */
  async downloadMedia(account: string, chat: string, messageId: string, opts: { to?: string } = {}): Promise<DownloadedFile> {
    const url = `${this.#base}/v1/media/${[account, chat, messageId].map(encodeURIComponent).join('/')}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.#headers({}) });
    } catch (err) {
      throw new WadClientError('UNAVAILABLE', `cannot reach the daemon at ${this.#base}: ${(err as Error).message}`);
    }
    if (!res.ok || !res.body) return this.#answer<never>(res);
    const mimeType = res.headers.get('content-type') ?? 'application/octet-stream';
    const disposition = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
    const facts = { type: kindFromMime(mimeType), mimeType, ...(disposition !== undefined ? { fileName: decodeURIComponent(disposition) } : {}) };
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    if (opts.to === undefined) {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
      const data = Buffer.concat(chunks);
      return { ...facts, fileLength: data.length, data };
    }
    const out = createWriteStream(opts.to, { flags: 'wx', mode: 0o600 });
    try {
      await pipeline(body, out);
    } catch (err) {
      await rm(opts.to, { force: true });
      throw new WadClientError('UNAVAILABLE', `download of ${messageId} broke off: ${(err as Error).message}`, { media: 'NETWORK' });
    }
    return { ...facts, fileLength: out.bytesWritten, path: opts.to };
  }

  /** `GET /v1/events` as events; with untilSynced it ends once the backlog is through. */
  subscribe(opts: SubscribeOptions): EventSource {
    const ac = new AbortController();
    this.#streams.add(ac);
    const q = new URLSearchParams();
    if (opts.name !== undefined) q.set('name', opts.name);
    if (opts.accounts) q.set('accounts', opts.accounts.join(','));
    if (opts.types) q.set('types', opts.types.join(','));
    if (typeof opts.since === 'number') q.set('since', String(opts.since));
    else if (opts.since) q.set('since', Object.entries(opts.since).map(([a, s]) => `${a}:${s}`).join(','));
    const url = `${this.#base}/v1/events?${q.toString()}`;
    const headers = this.#headers({ accept: 'text/event-stream' });
    const self = this;
    async function* events(): AsyncGenerator<WadEvent> {
      const res = await fetch(url, { headers, signal: ac.signal }).catch((err: unknown) => {
        throw new WadClientError('UNAVAILABLE', `cannot reach the daemon at ${self.#base}: ${(err as Error).message}`);
      });
      if (!res.ok || !res.body) {
        const e = ((await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } }).error ?? {};
        throw new WadClientError((e.code ?? 'INTERNAL_ERROR') as ClientErrorCode, e.message ?? `HTTP ${res.status}`);
      }
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const data = block.split('\n').find((l) => l.startsWith('data:'));
            if (!data) continue;
            const f = JSON.parse(data.slice(5)) as { type: string; tenantId?: string; conversationId?: string; timestamp: number; data: Record<string, unknown> };
            if (f.type === 'events:synced') {
              if (opts.untilSynced) return;
              continue;
            }
            const seq = f.data['seq'];
            if (typeof seq !== 'number' || f.tenantId === undefined) continue;
            yield { account: f.tenantId, seq, type: f.type as WadEvent['type'], t: f.timestamp, ...(f.conversationId !== undefined ? { conversationId: f.conversationId } : {}), data: f.data };
            if (opts.name !== undefined && opts.autoAck !== false) await self.request('events:ack', { name: opts.name, account: f.tenantId, seq });
          }
        }
      } catch (err) {
        if (!ac.signal.aborted) throw err;
      } finally {
        ac.abort();
        self.#streams.delete(ac);
      }
    }
    const it = events();
    return {
      [Symbol.asyncIterator]: () => it,
      close: async () => {
        ac.abort();
        await it.return(undefined);
      },
    };
  }

  async close(): Promise<void> {
    for (const ac of this.#streams) ac.abort();
    this.#streams.clear();
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    return { ...extra, ...(this.#token !== undefined ? { authorization: `Bearer ${this.#token}` } : {}) };
  }
}
