/**
 * Our own profile: push name, about, and picture (ours, or a group's we
 * administer). A picture is made the way WhatsApp shows it: cropped to the
 * centre square and scaled to 640x640 JPEG, with sharp when it is installed
 * (an optional dependency, as for thumbnails); without sharp only a JPEG is
 * accepted, sent as given.
 */
import { removeProfilePicture, setAbout, setProfilePicture } from '../../protocol/iq/profile.js';
import type { MediaFile } from '../../contract/api.js';
import { loadSharp } from '../media/sharp.js';
import { MessagingError } from '../messaging/errors.js';
import type { PeopleDeps } from './deps.js';
import { executeIq } from './iq.js';

/** The side WhatsApp's profile pictures have. */
export const PICTURE_SIDE = 640;
/** Bytes of image a picture request may bring (a phone photo fits; a bomb does not). */
export const MAX_PICTURE_INPUT_BYTES = 16 * 1024 * 1024;
/** WhatsApp's limits: 25 characters of push name, 139 of about. Longer is refused by the app, so by us. */
const MAX_NAME = 25;
const MAX_ABOUT = 139;

/** Where picture bytes come from: given, a local file (opened under the daemon's path policy), or an upload. */
export type PictureSource = Uint8Array | { path: string } | MediaFile;

export class ProfileEditor {
  readonly #deps: PeopleDeps;

  constructor(deps: PeopleDeps) {
    this.#deps = deps;
  }

  /** @throws MessagingError BAD_CONTENT (empty or too long), NOT_READY, SERVER_REJECTED */
  async set(change: { name?: string | undefined; about?: string | undefined }): Promise<void> {
    const { name, about } = change;
    if (name !== undefined && (name.trim() === '' || [...name].length > MAX_NAME)) throw new MessagingError('BAD_CONTENT', `a push name has 1-${MAX_NAME} characters`);
    if (about !== undefined && [...about].length > MAX_ABOUT) throw new MessagingError('BAD_CONTENT', `an about has at most ${MAX_ABOUT} characters`);
    if (about !== undefined) await executeIq(this.#deps, setAbout(about));
    if (name !== undefined) {
      const creds = this.#deps.store.creds;
      if (!creds?.me) throw new MessagingError('NOT_READY', 'the account is not paired');
      await this.#deps.store.transaction((tx) => tx.creds.update({ me: { ...creds.me!, name } }));
      // The server stamps the name it last heard in our presence on each of our messages: say it now.
      await this.#deps.announceName();
      // Our phone and other devices keep the name in app state. Right after linking the sync keys may
      // not have arrived yet: the name is still ours and said, so that is only worth a warning.
      await this.#deps.applyAppState({ type: 'pushName', name }).catch((err: unknown) => this.#deps.logger.warn({ err: (err as Error).message }, 'push name not written to app state'));
    }
  }

  /** @returns the new picture id @throws MessagingError BAD_CONTENT (not an image), SERVER_REJECTED (not an admin: 401) */
  async setPicture(source: PictureSource, target?: string): Promise<{ id?: string | undefined }> {
    const jpeg = await squareJpeg(await this.#deps.readImage(source, MAX_PICTURE_INPUT_BYTES));
    return executeIq(this.#deps, setProfilePicture(jpeg, target));
  }

  async removePicture(target?: string): Promise<void> {
    await executeIq(this.#deps, removeProfilePicture(target));
  }
}

/** The centre square at 640x640 as JPEG. @throws MessagingError BAD_CONTENT when it is not an image (or, without sharp, not a JPEG) */
export async function squareJpeg(image: Uint8Array): Promise<Uint8Array> {
  const sharp = await loadSharp();
  if (!sharp) {
    if (image[0] === 0xff && image[1] === 0xd8 && image[2] === 0xff) return image;
    throw new MessagingError('BAD_CONTENT', 'a profile picture must be a JPEG (install sharp to have other images converted)');
  }
  try {
    const out = await sharp(Buffer.from(image.buffer, image.byteOffset, image.byteLength), { failOn: 'error', limitInputPixels: 100_000_000 })
      .rotate()
      .resize({ width: PICTURE_SIDE, height: PICTURE_SIDE, fit: 'cover', position: 'centre' })
      .jpeg({ quality: 80 })
      .toBuffer();
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw new MessagingError('BAD_CONTENT', `not an image we can read: ${(err as Error).message}`, { cause: err });
  }
}
