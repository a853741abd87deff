/**
 * Every control type, walked with caller mistakes against the real daemon and
 * the simulator: each field of a valid request missing, of the wrong type,
 * oversized, or an odd string ('/', NUL, '..', spaces, non-ASCII); unknown,
 * stopped and malformed accounts; odd chats (status, lid, newsletter, device
 * jids, unknown groups); unknown message, poll, upload and subscription ids;
 * unreadable paths. A mistake is the caller's: never INTERNAL_ERROR, always
 * an answer, no unasked error frame, and the account stays online.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WadClient } from '../../src/client/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import { REQUEST_TYPES, type RequestType } from '../../src/ipc/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { sim as startSim, tempDir } from './support/daemon.js';
import { admin, daemonWithSocket, linkOverSocket } from '../ipc/e2e-support.js';
import { Raw } from '../ipc/raw.js';

const A = '15550060001';
const B = '15550060002';

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let owner: WadClient;

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-mistakes-');
  for (const p of [A, B]) await admin(s, 'POST', '/phones', { phone: p, name: p });
  d = await daemonWithSocket(s, dir.path);
  owner = await WadClient.connect({ socket: d.socketPath });
  await linkOverSocket(owner, s, 'on', A);
  await owner.addAccount('off');
  await owner.stopAccount('off');
}, 60_000);

afterAll(async () => {
  await owner?.close();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

type Envelope = { tenantId?: unknown; conversationId?: unknown };
interface Case {
  type: RequestType;
  envelope: Envelope;
  data: unknown;
}

const CHAT: Envelope = { tenantId: 'on', conversationId: B };
/** A valid request of each type; the walk breaks one thing at a time. Destructive ones name nobody. */
const TEMPLATES: Record<RequestType, { envelope: Envelope; data: Record<string, unknown> }> = {
  'account:add': { envelope: {}, data: { id: 'on', phone: '15550060003' } },
  'account:remove': { envelope: { tenantId: 'nobody' }, data: {} },
  'account:list': { envelope: {}, data: {} },
  'account:status': { envelope: { tenantId: 'on' }, data: {} },
  'account:start': { envelope: { tenantId: 'nobody' }, data: {} },
  'account:stop': { envelope: { tenantId: 'nobody' }, data: {} },
  'account:restart': { envelope: { tenantId: 'nobody' }, data: {} },
  'account:logout': { envelope: { tenantId: 'nobody' }, data: {} },
  'account:pair-code': { envelope: { tenantId: 'on' }, data: { phone: A } },
  'message:send': { envelope: CHAT, data: { type: 'text', content: 'x', quoted: 'NOPE', mentions: [B] } },
  'message:edit': { envelope: CHAT, data: { messageId: 'NOPE', content: 'x' } },
  'message:delete': { envelope: CHAT, data: { messageId: 'NOPE' } },
  'message:react': { envelope: CHAT, data: { messageId: 'NOPE', emoji: '👍' } },
  'message:read': { envelope: CHAT, data: { messageIds: ['NOPE'] } },
  'media:download': { envelope: CHAT, data: { messageId: 'NOPE', download: 1 } },
  'chat:modify': { envelope: CHAT, data: { action: 'mute', until: 1 } },
  'message:star': { envelope: CHAT, data: { messageId: 'NOPE', starred: true } },
  'label:list': { envelope: { tenantId: 'on' }, data: {} },
  'label:edit': { envelope: { tenantId: 'on' }, data: { id: 'NOPE', name: 'x', color: 1, deleted: false } },
  'label:chat': { envelope: CHAT, data: { labelId: 'NOPE', action: 'add' } },
  'typing:start': { envelope: CHAT, data: { recording: true } },
  'typing:stop': { envelope: CHAT, data: {} },
  'presence:update': { envelope: { tenantId: 'on' }, data: { status: 'available' } },
  'group:create': { envelope: { tenantId: 'on' }, data: { subject: 'g', participants: [B] } },
  'group:metadata': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: {} },
  'group:participants': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: { action: 'add', participants: [B] } },
  'chat:list': { envelope: { tenantId: 'on' }, data: { archived: false, limit: 10, before: 1 } },
  'contact:list': { envelope: { tenantId: 'on' }, data: {} },
  'message:list': { envelope: CHAT, data: { limit: 10, before: 'NOPE' } },
  'history:request': { envelope: CHAT, data: { count: 50 } },
  'group:list': { envelope: { tenantId: 'on' }, data: {} },
  'group:update': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: { subject: 'x', announce: true, memberAddMode: 'all' } },
  'group:invite': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: { action: 'revoke' } },
  'group:join': { envelope: { tenantId: 'on' }, data: { code: 'NoSuchInviteCode000000' } },
  'group:requests': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: { action: 'approve', participants: [B] } },
  'group:leave': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: {} },
  'community:create': { envelope: { tenantId: 'on' }, data: { subject: 'c', description: 'about' } },
  'community:metadata': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: {} },
  'community:link': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: { groups: ['120363000000000098@g.us'], action: 'link' } },
  'community:leave': { envelope: { tenantId: 'on', conversationId: '120363000000000099@g.us' }, data: {} },
  'events:subscribe': { envelope: {}, data: { name: 'walker', accounts: ['on'], types: ['message:new'], since: 1 } },
  'events:unsubscribe': { envelope: {}, data: { subscription: 'nope' } },
  'events:ack': { envelope: {}, data: { name: 'walker', account: 'on', seq: 1 } },
  // For an account that does not exist: it never posts anything.
  'webhook:add': { envelope: {}, data: { url: 'http://127.0.0.1:9/hook', events: ['message:new'], accounts: ['nobody'], secret: 'x'.repeat(16) } },
  'webhook:list': { envelope: {}, data: {} },
  'webhook:remove': { envelope: {}, data: { id: 'nope' } },
  'webhook:resume': { envelope: {}, data: { id: 'nope' } },
  'webhook:test': { envelope: {}, data: { id: 'nope' } },
  'contact:check': { envelope: { tenantId: 'on' }, data: { phones: [B, '15550069999'] } },
  'contact:info': { envelope: { tenantId: 'on' }, data: { jid: B } },
  'contact:picture': { envelope: { tenantId: 'on' }, data: { jid: B, preview: true } },
  'call:reject': { envelope: { tenantId: 'on' }, data: { callId: 'C0FFEE', from: B } },
  'newsletter:create': { envelope: { tenantId: 'on' }, data: { name: 'News', description: 'd' } },
  'newsletter:metadata': { envelope: { tenantId: 'on' }, data: { jid: '120363000000000001@newsletter' } },
  'newsletter:follow': { envelope: { tenantId: 'on' }, data: { jid: '120363000000000001@newsletter', action: 'follow' } },
  'newsletter:list': { envelope: { tenantId: 'on' }, data: {} },
  'profile:set': { envelope: { tenantId: 'on' }, data: { about: 'walked' } },
  'profile:picture': { envelope: { tenantId: 'on' }, data: { base64: 'AAAA' } },
  'privacy:get': { envelope: { tenantId: 'on' }, data: {} },
  'privacy:set': { envelope: { tenantId: 'on' }, data: { setting: 'readReceipts', value: 'all' } },
  'block:list': { envelope: { tenantId: 'on' }, data: {} },
  // Unblocking someone never blocked changes nothing.
  'block:update': { envelope: { tenantId: 'on' }, data: { jid: '15550069999', action: 'unblock' } },
  'presence:subscribe': { envelope: CHAT, data: {} },
};

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5, 1e300, true, '', ' ', 'a/b', '/', '..', '\u0000', 'ü', '👍', 'x'.repeat(70_000), [], ['a/b'], [null], {}, { a: 1 }];
const ODD_ACCOUNTS: unknown[] = [undefined, 'nobody', 'off', 'a/b', '', '..', 5, 'x'.repeat(100)];
const ODD_CHATS: unknown[] = [undefined, '', 'a/b', 'status@broadcast', '123456@lid', '123@newsletter', `${B}:3@s.whatsapp.net`, '0@s.whatsapp.net', '120363000000000099@g.us', '1@bot', 'x'.repeat(200)];

/** Mistakes that need a type's meaning, beyond breaking one field. */
const SPECIFIC: Case[] = [
  ...[
    { type: 'reply', content: 'x', quoted: 'NOPE' },
    { type: 'reaction', messageId: 'NOPE', emoji: 'x' },
    { type: 'poll-vote', pollId: 'NOPE', options: ['a'] },
    { type: 'poll', name: 'q', options: ['a', 'a'] },
    { type: 'poll', name: 'q', options: ['a', 'b'], selectableCount: 5 },
    { type: 'contact', displayName: 'x', vcard: 'not a vcard' },
    { type: 'location', latitude: 91, longitude: 0 },
    { type: 'image', upload: 77 },
    { type: 'image', path: '/nonexistent/file.jpg' },
    { type: 'image', path: '/tmp' },
    { type: 'image', path: 'relative.jpg' },
    { type: 'image', path: '/proc/self/environ' },
    { type: 'image', path: '/dev/zero' },
    { type: 'image', base64: '!!!!' },
    { type: 'image', base64: '' },
    { type: 'image', base64: 'AAAA', mimeType: 'not/a mime' },
    { type: 'document', base64: 'AAAA', jpegThumbnail: 'AAA' },
    { type: 'audio', base64: 'AAAA', upload: 1 },
    { type: 'sticker' },
    { type: 'nope' },
  ].map((data) => ({ type: 'message:send' as const, envelope: CHAT, data })),
  { type: 'events:subscribe', envelope: {}, data: { accounts: ['nobody'] } },
  { type: 'events:subscribe', envelope: {}, data: { name: 'w2', accounts: ['nobody', 'off'], since: { nobody: 5, off: 1e15 } } },
  { type: 'events:subscribe', envelope: {}, data: { since: 1e15 } },
  { type: 'events:ack', envelope: {}, data: { name: 'walker', account: 'nobody', seq: 1 } },
  { type: 'events:ack', envelope: {}, data: { name: 'walker', account: 'on', seq: 1e15 } },
  { type: 'account:add', envelope: { tenantId: 'on' }, data: { id: 'other' } },
  { type: 'account:pair-code', envelope: { tenantId: 'nobody' }, data: { phone: '12' } },
  { type: 'account:status', envelope: { tenantId: 'off' }, data: {} },
  { type: 'message:send', envelope: { tenantId: 'off', conversationId: B }, data: { type: 'text', content: 'x' } },
  { type: 'group:metadata', envelope: { tenantId: 'on', conversationId: B }, data: {} },
  { type: 'group:participants', envelope: { tenantId: 'on', conversationId: B }, data: { action: 'promote', participants: ['120363000000000099@g.us'] } },
  { type: 'group:create', envelope: { tenantId: 'on' }, data: { subject: 'g', participants: ['123456@lid', 'status@broadcast'] } },
];

function* walk(): Generator<Case> {
  yield* SPECIFIC;
  for (const type of REQUEST_TYPES) {
    const t = TEMPLATES[type];
    for (const field of Object.keys(t.data)) {
      const { [field]: _dropped, ...without } = t.data;
      yield { type, envelope: t.envelope, data: without };
      for (const v of ODD_VALUES) yield { type, envelope: t.envelope, data: { ...t.data, [field]: v } };
    }
    yield { type, envelope: t.envelope, data: 'not an object' };
    yield { type, envelope: t.envelope, data: [t.data] };
    for (const tenantId of ODD_ACCOUNTS) yield { type, envelope: { ...t.envelope, tenantId }, data: t.data };
    if ('conversationId' in t.envelope) for (const conversationId of ODD_CHATS) yield { type, envelope: { ...t.envelope, conversationId }, data: t.data };
  }
}

it('no caller mistake of any control type is answered INTERNAL_ERROR; each is answered; the account stays online', async () => {
  const raw = await Raw.open(d.socketPath);
  const wrong: string[] = [];
  const codes = new Map<string, number>();
  let n = 0;
  for (const c of walk()) {
    n++;
    const extra: Record<string, unknown> = {};
    if (c.envelope.tenantId !== undefined) extra['tenantId'] = c.envelope.tenantId;
    if (c.envelope.conversationId !== undefined) extra['conversationId'] = c.envelope.conversationId;
    const what = `${c.type} ${JSON.stringify({ ...extra, data: c.data }).slice(0, 160)}`;
    const answer = await raw.request(c.type, c.data, extra).catch((err: Error) => err);
    if (answer instanceof Error) {
      wrong.push(`no answer: ${what}`);
      continue;
    }
    const error = answer.type === 'error' ? answer.data : answer.data['success'] === false ? answer.data['error'] : undefined;
    const code = error ? String(error.code) : 'ok';
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (code === 'INTERNAL_ERROR') wrong.push(`INTERNAL_ERROR (${String(error.message).slice(0, 100)}): ${what}`);
  }
  // Errors nobody asked for (a subscription that failed after its ack, say).
  await new Promise((r) => setTimeout(r, 200));
  for (const f of raw.frames) if (f.type === 'error' && !f.replyTo) wrong.push(`unasked error frame: ${JSON.stringify(f.data).slice(0, 200)}`);
  expect(wrong).toEqual([]);
  expect(n).toBeGreaterThan(900);
  // The walk met the codes a caller should see.
  for (const code of ['INVALID_PAYLOAD', 'MISSING_FIELD', 'NOT_FOUND', 'ALREADY_EXISTS']) expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
  expect((await owner.accountStatus('on')).state).toBe('online');
  await raw.close();
}, 120_000);
