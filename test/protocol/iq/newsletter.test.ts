/**
 * Channel MEX specs and channel stanzas: the request bytes WhatsApp's
 * persisted queries take, the newsletter object read from an answer, GraphQL
 * errors as MexError, and the post / reaction / live-update stanzas.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IqParseError } from '../../../src/protocol/iq/errors.js';
import { MexError } from '../../../src/protocol/iq/mex.js';
import { channelUploadPath, channelUploadUrl } from '../../../src/protocol/media/index.js';
import { createNewsletter, newsletterAction, newsletterMetadata, subscribedNewsletters } from '../../../src/protocol/iq/newsletter.js';
import { bytesOf, childNode, node } from '../../../src/protocol/iq/nodes.js';
import {
  buildNewsletterPost,
  buildNewsletterReaction,
  buildNewsletterReactionCounts,
  parseNewsletterLiveUpdates,
  parseNewsletterPost,
} from '../../../src/protocol/stanza/newsletter.js';

const JID = '120363111111111111@newsletter';
const result = (json: unknown) => node('iq', { type: 'result', id: '1' }, [node('result', {}, new TextEncoder().encode(JSON.stringify(json)))]);
const variables = (spec: { build(): ReturnType<typeof node> }) => {
  const q = childNode(spec.build(), 'query')!;
  return { id: q.attrs.query_id, body: JSON.parse(new TextDecoder().decode(bytesOf(q))) as { variables: unknown } };
};

const wire = {
  id: JID,
  state: { type: 'ACTIVE' },
  thread_metadata: {
    creation_time: '1700000000',
    name: { text: 'News' },
    description: { text: 'daily' },
    invite: 'AbC123',
    subscribers_count: '42',
    verification: 'VERIFIED',
  },
  viewer_metadata: { role: 'SUBSCRIBER', mute: 'ON' },
};

describe('channel MEX specs', () => {
  it('build the persisted queries with their variables, as Baileys 7 sends them', () => {
    const create = createNewsletter('News');
    expect(create.build().attrs).toMatchObject({ xmlns: 'w:mex', type: 'get', to: '@s.whatsapp.net' });
    expect(variables(create)).toEqual({ id: '8823471724422422', body: { variables: { input: { name: 'News', description: null } } } });
    expect(variables(newsletterMetadata({ invite: 'AbC123' })).body.variables).toMatchObject({ input: { key: 'AbC123', type: 'INVITE' } });
    expect(variables(newsletterMetadata({ jid: JID })).body.variables).toMatchObject({ input: { key: JID, type: 'JID' } });
    expect(variables(newsletterAction('follow', JID))).toEqual({ id: '24404358912487870', body: { variables: { newsletter_id: JID } } });
    expect(variables(newsletterAction('unfollow', JID)).id).toBe('9767147403369991');
    expect(variables(subscribedNewsletters)).toEqual({ id: '6388546374527196', body: { variables: {} } });
  });

  it('read the newsletter object of an answer', () => {
    expect(newsletterMetadata({ jid: JID }).parse(result({ data: { xwa2_newsletter: wire } }))).toEqual({
      jid: JID,
      name: 'News',
      description: 'daily',
      invite: 'AbC123',
      subscribers: 42,
      createdAt: 1700000000,
      verified: true,
      state: 'ACTIVE',
      role: 'subscriber',
      muted: true,
    });
    const list = subscribedNewsletters.parse(result({ data: { xwa2_newsletter_subscribed: [wire, null, { id: 'x' }] } }));
    expect(list.map((n) => n.jid)).toEqual([JID]);
  });

  it('turn GraphQL errors into MexError with the server code, and malformed answers into IqParseError', () => {
    const refused = result({ errors: [{ message: 'channel not found', extensions: { error_code: 404 } }] });
    expect(() => newsletterAction('follow', JID).parse(refused)).toThrow(MexError);
    try {
      newsletterAction('follow', JID).parse(refused);
    } catch (err) {
      expect((err as MexError).serverCode).toBe(404);
    }
    expect(() => newsletterAction('follow', JID).parse(result({ data: {} }))).toThrow(IqParseError);
    expect(() => newsletterAction('follow', JID).parse(node('iq', {}, [node('result', {}, new TextEncoder().encode('{'))]))).toThrow(IqParseError);
  });
});

describe('channel stanzas', () => {
  it('a post goes out as plaintext and is read back with its server id', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 100, max: 1e9 }), (bytes, serverId) => {
        const out = buildNewsletterPost(JID, 'ID1', 'text', bytes);
        expect(out.attrs).toEqual({ to: JID, id: 'ID1', type: 'text' });
        const delivered = { tag: 'message', attrs: { from: JID, id: 'ID1', server_id: String(serverId), t: '5', type: 'text' }, content: out.content };
        const post = parseNewsletterPost(delivered);
        expect(post).toMatchObject({ jid: JID, id: 'ID1', serverId: String(serverId), t: 5, offline: false });
        expect(Buffer.from(post.plaintext!)).toEqual(Buffer.from(bytes));
      }),
    );
    expect(() => parseNewsletterPost(node('message', { from: '1555@s.whatsapp.net', id: 'x' }))).toThrow();
  });

  it('a media post names its upload handle (media_id) and its kind on <plaintext>; channel uploads go unencrypted to the channel path', () => {
    const out = buildNewsletterPost(JID, 'ID2', 'media', new Uint8Array([1, 2]), 'image', 'HANDLE_1');
    expect(out).toEqual(node('message', { to: JID, id: 'ID2', type: 'media', media_id: 'HANDLE_1' }, [node('plaintext', { mediatype: 'image' }, new Uint8Array([1, 2]))]));
    const sha = new Uint8Array(32).fill(0xfb);
    const token = Buffer.from(sha).toString('base64url');
    expect(channelUploadUrl('h:1', 'ptt', sha, 'a/b')).toBe(`https://h:1/newsletter/newsletter-ptt/${token}?auth=a%2Fb&token=${token}`);
    expect(channelUploadPath('image')).toBe('/newsletter/newsletter-image');
    expect(channelUploadPath('md-app-state')).toBeUndefined();
    expect(() => channelUploadUrl('h:1', 'md-msg-hist', sha, 'a')).toThrow(RangeError);
  });

  it('a reaction names the post; taking it back is edit 7 without a code', () => {
    expect(buildNewsletterReaction(JID, 'R1', '101', '👍')).toEqual(node('message', { to: JID, id: 'R1', type: 'reaction', server_id: '101' }, [node('reaction', { code: '👍' })]));
    expect(buildNewsletterReaction(JID, 'R2', '101', '')).toEqual(node('message', { to: JID, id: 'R2', type: 'reaction', server_id: '101', edit: '7' }, [node('reaction', {})]));
  });

  it('reaction counts survive the live-updates notification', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('👍', '❤️', '😂', '🙏'), fc.integer({ min: 0, max: 1e6 })), (counts) => {
        const n = buildNewsletterReactionCounts(JID, 'N1', '7', '123', counts);
        expect(parseNewsletterLiveUpdates(n)).toEqual([{ jid: JID, serverId: '123', counts }]);
      }),
    );
    expect(parseNewsletterLiveUpdates(node('notification', { type: 'w:gp2', from: JID }))).toEqual([]);
  });
});
