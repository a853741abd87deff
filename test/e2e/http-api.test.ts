// The HTTP API against a real daemon and the simulator: every route of the
// OpenAPI document is called with a body built from its own schema and
// reaches the daemon (no schema the checks refuse, no route missing), text
// sent over HTTP arrives at the phone, errors map to their statuses, and a
// token limited to some accounts sees and touches nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import { REQUEST_TYPES } from '../../src/contract/frames.js';
import { rmSync, writeFileSync } from 'node:fs';
import { runAccount } from '../../src/cli/account.js';
import { runSend } from '../../src/cli/send.js';
import { runWebhook } from '../../src/cli/webhook.js';
import { runCommunity } from '../../src/cli/community.js';
import { runChat, runMessages } from '../../src/cli/chat.js';
import type { SimHandle } from '../../src/sim/index.js';
import { routeOf } from '../../src/http/index.js';
import { sim as startSim, tempDir } from './support/daemon.js';
import { captureCli, type CliResult } from './support/cli-capture.js';
import { admin, jidOf, until } from '../ipc/e2e-support.js';
import { daemonWithHttp, exampleOf, GLOBAL, http, openEvents, SCOPED, type Samples } from '../http/support.js';

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let api: ReturnType<typeof http>;

const PA = '15550300001';
const PEER = '15550300002';
const PB = '15550300003';
const PC = '15550300004';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { account: runAccount, send: runSend, webhook: runWebhook, community: runCommunity, chat: runChat, messages: runMessages };

/** Runs `wad <args>` in this process, capturing what it prints. */
function cli(args: string[]): Promise<CliResult> {
  const [cmd, ...rest] = args;
  return captureCli(COMMANDS[cmd!]!, rest);
}

/** Adds an account over HTTP and links it by the QR of its first connection:update (read from the daemon's events). */
async function linkOverHttp(id: string, phone: string): Promise<void> {
  let qr: string | undefined;
  const off = d.onEvent((e: WadEvent) => {
    if (e.account === id && typeof e.data['qr'] === 'string') qr ??= e.data['qr'];
  });
  const added = await api.post('/v1/account/add', { account: id });
  expect(added.status).toBe(200);
  await until(`QR of ${id}`, () => qr);
  off();
  await admin(s, 'POST', `/phones/${phone}/link`, { qr });
  await until(`${id} online`, async () => (await api.post('/v1/account/status', { account: id })).body['state'] === 'online', 20_000);
}

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-http-');
  for (const p of [PA, PEER, PB, PC]) await admin(s, 'POST', '/phones', { phone: p, name: `U${p.slice(-1)}` });
  d = await daemonWithHttp(s, dir.path, ['b']);
  api = http(d);
  await linkOverHttp('a', PA);
  await linkOverHttp('b', PB);
}, 60_000);

afterAll(async () => {
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('HTTP API', () => {
  it('sends a text with POST /v1/message/send and the phone receives it', async () => {
    const r = await api.post('/v1/message/send', { account: 'a', chat: PEER, type: 'text', content: 'hello over http' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, messageId: expect.any(String) });
    const got = await until('the phone got it', async () => {
      const msgs = await admin<Array<{ id: string; text: string }>>(s, 'GET', `/phones/${PEER}/messages`);
      return msgs.find((m) => m.id === r.body['messageId']);
    });
    expect(got.text).toBe('hello over http');
  });

  it('maps errors to statuses: 400 with the field, 401, 404, 409', async () => {
    const missing = await api.post('/v1/message/send', { account: 'a', type: 'text', content: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ success: false, error: { code: 'MISSING_FIELD', details: { field: 'chat' } } });
    const bad = await api.post('/v1/message/send', { account: 'a', chat: PEER, type: 'text', content: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'INVALID_PAYLOAD', details: { field: 'content' } } });
    const notJson = await fetch(`${api.base}/v1/account/list`, { method: 'POST', headers: { authorization: `Bearer ${GLOBAL}`, 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    expect((await http(d, null).post('/v1/account/list')).body).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    const wrong = await http(d, 'global-token-0123456788').post('/v1/account/list');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect((await api.post('/v1/account/status', { account: 'nobody' })).status).toBe(404);
    expect((await api.post('/v1/account/add', { account: 'a' })).status).toBe(409);
    expect((await api.post('/v1/no/such')).status).toBe(404);
  });

  it('answers 429 with Retry-After past the token rate limit', async () => {
    const d2 = await daemonWithHttp(s, `${dir.path}-rl`, [], [['http.rateLimit', { perSecond: 0.01, burst: 2 }]]);
    try {
      const c = http(d2);
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await c.post('/v1/account/list');
        codes.push(r.status);
        if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      expect(codes).toEqual([200, 200, 429, 429]);
    } finally {
      await d2.stop();
    }
  });

  it('needs no token for /healthz and /readyz, and a token for everything else', async () => {
    const anon = http(d, null);
    expect((await anon.get('/healthz')).status).toBe(200);
    expect((await anon.get('/readyz')).body).toMatchObject({ ready: true, accounts: 2 });
    expect((await anon.get('/v1/openapi.json')).status).toBe(401);
  });

  it('a scoped token sees and touches only its accounts', async () => {
    const scoped = http(d, SCOPED);
    const list = await scoped.post<{ accounts: Array<{ id: string }> }>('/v1/account/list');
    expect(list.body.accounts.map((a) => a.id)).toEqual(['b']);
    expect((await scoped.post('/v1/account/status', { account: 'b' })).body).toMatchObject({ id: 'b', state: 'online' });
    for (const [path, body] of [
      ['/v1/account/status', { account: 'a' }],
      ['/v1/account/stop', { account: 'a' }],
      ['/v1/account/remove', { id: 'a' }],
      ['/v1/message/send', { account: 'a', chat: PEER, type: 'text', content: 'not mine' }],
      ['/v1/events/ack', { name: 'snoop', account: 'a', seq: 1 }],
    ] as const) {
      const r = await scoped.post(path, body);
      expect(r.status, path).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect((await api.post('/v1/account/status', { account: 'a' })).body['state']).toBe('online');
    const sent = await scoped.post('/v1/message/send', { account: 'b', chat: PEER, type: 'text', content: 'from b' });
    expect(sent.status).toBe(200);
  });

  it('streams events as Server-Sent Events; a durable name resumes after its last ack', async () => {
    const say = (text: string) => admin<{ id: string }>(s, 'POST', `/phones/${PEER}/messages`, { to: jidOf(PA), text }).then((r) => r.id);
    const live = await openEvents(d, 'accounts=a&types=message:new');
    expect(live.status).toBe(200);
    const first = await say('sse live');
    const m = await live.next('the live message', (ms) => ms.find((x) => x.data.data['id'] === first));
    expect(m).toMatchObject({ event: 'message:new', id: `a:${m.data.data['seq']}`, data: { type: 'message:new', tenantId: 'a' } });
    await live.close();

    const durable = await openEvents(d, 'name=sse-sink&accounts=a&types=message:new');
    const one = await say('sse durable one');
    const got = await durable.next('the first durable message', (ms) => ms.find((x) => x.data.data['id'] === one));
    const acked = await api.post('/v1/events/ack', { name: 'sse-sink', account: 'a', seq: got.data.data['seq'] });
    expect(acked.body).toMatchObject({ success: true, cursor: got.data.data['seq'] });
    await durable.close();
    const two = await say('sse durable two');
    const three = await say('sse durable three');
    const again = await openEvents(d, 'name=sse-sink&accounts=a&types=message:new');
    const after = await again.next('both messages sent while away', (ms) => {
      const ids = ms.map((x) => x.data.data['id']);
      return ids.includes(two) && ids.includes(three) ? ids : undefined;
    });
    // From the ack on: nothing before it again, nothing missed.
    expect(after).not.toContain(one);
    expect(after.indexOf(two)).toBeLessThan(after.indexOf(three));
    await again.close();

    // A scoped token may not stream another account's events; a bad query is a 400 naming the field.
    expect((await openEvents(d, 'accounts=a', SCOPED)).status).toBe(403);
    const bad = await fetch(`${api.base}/v1/events?types=nope`, { headers: { authorization: `Bearer ${GLOBAL}` } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_PAYLOAD', details: { field: 'types[0]' } } });
  });

  it('serves Prometheus metrics whose counters move with the traffic, and only its accounts to a scoped token', async () => {
    const value = (text: string, series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      return line === undefined ? NaN : Number(line.slice(series.length + 1));
    };
    const before = (await api.get<string>('/metrics')).body;
    expect(value(before, 'wad_account_state{account="a",state="online"}')).toBe(1);
    expect(before).toContain('wad_process_resident_memory_bytes');
    const sentBefore = value(before, 'wad_messages_sent_total{account="a"}');
    const receivedBefore = value(before, 'wad_messages_received_total{account="a"}');
    expect(sentBefore).toBeGreaterThanOrEqual(1);

    await api.post('/v1/message/send', { account: 'a', chat: PEER, type: 'text', content: 'counted' });
    const id = (await admin<{ id: string }>(s, 'POST', `/phones/${PEER}/messages`, { to: jidOf(PA), text: 'counted in' })).id;
    await until('received', async () => (await d.readEvents('a', 0, 1000)).some((e) => e.data['id'] === id));
    const after = (await api.get<string>('/metrics')).body;
    expect(value(after, 'wad_messages_sent_total{account="a"}')).toBe(sentBefore + 1);
    expect(value(after, 'wad_messages_received_total{account="a"}')).toBe(receivedBefore + 1);
    expect(value(after, 'wad_event_log_events{account="a"}')).toBeGreaterThan(value(before, 'wad_event_log_events{account="a"}'));

    const scoped = (await http(d, SCOPED).get<string>('/metrics')).body;
    expect(scoped).toContain('account="b"');
    expect(scoped).not.toContain('account="a"');
    expect((await http(d, null).get('/metrics')).status).toBe(401);
  });

  it('keeps webhooks of a scoped token to its accounts', async () => {
    const scoped = http(d, SCOPED);
    expect((await scoped.post('/v1/webhook/add', { url: 'http://127.0.0.1:9/x' })).status).toBe(403);
    expect((await scoped.post('/v1/webhook/add', { url: 'http://127.0.0.1:9/x', accounts: ['a'] })).status).toBe(403);
    const mine = await scoped.post('/v1/webhook/add', { url: 'http://127.0.0.1:9/mine', accounts: ['b'], events: ['call:incoming'] });
    expect(mine.body).toMatchObject({ success: true, id: expect.any(String), secret: expect.any(String) });
    const global = await api.post('/v1/webhook/add', { url: 'http://127.0.0.1:9/all', events: ['call:incoming'] });
    const seen = await scoped.post<{ webhooks: Array<{ id: string }> }>('/v1/webhook/list');
    expect(seen.body.webhooks.map((w) => w.id)).toEqual([mine.body['id']]);
    expect((await scoped.post('/v1/webhook/remove', { id: global.body['id'] })).status).toBe(404);
    const all = await api.post<{ webhooks: Array<{ id: string; state: string; accounts: string[] | null }> }>('/v1/webhook/list');
    expect(all.body.webhooks).toEqual(expect.arrayContaining([expect.objectContaining({ id: global.body['id'], accounts: null, state: 'active' })]));
    for (const w of [mine.body['id'], global.body['id']]) expect((await api.post('/v1/webhook/remove', { id: w })).status).toBe(200);
    expect((await api.post<{ webhooks: unknown[] }>('/v1/webhook/list')).body.webhooks).toEqual([]);
  });

  it('the CLI drives the daemon over HTTP with --url and --token', async () => {
    const wad = (...args: string[]) => cli([...args, '--url', api.base, '--token', GLOBAL]);
    const list = await wad('account', 'list', '--json');
    expect(list.code, list.err).toBe(0);
    expect(list.out.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['a', 'b']);
    const sent = await wad('send', 'a', PEER, 'from', 'the', 'cli');
    expect(sent.code, sent.err).toBe(0);
    const messageId = sent.out.trim();
    await until('the phone got the CLI message', async () => (await admin<Array<{ id: string; text: string }>>(s, 'GET', `/phones/${PEER}/messages`)).find((m) => m.id === messageId && m.text === 'from the cli'));
    // The account and stored-message verbs the socket's client shares with the HTTP link.
    const status = await wad('account', 'status', 'a', '--json');
    expect(JSON.parse(status.out), status.err).toMatchObject({ id: 'a', state: 'online' });
    const stored = await wad('messages', 'a', PEER, '--json');
    expect(stored.out.trim().split('\n').map((l) => JSON.parse(l)), stored.err).toContainEqual(expect.objectContaining({ id: messageId, fromMe: true }));
    const chats = await wad('chat', 'list', 'a', '--json');
    expect(chats.out.trim().split('\n').map((l) => JSON.parse(l).jid), chats.err).toContain(jidOf(PEER));
    const file = `${dir.path}-cli.pdf`;
    writeFileSync(file, Buffer.alloc(50_000, 7));
    const sentFile = await wad('send', 'a', PEER, '--file', file, '--caption', 'cli file');
    expect(sentFile.code, sentFile.err).toBe(0);
    const fileBack = await fetch(`${api.base}/v1/media/a/${encodeURIComponent(jidOf(PEER))}/${sentFile.out.trim()}`, { headers: { authorization: `Bearer ${GLOBAL}` } });
    expect(Buffer.from(await fileBack.arrayBuffer()).equals(Buffer.alloc(50_000, 7))).toBe(true);
    rmSync(file);
    const added = await wad('webhook', 'add', 'http://127.0.0.1:9/cli', '--accounts', 'a', '--events', 'call:incoming', '--json');
    expect(added.code, added.err).toBe(0);
    const { id } = JSON.parse(added.out) as { id: string };
    const hooks = await wad('webhook', 'list', '--json');
    expect(hooks.code, hooks.err).toBe(0);
    expect(hooks.out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ id, accounts: ['a'], events: ['call:incoming'], state: 'active' })]);
    expect((await wad('webhook', 'remove', id)).code).toBe(0);
    // Communities over HTTP: made, a group linked, the tree read back.
    const made = await wad('community', 'create', 'a', 'Hall', '--json');
    expect(made.code, made.err).toBe(0);
    const hall = JSON.parse(made.out) as { jid: string; announcementsJid: string };
    const street = (await api.post<{ jid: string }>('/v1/group/create', { account: 'a', subject: 'street', participants: [PEER] })).body.jid;
    const linked = await wad('community', 'link', 'a', hall.jid, street);
    expect(linked, linked.err).toMatchObject({ code: 0, out: `${street.padEnd(32)} 200 done\n` });
    const tree = await wad('community', 'info', 'a', street, '--json');
    expect(JSON.parse(tree.out)).toMatchObject({ jid: hall.jid, announcementsJid: hall.announcementsJid, groups: [{ jid: hall.announcementsJid, isAnnouncements: true }, { jid: street, subject: 'street' }] });
    const denied = await cli(['account', 'list', '--url', api.base, '--token', 'wrong-token-0123456789']);
    expect(denied.code).toBe(1);
    expect(denied.err.trim().split('\n')).toHaveLength(1);
    expect(denied.err).toMatch(/^wad account list: unknown token/);
  });

  it('sends a file as multipart/form-data and streams it back from GET /v1/media', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
    const form = new FormData();
    form.set('account', 'a');
    form.set('chat', PEER);
    form.set('caption', 'a multipart file');
    form.set('file', new Blob([bytes], { type: 'application/pdf' }), 'report.pdf');
    const res = await fetch(`${api.base}/v1/message/send`, { method: 'POST', headers: { authorization: `Bearer ${GLOBAL}` }, body: form });
    const sent = (await res.json()) as { success: boolean; messageId: string };
    expect(res.status, JSON.stringify(sent)).toBe(200);
    await until('the phone got the file', async () => (await admin<Array<{ id: string }>>(s, 'GET', `/phones/${PEER}/messages`)).find((m) => m.id === sent.messageId));

    const back = await fetch(`${api.base}/v1/media/a/${encodeURIComponent(jidOf(PEER))}/${sent.messageId}`, { headers: { authorization: `Bearer ${GLOBAL}` } });
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('application/pdf');
    expect(back.headers.get('content-disposition')).toContain('report.pdf');
    expect(Buffer.from(await back.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

    const scoped = await fetch(`${api.base}/v1/media/a/${encodeURIComponent(jidOf(PEER))}/${sent.messageId}`, { headers: { authorization: `Bearer ${SCOPED}` } });
    expect(scoped.status).toBe(403);
    const missing = await fetch(`${api.base}/v1/media/a/${encodeURIComponent(jidOf(PEER))}/NOSUCHMESSAGE`, { headers: { authorization: `Bearer ${GLOBAL}` } });
    expect(missing.status).toBe(404);
    const noFile = new FormData();
    noFile.set('account', 'a');
    noFile.set('chat', PEER);
    const refused = await fetch(`${api.base}/v1/message/send`, { method: 'POST', headers: { authorization: `Bearer ${GLOBAL}` }, body: noFile });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'MISSING_FIELD', details: { field: 'file' } } });
  });

  it('every route of the OpenAPI document reaches the daemon with a body built from its own schema', async () => {
    const doc = (await api.get<{ openapi: string; paths: Record<string, Record<string, { operationId?: string; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>> }>('/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    // The console's own helper route is not a control type.
    expect(doc.paths['/v1/console/qr']).toBeDefined();
    const posts = Object.entries(doc.paths).flatMap(([path, ops]) => (ops['post'] && path !== '/v1/console/qr' ? [{ path, op: ops['post'] }] : []));
    // One route per control type that is not a socket connection's own (subscriptions, binary downloads).
    const expected = REQUEST_TYPES.filter((t) => !['events:subscribe', 'events:unsubscribe', 'media:download'].includes(t)).map(routeOf);
    expect(posts.map((p) => p.path).sort()).toEqual([...expected].sort());

    const group = await api.post('/v1/group/create', { account: 'a', subject: 'walk', participants: [PEER] });
    expect(group.status).toBe(200);
    const sent = await api.post('/v1/message/send', { account: 'a', chat: PEER, type: 'text', content: 'walk target' });
    // Channel requests walk a channel of our own (the owner may not unfollow it: a refusal, not a 400).
    const channel = await api.post('/v1/newsletter/create', { account: 'a', name: 'walk' });
    expect(channel.status).toBe(200);
    const messageId = sent.body['messageId'] as string;
    const samples: Samples = {
      account: ['a'],
      chat: [jidOf(PEER)],
      id: ['a'],
      messageId: [messageId],
      quoted: [messageId],
      pollId: [messageId],
      messageIds: [[messageId]],
      participants: [[jidOf(PC)]],
      phone: [PA],
      'phones[]': [PA],
      jid: [jidOf(PEER)],
      from: [jidOf(PEER)],
      callId: ['C0FFEE00C0FFEE00C0FFEE00C0FFEE00'],
      name: ['walker'],
      subject: ['walked'],
      content: ['walked'],
      emoji: ['👍'],
      url: ['http://127.0.0.1:9/walk'],
      'groups[]': [group.body['jid']],
    };
    // Last: the requests that take the account away.
    const LAST = ['/v1/account/restart', '/v1/account/stop', '/v1/account/logout', '/v1/account/remove'];
    posts.sort((x, y) => LAST.indexOf(x.path) - LAST.indexOf(y.path));
    const outcomes: Record<string, string> = {};
    for (const { path, op } of posts) {
      const schema = op.requestBody?.content['application/json']?.schema ?? {};
      const chat = path.startsWith('/v1/group/') || path.startsWith('/v1/community/') ? [group.body['jid']] : samples['chat']!;
      const jid = path.startsWith('/v1/newsletter/') ? [channel.body['jid']] : samples['jid']!;
      const body = exampleOf(schema, { ...samples, chat, jid }) as Record<string, unknown>;
      const r = await api.post(path, body);
      const error = (r.body as { error?: { code: string; message: string } }).error;
      outcomes[path] = r.status === 200 ? 'ok' : `${r.status} ${error?.code}: ${error?.message}`;
      // The body its own schema describes passes the checks, the route exists, nothing breaks.
      expect([400, 500].includes(r.status) || (r.status === 404 && error?.message.startsWith('no route')), `${path} ${JSON.stringify(body)} → ${outcomes[path]}`).toBe(false);
    }
    if (process.env['WAD_TEST_LOG']) console.log(outcomes);
    // The core requests did what they say.
    for (const p of ['/v1/account/list', '/v1/account/status', '/v1/message/send', '/v1/message/react', '/v1/message/edit', '/v1/message/read', '/v1/typing/start', '/v1/group/metadata', '/v1/events/ack', '/v1/account/remove']) {
      expect(outcomes[p], p).toBe('ok');
    }
    expect((await api.post('/v1/account/status', { account: 'a' })).status).toBe(404);
  }, 60_000);
});
