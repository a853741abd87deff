/**
 * parseRequest on its own: any input ends in a typed request or a
 * FrameRejection with a contract code (never another exception); jids typed
 * by people are normalized; the rate limiter's arithmetic.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameRejection, parseFrame, parseRequest, requestShape } from '../../src/ipc/requests.js';
import { exampleOf } from '../http/support.js';
import { normalizeJid } from '../../src/ipc/jid.js';
import { KeyedLimiter, TokenBucket } from '../../src/ipc/rate-limit.js';
import { REQUEST_TYPES } from '../../src/contract/frames.js';

function outcome(text: string): string {
  try {
    return `ok ${parseRequest(text).type}`;
  } catch (err) {
    if (!(err instanceof FrameRejection)) throw err;
    expect(['INVALID_PAYLOAD', 'MISSING_FIELD']).toContain(err.code);
    return err.code;
  }
}

describe('parseRequest', () => {
  it('never throws anything but a FrameRejection, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        outcome(JSON.stringify(v) ?? 'null');
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.record({ id: fc.oneof(fc.string(), fc.integer()), type: fc.constantFrom(...REQUEST_TYPES, 'x'), tenantId: fc.oneof(fc.constant('alice'), fc.string(), fc.integer()), conversationId: fc.oneof(fc.string(), fc.constant('15550001111')), data: fc.jsonValue() }, { requiredKeys: [] }),
        (v) => {
          outcome(JSON.stringify(v));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps the id for replyTo only when usable', () => {
    const rej = (text: string) => {
      try {
        parseRequest(text);
      } catch (e) {
        return e as FrameRejection;
      }
      throw new Error('parsed');
    };
    expect(rej('{"id":"ok","type":"zzz"}').replyTo).toBe('ok');
    expect(rej('{"id":"has space","type":"zzz"}').replyTo).toBeUndefined();
    expect(rej(`{"id":"${'x'.repeat(129)}","type":"zzz"}`).replyTo).toBeUndefined();
  });

  it('names the field in MISSING_FIELD / INVALID_PAYLOAD details', () => {
    try {
      parseRequest('{"id":"1","type":"message:react","tenantId":"a","conversationId":"15550001111","data":{"messageId":"m"}}');
    } catch (e) {
      expect(e).toMatchObject({ code: 'MISSING_FIELD', details: { field: 'data.emoji' }, message: 'data.emoji is required' });
    }
  });

  it('message:send of every kind takes an idempotencyKey of 1 to 64 characters, any of them', () => {
    const send = (data: object) => parseRequest(JSON.stringify({ id: '1', type: 'message:send', tenantId: 'a', conversationId: '15550001111', data }));
    expect(send({ type: 'text', content: 'x', idempotencyKey: 'order/17 é' }).data).toEqual({ type: 'text', content: 'x', idempotencyKey: 'order/17 é' });
    expect(send({ type: 'reaction', messageId: 'M', emoji: '', idempotencyKey: 'k'.repeat(64) }).data).toMatchObject({ idempotencyKey: 'k'.repeat(64) });
    expect(send({ type: 'document', base64: 'AA==', idempotencyKey: 'k' }).data).toMatchObject({ idempotencyKey: 'k' });
    for (const bad of ['', 'k'.repeat(65), 17]) {
      expect(() => send({ type: 'text', content: 'x', idempotencyKey: bad })).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD', details: { field: 'data.idempotencyKey' } }));
    }
  });

  it('routes: account from tenantId or data.id, chat normalized', () => {
    expect(parseRequest('{"id":"1","type":"account:start","data":{"id":"bob"}}')).toMatchObject({ account: 'bob' });
    expect(parseRequest('{"id":"1","type":"typing:start","tenantId":"a","conversationId":"+1 555"}'.replace('+1 555', '+15550001111'))).toMatchObject({ account: 'a', chat: '15550001111@s.whatsapp.net' });
  });
});

describe('fields the schema does not know', () => {
  const rejection = (frame: Record<string, unknown>): FrameRejection => {
    try {
      parseFrame(frame);
    } catch (e) {
      return e as FrameRejection;
    }
    throw new Error(`parsed ${JSON.stringify(frame)}`);
  };
  const envelope = { id: '1', tenantId: 'a', conversationId: '15550001111' };

  it('are refused by every request type, naming the field', () => {
    for (const type of REQUEST_TYPES) {
      const data = exampleOf(requestShape(type).data as Record<string, unknown>, { jid: ['15550001111'], participants: [['15550001111']], messageId: ['m1'] }) as Record<string, unknown>;
      expect(rejection({ ...envelope, type, data: { ...data, zzUnknown: 1 } }), type).toMatchObject({ code: 'INVALID_PAYLOAD', details: { field: 'data.zzUnknown' } });
    }
  });

  it('are refused inside nested objects, and in every kind of message:send', () => {
    const send = (data: Record<string, unknown>) => rejection({ ...envelope, type: 'message:send', data });
    const nested = send({ type: 'text', content: 'x', linkPreview: { url: 'https://a.example', title: 't', image: 'AA==' } });
    expect(nested).toMatchObject({ code: 'INVALID_PAYLOAD', details: { field: 'data.linkPreview.image' } });
    expect(nested.message).toBe('data.linkPreview.image is not a field this request takes (the fields there are url, title, description, thumbnail)');
    expect(send({ type: 'image', base64: 'AA==', caption: 'c', captoin: 'c' }).details).toEqual({ field: 'data.captoin' });
    expect(send({ type: 'location', latitude: 1, longitude: 2, label: 'x' }).details).toEqual({ field: 'data.label' });
    expect(send({ type: 'reaction', messageId: 'm', emoji: '👍', quoted: 'm' }).details).toEqual({ field: 'data.quoted' });
    // How to send is known to every kind.
    expect(parseFrame({ ...envelope, type: 'message:send', data: { type: 'text', content: 'x', idempotencyKey: 'k', linkPreview: true } }).data).toEqual({ type: 'text', content: 'x', idempotencyKey: 'k', linkPreview: true });
  });

  it('a link preview is true, false or {url, title, description?, thumbnail?}', () => {
    const send = (linkPreview: unknown) => parseFrame({ ...envelope, type: 'message:send', data: { type: 'text', content: 'see https://a.example', linkPreview } }).data;
    expect(send(false)).toMatchObject({ linkPreview: false });
    expect(send({ url: 'https://a.example', title: 'A', thumbnail: 'AAAA' })).toMatchObject({ linkPreview: { url: 'https://a.example', title: 'A', thumbnail: 'AAAA' } });
    expect(() => send({ url: 'file:///etc/passwd', title: 'A' })).toThrow(/linkPreview\.url must be an http/);
    expect(() => send({ url: 'https://a.example' })).toThrow(/linkPreview\.title is required/);
    expect(() => send('yes')).toThrow(/linkPreview must be an object/);
  });
});

describe('normalizeJid', () => {
  it.each([
    ['15550001111', '15550001111@s.whatsapp.net'],
    ['+15550001111', '15550001111@s.whatsapp.net'],
    ['15550001111@c.us', '15550001111@s.whatsapp.net'],
    ['15550001111:3@s.whatsapp.net', '15550001111:3@s.whatsapp.net'],
    ['120363012345678901', '120363012345678901@g.us'],
    ['15550001111-1600000000', '15550001111-1600000000@g.us'],
    ['120363012345678901@g.us', '120363012345678901@g.us'],
    ['98765432101234@lid', '98765432101234@lid'],
    ['status@broadcast', 'status@broadcast'],
  ])('%s → %s', (input, jid) => expect(normalizeJid(input)).toBe(jid));

  it.each(['', '123', 'alice', 'a@b', '1555 0001111', '15550001111@evil.com'])('refuses %j', (input) => expect(normalizeJid(input)).toBeUndefined());
});

describe('rate limits', () => {
  it('a bucket grants its burst, then one per 1/rate, and says how long to wait', () => {
    const b = new TokenBucket({ perSecond: 4, burst: 2 }, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([0, 0, 250]);
    expect(b.take(100)).toBe(150);
    expect(b.take(250)).toBe(0);
    expect(b.take(250)).toBe(250);
    expect(b.take(10_000)).toBe(0);
  });

  it('keyed buckets stay bounded', () => {
    const k = new KeyedLimiter({ perSecond: 1, burst: 1 }, 100);
    for (let i = 0; i < 1000; i++) k.take(`a${i}`, 0);
    expect(k.size).toBeLessThanOrEqual(100);
    expect(k.take('a999', 0)).toBeGreaterThan(0);
  });
});
