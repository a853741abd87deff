// Groups of our accounts (5 members, 2 devices each) through the
// simulator's router: sender keys distributed once, a removed member no
// longer decrypts, forced decrypt failures recovered by retry receipts,
// identity changes, LID-addressed peers, presence and chat states.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, type TestAccount } from './world.js';

let world: World;
const members: TestAccount[][] = [];
/** Accounts ("phone:device") → how many of their next incoming messages fail to decrypt. */
let armed: Map<string, number>;

beforeAll(async () => {
  world = new World();
  armed = new Map();
  for (let u = 0; u < 5; u++) {
    const phone = `1555000200${u}`;
    const devs: TestAccount[] = [];
    for (const device of [1, 2]) devs.push(await world.account(phone, { device, failDecrypt: () => {
          const k = `${phone}:${device}`;
          const n = armed.get(k) ?? 0;
          if (n > 0) armed.set(k, n - 1);
          return n > 0;
        } }));
    members.push(devs);
  }
});
afterAll(() => world.close());

const until = <T>(probe: () => T | undefined | false, what: string): Promise<T> => world.until(probe, what, 400);

const got = (a: TestAccount, id: string) => a.newMessage(id);

describe('groups', () => {
  let group: string;

  it('every member device receives every other member’s group texts; keys are distributed once', async () => {
    const creator = members[0]![0]!;
    const meta = await creator.messaging.createGroup('five', members.slice(1).map((m) => m[0]!.userJid));
    group = meta.jid;
    expect(meta.participants).toHaveLength(5);
    for (let round = 0; round < 2; round++) {
      for (const [u, devs] of members.entries()) {
        const sender = devs[round % 2]!;
        const { messageId } = await sender.messaging.send(group, { type: 'text', content: `from ${u} round ${round}` });
        for (const [v, others] of members.entries()) {
          for (const d of others) {
            if (d === sender) continue;
            const e = await until(() => got(d, messageId), `u${u} → u${v}:${d.device}`);
            expect(e.data).toMatchObject({ chat: group, content: `from ${u} round ${round}`, fromMe: u === v });
          }
        }
      }
    }
    // A sender's next send carries no distribution: everyone holds its key.
    const again = members[0]![0]!;
    const { messageId: third } = await again.messaging.send(group, { type: 'text', content: 'third' });
    await until(() => got(members[3]![1]!, third), 'third');
    const last = again.sent.filter((n) => n.tag === 'message' && n.attrs.id === third).at(-1)!;
    expect((last.content as Array<{ tag: string }>).map((c) => c.tag)).toEqual(['enc']);
  });

  it('a removed member no longer decrypts new messages', async () => {
    const admin = members[0]![0]!;
    const gone = members[4]!;
    const res = await admin.messaging.groupParticipants(group, 'remove', [gone[0]!.userJid]);
    expect(res).toEqual([{ jid: gone[0]!.userJid, status: 200 }]);
    await until(() => gone[0]!.events('group:update').length > 0, 'removal notice');
    // Everyone still in the group rotates its key on the notification; a new message reaches members only.
    await world.settle();
    const { messageId } = await members[1]![0]!.messaging.send(group, { type: 'text', content: 'after removal' });
    await until(() => got(members[2]![1]!, messageId), 'member gets it');
    await world.settle();
    for (const d of gone) expect(got(d, messageId)).toBeUndefined();
    // Even if the server leaked the group ciphertext to the removed member, the new key never reached them.
    const stanza = members[2]![1]!.received.find((n) => n.tag === 'message' && n.attrs.id === messageId)!;
    const skmsgOnly = { ...stanza, content: (stanza.content as Array<{ tag: string; attrs: Record<string, string> }>).filter((c) => c.attrs.type === 'skmsg') } as typeof stanza;
    gone[1]!.send(skmsgOnly);
    await world.settle();
    expect(got(gone[1]!, messageId)?.data.type ?? 'not delivered').not.toBe('text');
  });
});

describe('retries', () => {
  it('a forced decrypt failure sends a retry receipt; the resend decrypts; the consumer gets it once', async () => {
    const [a] = members[0]!;
    const [b] = members[1]!;
    const sentBefore = b!.messaging.stats().retryReceiptsSent!;
    const resentBefore = a!.messaging.stats().retryResends!;
    armed.set(`${b!.phone}:1`, 1);
    const { messageId } = await a!.messaging.send(b!.userJid, { type: 'text', content: 'first try fails' });
    const e = await until(() => got(b!, messageId), 'resent message');
    expect(e.data.content).toBe('first try fails');
    expect(b!.messaging.stats().retryReceiptsSent).toBe(sentBefore + 1);
    expect(a!.messaging.stats().retryResends).toBe(resentBefore + 1);
    const retry = b!.sent.find((n) => n.tag === 'receipt' && n.attrs.type === 'retry' && n.attrs.id === messageId)!;
    expect(retry.attrs.to).toBe(a!.deviceJid);
    await world.settle();
    expect(b!.events('message:new').filter((x) => x.data.id === messageId)).toHaveLength(1);
  });

  it('twice failing: the second retry carries our keys and the sender rebuilds the session from them', async () => {
    const [a] = members[2]!;
    const [b] = members[3]!;
    armed.set(`${b!.phone}:1`, 2);
    const { messageId } = await a!.messaging.send(b!.userJid, { type: 'text', content: 'fails twice' });
    const e = await until(() => got(b!, messageId), 'delivered after two retries');
    expect(e.data.content).toBe('fails twice');
    const retries = b!.sent.filter((n) => n.tag === 'receipt' && n.attrs.type === 'retry' && n.attrs.id === messageId);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    const tags = (retries[1]!.content as Array<{ tag: string }>).map((c) => c.tag);
    expect(tags).toContain('keys');
  });

  it('a group message that fails is resent pairwise with our sender key', async () => {
    const sender = members[1]![1]!;
    const receiver = members[3]![0]!;
    const meta = await sender.messaging.groupMetadata((await sender.messaging.createGroup('retry group', [receiver.userJid])).jid);
    const { messageId: warm } = await sender.messaging.send(meta.jid, { type: 'text', content: 'warm up' });
    await until(() => got(receiver, warm), 'warm up');
    armed.set(`${receiver.phone}:1`, 1);
    const { messageId } = await sender.messaging.send(meta.jid, { type: 'text', content: 'group retry' });
    const e = await until(() => got(receiver, messageId), 'group resend');
    expect(e.data).toMatchObject({ chat: meta.jid, content: 'group retry' });
    const resend = sender.sent.filter((n) => n.tag === 'message' && n.attrs.id === messageId).at(-1)!;
    expect(resend.attrs).toMatchObject({ to: meta.jid, participant: receiver.deviceJid });
  });
});

describe('presence and chat states', () => {
  it('typing reaches the peer as typing:update; presence subscription reports availability', async () => {
    const [a] = members[0]!;
    const [b] = members[2]!;
    await a!.messaging.chatState(b!.userJid, 'composing');
    await a!.messaging.chatState(b!.userJid, 'recording');
    await until(() => b!.events('typing:update').filter((e) => e.data.by === a!.userJid).length >= 2, 'typing');
    expect(b!.events('typing:update').filter((e) => e.data.by === a!.userJid).map((e) => e.data.state)).toEqual(['composing', 'recording']);
    await a!.messaging.presence('available');
    await b!.messaging.subscribePresence(a!.userJid);
    const p = await until(() => b!.events('presence:update').find((e) => e.data.jid === a!.userJid), 'presence');
    expect(p.data.status).toBe('available');
  });
});
