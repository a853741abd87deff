/**
 * message:send's kinds beyond text and media, as the socket checks them:
 * each well-formed one passes with its fields, and each mistake is refused
 * naming the field (a pin duration WhatsApp does not offer, an event
 * without its start, a raw Message with a field the schema lacks or too
 * long, an answer that is no answer).
 */
import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../src/ipc/requests.js';
import { MAX_RAW_MESSAGE_JSON } from '../../src/ipc/send-kinds.js';

const send = (data: object) => parseRequest(JSON.stringify({ id: '1', type: 'message:send', tenantId: 'a', conversationId: '15550001111', data })).data;
const refused = (data: object, code: string, field: string) => expect(() => send(data)).toThrow(expect.objectContaining({ code, details: { field } }));

describe('message:send kinds', () => {
  it('passes each kind with its fields', () => {
    const ok: object[] = [
      { type: 'contacts', contacts: [{ displayName: 'A', vcard: 'v' }] },
      { type: 'live-location', latitude: 1, longitude: 2, accuracy: 5, speed: 1.5, bearing: 90, caption: 'c' },
      { type: 'live-location', latitude: 1, longitude: 2, messageId: 'SHARE' },
      { type: 'forward', messageId: 'M' },
      { type: 'pin', messageId: 'M', duration: 2_592_000 },
      { type: 'pin', messageId: 'M', unpin: true },
      { type: 'keep', messageId: 'M', undo: true },
      { type: 'event', name: 'e', startTime: 1_900_000_000, location: { latitude: 1, longitude: 2, name: 'hall' }, joinLink: 'https://call.whatsapp.com/video/x' },
      { type: 'event-response', eventId: 'E', response: 'not-going', extraGuests: 2 },
      { type: 'disappearing', expiration: 0 },
      { type: 'message', message: { pollResultSnapshotMessage: { name: 'n', pollVotes: [{ optionName: 'a', optionVoteCount: '3' }] } }, viewOnce: false },
    ];
    for (const data of ok) expect(send(data)).toEqual(data);
    expect(send({ type: 'forward', messageId: 'M', fromChat: '15550002222' })).toEqual({ type: 'forward', messageId: 'M', fromChat: '15550002222@s.whatsapp.net' });
  });

  it('refuses each mistake naming the field', () => {
    refused({ type: 'contacts', contacts: [] }, 'INVALID_PAYLOAD', 'data.contacts');
    refused({ type: 'live-location', latitude: 91, longitude: 0 }, 'INVALID_PAYLOAD', 'data.latitude');
    // No open implementation shows how a share is ended early on the wire: a stop is not offered.
    refused({ type: 'live-location', latitude: 1, longitude: 2, messageId: 'SHARE', stop: true }, 'INVALID_PAYLOAD', 'data.stop');
    refused({ type: 'pin', messageId: 'M', duration: 3600 }, 'INVALID_PAYLOAD', 'data.duration');
    refused({ type: 'keep' }, 'MISSING_FIELD', 'data.messageId');
    refused({ type: 'event', name: 'e' }, 'MISSING_FIELD', 'data.startTime');
    refused({ type: 'event', name: 'e', startTime: 1, joinLink: 'http://x' }, 'INVALID_PAYLOAD', 'data.joinLink');
    refused({ type: 'event-response', eventId: 'E', response: 'yes' }, 'INVALID_PAYLOAD', 'data.response');
    refused({ type: 'message', message: { conversation: 'x', notAField: 1 } }, 'INVALID_PAYLOAD', 'data.message');
    expect(() => send({ type: 'message', message: { extendedTextMessage: { text: 'x', title: 'x', bogus: true } } })).toThrow(/message\.extendedTextMessage\.bogus/);
    refused({ type: 'message', message: {} }, 'INVALID_PAYLOAD', 'data.message');
    refused({ type: 'message', message: [] }, 'INVALID_PAYLOAD', 'data.message');
    refused({ type: 'message', message: { conversation: 'x'.repeat(MAX_RAW_MESSAGE_JSON) } }, 'INVALID_PAYLOAD', 'data.message');
  });

  it('played receipts and the disappearing timer through chat:modify', () => {
    const frame = (type: string, data: object) => parseRequest(JSON.stringify({ id: '1', type, tenantId: 'a', conversationId: '15550001111', data })).data;
    expect(frame('message:read', { messageIds: ['M'], played: true })).toEqual({ messageIds: ['M'], played: true });
    expect(frame('chat:modify', { action: 'disappearing', expiration: 86_400 })).toEqual({ action: 'disappearing', expiration: 86_400 });
  });
});
