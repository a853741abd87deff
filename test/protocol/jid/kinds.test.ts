import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isBot,
  isBroadcast,
  isGroup,
  isHostedLid,
  isHostedPn,
  isLid,
  isNewsletter,
  isPn,
  isSameDevice,
  isSameUser,
  isStatusBroadcast,
  jidDevice,
  jidEncode,
  jidKind,
  toUserJid,
  type JidKind,
} from '../../../src/protocol/jid/index.js';

const KINDS: [string, JidKind | undefined][] = [
  ['15551234567@s.whatsapp.net', 'pn'],
  ['15551234567:3@s.whatsapp.net', 'pn'],
  ['15551234567@c.us', 'pn'],
  ['88880002222:1@lid', 'lid'],
  ['1555@hosted', 'hosted'],
  ['8888:99@hosted.lid', 'hosted-lid'],
  ['120363025246125888@g.us', 'group'],
  ['status@broadcast', 'status'],
  ['1600000000@broadcast', 'broadcast'],
  ['120363123456789@newsletter', 'newsletter'],
  ['13135550002@bot', 'bot'],
  ['13135550002@c.us', 'bot'],
  ['13135550002@s.whatsapp.net', 'bot'],
  ['13135550002:1@s.whatsapp.net', 'pn'],
  ['ABCDEF@call', 'call'],
  ['1234:5@msgr', 'msgr'],
  ['7-1234:5@interop', 'interop'],
  ['@s.whatsapp.net', 'server'],
  ['@g.us', 'server'],
  ['x@example.com', 'other'],
  ['15551234567', undefined],
];

describe('jidKind', () => {
  for (const [jid, kind] of KINDS) it(`${jid} is ${kind}`, () => expect(jidKind(jid)).toBe(kind));
});

describe('predicates', () => {
  it('look at the server after the first @', () => {
    expect(isPn('1@s.whatsapp.net')).toBe(true);
    expect(isPn('1@c.us')).toBe(false);
    expect(isLid('1:2@lid')).toBe(true);
    expect(isLid('a@b@lid')).toBe(false);
    expect(isHostedPn('1@hosted')).toBe(true);
    expect(isHostedLid('1@hosted.lid')).toBe(true);
    expect(isGroup('1-2@g.us')).toBe(true);
    expect(isBroadcast('status@broadcast')).toBe(true);
    expect(isStatusBroadcast('status@broadcast')).toBe(true);
    expect(isStatusBroadcast('1@broadcast')).toBe(false);
    expect(isNewsletter('1@newsletter')).toBe(true);
    expect(isBot('1@bot')).toBe(true);
    expect(isBot('15551234567@s.whatsapp.net')).toBe(false);
    for (const f of [isPn, isLid, isGroup, isBroadcast, isNewsletter, isBot]) {
      expect(f(undefined)).toBe(false);
      expect(f('no-at-sign')).toBe(false);
    }
  });

  it('compare users and devices', () => {
    expect(isSameUser('1555:3@s.whatsapp.net', '1555@s.whatsapp.net')).toBe(true);
    expect(isSameUser('1555@c.us', '1555_1:2@s.whatsapp.net')).toBe(true);
    expect(isSameUser('1555@s.whatsapp.net', '1555@lid')).toBe(false);
    expect(isSameUser(undefined, undefined)).toBe(false);
    expect(isSameDevice('1555:0@s.whatsapp.net', '1555@s.whatsapp.net')).toBe(true);
    expect(isSameDevice('1555:3@s.whatsapp.net', '1555:3@s.whatsapp.net')).toBe(true);
    expect(isSameDevice('1555:3@s.whatsapp.net', '1555:4@s.whatsapp.net')).toBe(false);
    expect(toUserJid('1555_1:3@c.us')).toBe('1555@s.whatsapp.net');
    expect(toUserJid('8888:3@lid')).toBe('8888@lid');
    expect(toUserJid('nope')).toBeUndefined();
    expect(jidDevice('1555:3@s.whatsapp.net')).toBe(3);
    expect(jidDevice('1555@s.whatsapp.net')).toBe(0);
  });

  it('toUserJid and isSameUser agree for every device of a user', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{1,15}$/),
        fc.constantFrom('s.whatsapp.net', 'lid', 'hosted', 'hosted.lid'),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        (user, server, d1, d2) => {
          const a = jidEncode(user, server, d1);
          const b = jidEncode(user, server, d2);
          expect(toUserJid(a)).toBe(`${user}@${server}`);
          expect(isSameUser(a, b)).toBe(true);
          expect(isSameDevice(a, b)).toBe(d1 === d2);
          expect(jidDevice(a)).toBe(d1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
