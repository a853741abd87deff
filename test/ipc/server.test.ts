/**
 * The control server against a fake DaemonApi, driven only through its
 * socket: every request type answered once, contract error codes, the
 * account:add watcher, the socket file's mode and stale-socket handling.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { DaemonError } from '../../src/contract/errors.js';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import type { FakeDaemon } from './fake-daemon.js';
import { fakeWorld, rawClients } from './fake-world.js';
import { Raw } from './raw.js';

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;
const raw = rawClients(() => socket);
const open = raw.open;

beforeEach(async () => {
  ({ fake, server, dir, socket } = await fakeWorld());
});

afterEach(async () => {
  await raw.closeAll();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('socket file', () => {
  it('is a socket with mode 0600, removed on close', async () => {
    const st = statSync(socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    await server.close();
    expect(existsSync(socket)).toBe(false);
    server = await startIpcServer(fake, { socketPath: socket });
  });

  it('refuses to start while another server listens, replaces a dead socket, never touches a regular file', async () => {
    await expect(startIpcServer(fake, { socketPath: socket })).rejects.toMatchObject({ code: 'SOCKET_IN_USE' });
    // The running server still answers.
    const c = await open();
    expect((await c.request('account:list')).data.success).toBe(true);

    const dead = `${dir}/dead.sock`;
    // A daemon killed with SIGKILL leaves its socket file behind, with nobody accepting.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(dead)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(existsSync(dead)).toBe(true);
    const second = await startIpcServer(fake, { socketPath: dead });
    const c2 = await Raw.open(dead);
    expect((await c2.request('account:list')).data.success).toBe(true);
    await c2.close();
    await second.close();

    const file = `${dir}/file.sock`;
    writeFileSync(file, 'not a socket');
    await expect(startIpcServer(fake, { socketPath: file })).rejects.toMatchObject({ code: 'SOCKET_PATH' });
  });

  it('answers plain HTTP with 426', async () => {
    const res = await new Promise<number>((resolve) => {
      import('node:http').then(({ request }) => {
        const req = request({ socketPath: socket, path: '/' }, (r) => resolve(r.statusCode!));
        req.end();
      });
    });
    expect(res).toBe(426);
  });
});

describe('requests', () => {
  it('runs every request type through exactly one DaemonApi method, one ack each', async () => {
    const c = await open();
    const A = { tenantId: 'alice' };
    const chat = { tenantId: 'alice', conversationId: '15550002222' };
    const cases: Array<[string, unknown, Record<string, unknown>, string, (d: Record<string, any>) => void]> = [
      ['account:list', {}, {}, 'listAccounts', (d) => expect(d.accounts.map((a: { id: string }) => a.id)).toEqual(['alice', 'bob'])],
      ['account:status', {}, A, 'accountStatus', (d) => expect(d).toMatchObject({ id: 'alice', state: 'online' })],
      ['account:status', { id: 'bob' }, {}, 'accountStatus', (d) => expect(d.id).toBe('bob')],
      ['account:pair-code', { phone: '+15550003333' }, A, 'requestPairCode', (d) => expect(d.pairCode).toBe('WXYZ9876')],
      ['message:send', { type: 'text', content: 'hi' }, chat, 'sendMessage', (d) => expect(d.messageId).toMatch(/^3EB0/)],
      ['message:send', { type: 'reply', content: 'yes', quoted: 'Q1' }, chat, 'sendMessage', (d) => expect(d.messageId).toBeTruthy()],
      ['message:send', { type: 'location', latitude: 1.5, longitude: 2 }, chat, 'sendMessage', (d) => expect(d.messageId).toBeTruthy()],
      ['message:send', { type: 'contact', displayName: 'Z', vcard: 'BEGIN:VCARD' }, chat, 'sendMessage', (d) => expect(d.messageId).toBeTruthy()],
      ['message:send', { type: 'poll', name: 'lunch?', options: ['a', 'b'] }, chat, 'sendMessage', (d) => expect(d.messageId).toBeTruthy()],
      ['message:send', { type: 'poll-vote', pollId: 'P1', options: ['a'] }, chat, 'sendMessage', (d) => expect(d.messageId).toBeTruthy()],
      ['message:send', { type: 'reaction', messageId: 'M1', emoji: '👍' }, chat, 'sendMessage', (d) => expect(d.messageId).toBeTruthy()],
      ['message:send', { type: 'image', base64: Buffer.from('png!').toString('base64'), mimeType: 'image/png', caption: 'c' }, chat, 'sendMessage', (d) => expect(d.messageId).toBeTruthy()],
      ['message:edit', { messageId: 'M1', content: 'new' }, chat, 'editMessage', (d) => expect(d.messageId).toBe('M1')],
      ['message:delete', { messageId: 'M1' }, chat, 'deleteMessage', (d) => expect(d.messageId).toBe('M1')],
      ['message:react', { messageId: 'M1', emoji: '' }, chat, 'react', (d) => expect(d.messageId).toBe('R-M1')],
      ['message:read', { messageIds: ['M1', 'M2'] }, chat, 'markRead', () => {}],
      ['typing:start', {}, chat, 'sendChatState', () => {}],
      ['typing:stop', {}, chat, 'sendChatState', () => {}],
      ['presence:update', { status: 'available' }, A, 'sendPresence', () => {}],
      ['group:create', { subject: 'g', participants: ['15550002222'] }, A, 'createGroup', (d) => expect(d.jid).toMatch(/@g\.us$/)],
      ['group:metadata', {}, { tenantId: 'alice', conversationId: '120363000000000001@g.us' }, 'groupMetadata', (d) => expect(d.subject).toBe('Fake group')],
      ['group:participants', { action: 'add', participants: ['15550002222'] }, { tenantId: 'alice', conversationId: '120363000000000001' }, 'groupParticipants', (d) => expect(d.participants).toEqual([{ jid: '15550002222@s.whatsapp.net', status: 200 }])],
      ['account:restart', {}, A, 'restartAccount', () => {}],
      ['account:stop', { id: 'alice' }, {}, 'stopAccount', () => {}],
      ['account:start', {}, A, 'startAccount', () => {}],
      ['account:logout', {}, { tenantId: 'bob' }, 'logoutAccount', () => {}],
      ['account:remove', {}, { tenantId: 'bob' }, 'removeAccount', () => {}],
    ];
    for (const [type, data, extra, method, check] of cases) {
      const before = fake.calls.length;
      const ans = await c.request(type, data, extra);
      expect(ans.type, type).toBe('ack');
      expect(ans.data.success, `${type}: ${JSON.stringify(ans.data)}`).toBe(true);
      check(ans.data);
      const made = fake.calls.slice(before).filter((x) => !['readEvents', 'ackEvents'].includes(x.method));
      expect(made.map((x) => x.method), type).toEqual([method]);
    }
    // Jids were normalized before they reached the daemon.
    const send = fake.calls.find((x) => x.method === 'sendMessage')!;
    expect(send.args.slice(0, 2)).toEqual(['alice', '15550002222@s.whatsapp.net']);
    expect(fake.calls.filter((x) => x.method === 'sendChatState').map((x) => x.args[2])).toEqual(['composing', 'paused']);
    expect(fake.media[0]!.bytes).toEqual(new Uint8Array(Buffer.from('png!')));
    // Nothing arrived that was not an answer.
    expect(c.frames).toEqual([]);
  });

  it('maps daemon errors to acks with their code, and requests without ack to error frames', async () => {
    const c = await open();
    let ans = await c.request('account:status', {}, { tenantId: 'nobody' });
    expect(ans.data).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    ans = await c.request('account:add', { id: 'alice' });
    expect(ans.data).toMatchObject({ success: false, error: { code: 'ALREADY_EXISTS' } });
    fake.failNext.set('sendMessage', new DaemonError('RATE_LIMITED', 'slow down', { why: 'pacing' }, { retryAfter: 1500 }));
    ans = await c.request('message:send', { type: 'text', content: 'x' }, { tenantId: 'alice', conversationId: '15550002222' });
    expect(ans.data).toEqual({ success: false, error: { code: 'RATE_LIMITED', message: 'slow down', details: { why: 'pacing' }, retryAfter: 1500 } });
    fake.failNext.set('sendMessage', new Error('boom'));
    ans = await c.request('message:send', { type: 'text', content: 'x' }, { tenantId: 'alice', conversationId: '15550002222' });
    expect(ans.data.error.code).toBe('INTERNAL_ERROR');
    // ack: false — failures still come back, as error frames.
    const id = c.send('account:stop', {}, { tenantId: 'ghost', ack: false });
    const err = await c.next((f) => f.replyTo === id);
    expect(err.type).toBe('error');
    expect(err.data.code).toBe('NOT_FOUND');
    // ack: false success — nothing comes back; the next acked request's answer is the next frame.
    c.send('typing:start', {}, { tenantId: 'alice', conversationId: '15550002222', ack: false });
    const list = await c.request('account:list');
    expect(list.data.success).toBe(true);
    expect(c.frames).toEqual([]);
  });

  it('answers malformed frames with INVALID_PAYLOAD / MISSING_FIELD and replyTo where the id was usable', async () => {
    const c = await open();
    const cases: Array<[string, string, string | undefined]> = [
      ['not json', 'INVALID_PAYLOAD', undefined],
      ['[1,2]', 'INVALID_PAYLOAD', undefined],
      ['{"type":"account:list"}', 'MISSING_FIELD', undefined],
      ['{"id":5,"type":"account:list"}', 'INVALID_PAYLOAD', undefined],
      ['{"id":"a1"}', 'MISSING_FIELD', 'a1'],
      ['{"id":"a2","type":"nope:nope"}', 'INVALID_PAYLOAD', 'a2'],
      ['{"id":"a3","type":"account:list","version":2}', 'INVALID_PAYLOAD', 'a3'],
      ['{"id":"a4","type":"message:send","tenantId":"alice","conversationId":"1555","data":{"type":"text","content":"x"}}', 'INVALID_PAYLOAD', 'a4'],
      ['{"id":"a5","type":"message:send","tenantId":"alice","data":{"type":"text","content":"x"}}', 'MISSING_FIELD', 'a5'],
      ['{"id":"a6","type":"message:send","tenantId":"alice","conversationId":"15550002222","data":{"type":"text"}}', 'MISSING_FIELD', 'a6'],
      ['{"id":"a7","type":"message:send","tenantId":"alice","conversationId":"15550002222","data":{"type":"text","content":7}}', 'INVALID_PAYLOAD', 'a7'],
      ['{"id":"a8","type":"message:send","tenantId":"alice","conversationId":"15550002222","data":{"type":"gif","content":"x"}}', 'INVALID_PAYLOAD', 'a8'],
      ['{"id":"a9","type":"message:send","tenantId":"alice","conversationId":"15550002222","data":{"type":"image"}}', 'MISSING_FIELD', 'a9'],
      ['{"id":"a10","type":"message:send","tenantId":"alice","conversationId":"15550002222","data":{"type":"poll-vote","options":["a"]}}', 'MISSING_FIELD', 'a10'],
      ['{"id":"a11","type":"message:send","tenantId":"alice","conversationId":"15550002222","data":{"type":"poll-vote","pollId":"P","options":"a"}}', 'INVALID_PAYLOAD', 'a11'],
      ['{"id":"b1","type":"account:stop"}', 'MISSING_FIELD', 'b1'],
      ['{"id":"b2","type":"account:stop","tenantId":"a/b"}', 'INVALID_PAYLOAD', 'b2'],
      ['{"id":"b3","type":"account:stop","tenantId":"alice","data":{"id":"bob"}}', 'INVALID_PAYLOAD', 'b3'],
      ['{"id":"b4","type":"events:ack","data":{"name":"n","account":"alice","seq":-1}}', 'INVALID_PAYLOAD', 'b4'],
      ['{"id":"b5","type":"events:subscribe","data":{"types":["message:nope"]}}', 'INVALID_PAYLOAD', 'b5'],
      ['{"id":"b6","type":"presence:update","tenantId":"alice","data":{"status":"away"}}', 'INVALID_PAYLOAD', 'b6'],
      ['{"id":"b7","type":"message:read","tenantId":"alice","conversationId":"15550002222","data":{"messageIds":[]}}', 'INVALID_PAYLOAD', 'b7'],
      ['{"id":"b8","type":"account:list","ack":"yes"}', 'INVALID_PAYLOAD', 'b8'],
      ['{"id":"b9","type":"account:list","data":[]}', 'INVALID_PAYLOAD', 'b9'],
    ];
    for (const [text, code, replyTo] of cases) {
      c.sendRaw(text);
      const f = await c.next();
      expect(f.type, text).toBe('error');
      expect(f.data.code, text).toBe(code);
      expect(typeof f.data.message).toBe('string');
      expect(f.replyTo, text).toBe(replyTo);
    }
    expect(fake.calls.filter((x) => x.method !== 'listAccounts')).toEqual([]);
    expect((await c.request('account:list')).data.success).toBe(true);
  });

  it('accepts the account in data.id for account:*, and bare numbers / group ids as chats', async () => {
    const c = await open();
    expect((await c.request('account:restart', { id: 'bob' })).data.success).toBe(true);
    expect(fake.calls.at(-1)).toEqual({ method: 'restartAccount', args: ['bob'] });
    await c.request('message:send', { type: 'text', content: 'g' }, { tenantId: 'alice', conversationId: '120363000000000001' });
    expect(fake.calls.at(-1)!.args[1]).toBe('120363000000000001@g.us');
    await c.request('message:send', { type: 'text', content: 'g' }, { tenantId: 'alice', conversationId: '15550001111-1690000000' });
    expect(fake.calls.at(-1)!.args[1]).toBe('15550001111-1690000000@g.us');
  });
});

describe('account:add', () => {
  it('streams that account connection:update (QR) to the caller until online, subscribed or not; others see nothing', async () => {
    const caller = await open();
    const other = await open();
    const ans = await caller.request('account:add', { id: 'carol' });
    expect(ans.data).toEqual({ success: true });
    const qr1 = await caller.next((f) => f.type === 'connection:update' && f.data.state === 'qr');
    expect(qr1.tenantId).toBe('carol');
    expect(qr1.data.qr).toMatch(/^2@ref-carol-1,/);
    expect(typeof qr1.data.seq).toBe('number');
    const qr2 = await caller.next((f) => f.type === 'connection:update' && f.data.state === 'qr');
    expect(qr2.data.qr).toMatch(/^2@ref-carol-2,/);
    expect(qr2.data.seq).toBeGreaterThan(qr1.data.seq);
    fake.link('carol');
    const online = await caller.next((f) => f.type === 'connection:update' && f.data.state === 'online');
    expect(online.tenantId).toBe('carol');
    expect(caller.take((f) => f.type === 'connection:update').map((f) => f.data.state)).toEqual(['connecting']);
    // After online the watch ends.
    fake.setState('carol', 'reconnecting');
    expect((await caller.request('account:list')).data.success).toBe(true);
    expect(caller.take((f) => f.type === 'connection:update')).toEqual([]);
    expect((await other.request('account:list')).data.success).toBe(true);
    expect(other.frames).toEqual([]);
  });

  it('with a phone, the ack carries the pairing code', async () => {
    const c = await open();
    const ans = await c.request('account:add', { id: 'dave', phone: '+15550004444' });
    expect(ans.data).toEqual({ success: true, pairCode: 'ABCD1234' });
    expect(fake.calls.find((x) => x.method === 'addAccount')!.args).toEqual(['dave', { phone: '15550004444' }]);
  });

  it('a subscribed caller gets each update once', async () => {
    const c = await open();
    await c.request('events:subscribe', {});
    await c.request('account:add', { id: 'erin' });
    fake.link('erin');
    await c.next((f) => f.data.state === 'online');
    const updates = c.take((f) => f.type === 'connection:update');
    const seqs = updates.map((f) => f.data.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
