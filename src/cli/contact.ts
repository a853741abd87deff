/**
 * `wad contact check <id> <phone>...`: which numbers are on WhatsApp;
 * `wad contact info <id> <jid>`: what a user shows (about, picture id,
 * devices, business); `wad contact picture <id> <jid> [--preview]`: the URL
 * of their picture. A jid may be a bare phone number.
 */
import { peopleVerbs } from '../client/people-verbs.js';
import { normalizeJid } from '../ipc/jid.js';
import type { ContactInfoResult } from '../contract/people.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';

const USAGE = `usage: wad contact check <id> <phone>...
       wad contact info <id> <jid>
       wad contact picture <id> <jid> [--preview]

check     whether each number is on WhatsApp: one line per number,
          "<phone>  yes  <jid>  <lid>" or "<phone>  no" (numbers as digits, + and spaces allowed;
          answers are cached by the daemon: a day for yes, an hour for no)
info      a user's about (with when it was set), picture id, devices, LID and business profile
picture   the URL of a user's or group's profile picture (--preview: the small one)

options:
  --preview        picture: the small preview instead of the full image
${COMMON_HELP}`;

export async function runContact(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  return run(
    'contact',
    async () => {
      const { values, positionals } = parse(rest, { preview: { type: 'boolean', default: false } });
      if (values.help || sub === undefined || sub === '--help' || sub === '-h') {
        process.stdout.write(USAGE + '\n');
        return sub === undefined ? 2 : 0;
      }
      const [account, ...args] = positionals;
      if (account === undefined) throw new UsageError(`usage: wad contact ${sub} <id> … (see wad contact --help)`);
      if (sub === 'check') {
        if (args.length === 0) throw new UsageError('give at least one phone number');
        const phones = args.map((a) => a.replace(/[\s().-]/g, ''));
        const bad = phones.find((p) => !/^\+?[0-9]{5,20}$/.test(p));
        if (bad !== undefined) throw new UsageError(`'${bad}' is not a phone number`);
        const client = await connect(values);
        try {
          const results = await peopleVerbs(client).checkContacts(account, phones);
          for (const r of results) {
            if (values.json) jsonLine(r);
            else process.stdout.write([r.phone, r.exists ? 'yes' : 'no', ...(r.exists ? [r.jid ?? '', r.lid ?? ''] : [])].join('  ').trimEnd() + '\n');
          }
          return 0;
        } finally {
          await client.close();
        }
      }
      if (sub === 'info' || sub === 'picture') {
        const jid = args[0] === undefined ? undefined : normalizeJid(args[0]);
        if (jid === undefined) throw new UsageError(`usage: wad contact ${sub} <id> <jid> (a jid or a phone number)`);
        const client = await connect(values);
        try {
          if (sub === 'info') {
            const info = await peopleVerbs(client).contactInfo(account, jid);
            if (values.json) jsonLine(info);
            else process.stdout.write(describe(info));
          } else {
            const pic = await peopleVerbs(client).contactPicture(account, jid, { preview: values.preview });
            if (values.json) jsonLine(pic);
            else process.stdout.write(`${pic.url}\n`);
          }
          return 0;
        } finally {
          await client.close();
        }
      }
      throw new UsageError(`unknown subcommand '${sub}' (see wad contact --help)`);
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}

function describe(i: ContactInfoResult): string {
  const lines: Array<[string, string | undefined]> = [
    ['jid', i.jid],
    ['lid', i.lid],
    ['name', i.name],
    ['push name', i.pushName],
    ['about', i.about === undefined ? '(none, or hidden)' : i.aboutSetAt ? `${i.about}  (set ${new Date(i.aboutSetAt * 1000).toISOString()})` : i.about],
    ['picture', i.pictureId ?? '(none, or hidden)'],
    ['devices', i.devices.join(', ')],
    ['business', i.business ? [i.business.verifiedName, i.business.category, i.business.description].filter(Boolean).join(' · ') || 'yes' : undefined],
  ];
  return lines.flatMap(([k, v]) => (v === undefined ? [] : [`${k.padEnd(10)} ${v}\n`])).join('');
}
