/**
 * `wad profile set <id> [--name N] [--about T]`: our push name and about;
 * `wad profile picture <id> <file> [--group G]` / `--remove`: our picture
 * (or a group's we administer), cropped to the centre square and made a
 * 640x640 JPEG by the daemon. Over the socket the file goes in binary
 * frames; over --url as base64 in the request (within the HTTP body limit).
 */
import { readFile, stat } from 'node:fs/promises';
import { WadClient } from '../client/index.js';
import { peopleVerbs, type PictureInput } from '../client/people-verbs.js';
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run, type DaemonLink } from './common.js';

const USAGE = `usage: wad profile set <id> [--name NAME] [--about TEXT]
       wad profile picture <id> <file> [--group GROUP]
       wad profile picture <id> --remove [--group GROUP]

set       our push name (what contacts see beside our number) and/or about
picture   our profile picture from an image file (JPEG, PNG, WebP…: the daemon
          crops the centre square and makes it a 640x640 JPEG), or --remove it;
          with --group, that group's picture (we must be one of its admins)

options:
  --name NAME      set: the push name (1-25 characters)
  --about TEXT     set: the about (at most 139 characters; "" clears it)
  --group GROUP    picture: a group jid or id instead of our own picture
  --remove         picture: remove the picture
${COMMON_HELP}`;

/** The largest image file sent (the daemon refuses more). */
const MAX_IMAGE_BYTES = 16 * 1024 * 1024;

export async function runProfile(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  return run(
    'profile',
    async () => {
      const { values, positionals } = parse(rest, { name: { type: 'string' }, about: { type: 'string' }, group: { type: 'string' }, remove: { type: 'boolean', default: false } });
      if (values.help || sub === undefined || sub === '--help' || sub === '-h') {
        process.stdout.write(USAGE + '\n');
        return sub === undefined ? 2 : 0;
      }
      const [account, file, ...extra] = positionals;
      if (account === undefined) throw new UsageError(`usage: wad profile ${sub} <id> … (see wad profile --help)`);
      if (sub === 'set') {
        if (file !== undefined) throw new UsageError('set takes --name and/or --about, no other arguments');
        if (values.name === undefined && values.about === undefined) throw new UsageError('give --name, --about or both');
        return withLink(values, async (link) => {
          await peopleVerbs(link).setProfile(account, { ...(values.name !== undefined ? { name: values.name } : {}), ...(values.about !== undefined ? { about: values.about } : {}) });
          if (values.json) jsonLine({ ok: true });
          return 0;
        });
      }
      if (sub === 'picture') {
        if (extra.length > 0) throw new UsageError('picture takes one file');
        const group = values.group === undefined ? undefined : normalizeJid(values.group);
        if (values.group !== undefined && (group === undefined || !group.endsWith('@g.us'))) throw new UsageError(`'${values.group}' is not a group`);
        const opts = group !== undefined ? { group } : {};
        if (values.remove) {
          if (file !== undefined) throw new UsageError('give a file or --remove, not both');
          return withLink(values, async (link) => {
            await peopleVerbs(link).removeProfilePicture(account, opts);
            if (values.json) jsonLine({ removed: true });
            return 0;
          });
        }
        if (file === undefined) throw new UsageError('give an image file (or --remove)');
        const size = (await stat(file).catch(() => undefined))?.size;
        if (size === undefined) throw new UsageError(`cannot read '${file}'`);
        if (size > MAX_IMAGE_BYTES) throw new UsageError(`'${file}' is larger than ${MAX_IMAGE_BYTES} bytes`);
        return withLink(values, async (link) => {
          const id = await peopleVerbs(link).setProfilePicture(account, await pictureInput(link, file, group), opts);
          if (values.json) jsonLine({ id: id ?? null });
          else process.stdout.write(`${id ?? 'set'}\n`);
          return 0;
        });
      }
      throw new UsageError(`unknown subcommand '${sub}' (see wad profile --help)`);
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}

/** Binary frames on the socket; base64 in the body over HTTP. */
async function pictureInput(link: DaemonLink, file: string, group: string | undefined): Promise<PictureInput> {
  if (link instanceof WadClient) return { upload: await link.upload({ path: file }, { type: 'image', conversationId: group ?? '', mimeType: 'image/jpeg' }) };
  return { base64: (await readFile(file)).toString('base64') };
}

async function withLink(values: Parameters<typeof connect>[0], body: (link: DaemonLink) => Promise<number>): Promise<number> {
  const link = await connect(values);
  try {
    return await body(link);
  } finally {
    await link.close();
  }
}
