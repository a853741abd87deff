// JID split/join: tables of every kind, and Baileys' jidDecode / jidEncode /
// jidNormalizedUser as oracles on arbitrary strings.
import fc from 'fast-check';
import {
  jidDecode as baileysJidDecode,
  jidEncode as baileysJidEncode,
  jidNormalizedUser as baileysJidNormalizedUser,
  type JidServer,
} from 'baileys';
import { describe, expect, it } from 'vitest';
import {
  DOMAIN_TYPE,
  domainTypeForServer,
  jidDecode,
  jidEncode,
  jidNormalizedUser,
  serverForDomainType,
} from '../../../src/protocol/jid/index.js';

// [jid, user, server, domainType, device]
const TABLE: [string, string, string, number, number | undefined][] = [
  ['15551234567@s.whatsapp.net', '15551234567', 's.whatsapp.net', 0, undefined],
  ['15551234567:3@s.whatsapp.net', '15551234567', 's.whatsapp.net', 0, 3],
  ['15551234567:0@s.whatsapp.net', '15551234567', 's.whatsapp.net', 0, 0],
  ['15551234567_1:3@s.whatsapp.net', '15551234567', 's.whatsapp.net', 1, 3],
  ['15551234567_128@s.whatsapp.net', '15551234567', 's.whatsapp.net', 128, undefined],
  ['88880002222@lid', '88880002222', 'lid', 1, undefined],
  ['88880002222:7@lid', '88880002222', 'lid', 1, 7],
  ['88880002222_5:7@lid', '88880002222', 'lid', 1, 7], // the server wins over the agent
  ['1555:99@hosted', '1555', 'hosted', 128, 99],
  ['8888:99@hosted.lid', '8888', 'hosted.lid', 129, 99],
  ['120363025246125888@g.us', '120363025246125888', 'g.us', 0, undefined],
  ['1234567890-1600000000@g.us', '1234567890-1600000000', 'g.us', 0, undefined],
  ['status@broadcast', 'status', 'broadcast', 0, undefined],
  ['1600000000@broadcast', '1600000000', 'broadcast', 0, undefined],
  ['120363123456789@newsletter', '120363123456789', 'newsletter', 0, undefined],
  ['13135550002@bot', '13135550002', 'bot', 0, undefined],
  ['ABCDEF0123@call', 'ABCDEF0123', 'call', 0, undefined],
  ['7-1234:5@interop', '7-1234', 'interop', 0, 5],
  ['1234:5@msgr', '1234', 'msgr', 0, 5],
  ['0@c.us', '0', 'c.us', 0, undefined],
  ['@s.whatsapp.net', '', 's.whatsapp.net', 0, undefined],
  ['a:b@s', 'a', 's', 0, NaN],
  ['a:@s', 'a', 's', 0, undefined],
  ['a_x@s', 'a', 's', NaN, undefined],
  ['a:0x10@s', 'a', 's', 0, 16],
  ['a_b_c:1:2@x@y', 'a', 'x@y', NaN, 1],
];

describe('jidDecode', () => {
  for (const [jid, user, server, domainType, device] of TABLE) {
    it(jid, () => {
      expect(jidDecode(jid)).toStrictEqual({ server, user, domainType, device });
      expect(jidDecode(jid)).toStrictEqual(baileysJidDecode(jid));
    });
  }

  it('is undefined for strings without @ and for non-strings', () => {
    for (const s of ['', 'abc', '15551234567', undefined, null]) expect(jidDecode(s)).toBeUndefined();
  });
});

describe('jidEncode', () => {
  it('leaves out a falsy user, agent and device', () => {
    expect(jidEncode('1555', 's.whatsapp.net')).toBe('1555@s.whatsapp.net');
    expect(jidEncode('1555', 's.whatsapp.net', 0)).toBe('1555@s.whatsapp.net');
    expect(jidEncode('1555', 's.whatsapp.net', 3)).toBe('1555:3@s.whatsapp.net');
    expect(jidEncode('1555', 's.whatsapp.net', 3, 1)).toBe('1555_1:3@s.whatsapp.net');
    expect(jidEncode(null, 's.whatsapp.net')).toBe('@s.whatsapp.net');
    expect(jidEncode(1555, 'lid', 2)).toBe('1555:2@lid');
  });
});

describe('AD_JID domain types', () => {
  it('map lid, hosted and hosted.lid both ways; anything else reads as PN', () => {
    expect([DOMAIN_TYPE.WHATSAPP, DOMAIN_TYPE.LID, DOMAIN_TYPE.HOSTED, DOMAIN_TYPE.HOSTED_LID]).toEqual([0, 1, 128, 129]);
    for (const server of ['lid', 'hosted', 'hosted.lid']) expect(serverForDomainType(domainTypeForServer(server)!)).toBe(server);
    for (const t of [0, 2, 5, 127, 130, 255]) expect(serverForDomainType(t)).toBe('s.whatsapp.net');
    expect(domainTypeForServer('s.whatsapp.net')).toBeUndefined();
  });
});

const jidish = fc.stringMatching(/^[0-9a-z:_@.x-]{0,24}$/);
const parts = fc.record({
  user: fc.oneof(fc.stringMatching(/^[0-9]{0,15}$/), fc.stringMatching(/^[0-9A-Za-z.-]{1,12}$/)),
  server: fc.constantFrom<JidServer>('s.whatsapp.net', 'c.us', 'lid', 'g.us', 'broadcast', 'newsletter', 'hosted', 'hosted.lid', 'bot', 'call'),
  device: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  agent: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
});

describe('against Baileys', () => {
  it('jidDecode and jidNormalizedUser agree on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(jidish, fc.string()), (s) => {
        expect(jidDecode(s)).toStrictEqual(baileysJidDecode(s));
        expect(jidNormalizedUser(s)).toBe(baileysJidNormalizedUser(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('jidEncode agrees, and jidDecode gets the parts back', () => {
    fc.assert(
      fc.property(parts, ({ user, server, device, agent }) => {
        const jid = jidEncode(user, server, device, agent);
        expect(jid).toBe(baileysJidEncode(user, server, device, agent));
        const d = jidDecode(jid)!;
        expect(d.user).toBe(user);
        expect(d.server).toBe(server);
        expect(d.device).toBe(device ? device : undefined);
        const implied = domainTypeForServer(server);
        expect(d.domainType).toBe(implied ?? (agent ? agent : 0));
      }),
      { numRuns: 3000 },
    );
  });
});
