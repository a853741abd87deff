/**
 * A text's link preview, made for a send: from the page behind the text's
 * first link (its Open Graph facts and image, fetched under the bounds of
 * web-fetch.ts), or from what the caller gave. An image becomes the small
 * inline JPEG and a larger one uploaded encrypted with the link-thumbnail
 * keys (media type thumbnail-link), as WhatsApp sends high-quality previews.
 *
 * Never throws: a preview that cannot be made is an error that says why, and
 * the text goes without it; an image that cannot be had leaves the preview
 * without a thumbnail, and says why too.
 */
import type { LinkPreviewSpec } from '../../contract/api.js';
import type { LinkPreview, LinkThumbnail } from '../../protocol/message/index.js';
import type { UploadedMedia } from '../media/service.js';
import { sharpJpeg } from '../media/thumbnails.js';
import { LinkPreviewError } from './errors.js';
import { decodePage, firstLink, readOpenGraph } from './open-graph.js';
import type { WebFetcher } from './web-fetch.js';

/** A made preview, or why not; both when the preview goes without its image. */
export interface MadePreview {
  preview?: LinkPreview;
  /** "CODE: what happened". */
  error?: string;
}

export type LinkPreviewMaker = (text: string, asked: true | LinkPreviewSpec) => Promise<MadePreview>;

export interface LinkPreviewMakerOptions {
  /** Fetches pages and images; without it only given previews are made. */
  readonly web?: WebFetcher | undefined;
  /** Uploads the high-quality thumbnail (encrypted, media type thumbnail-link). */
  readonly upload: (jpeg: Uint8Array, signal: AbortSignal) => Promise<UploadedMedia>;
  /** One deadline for the page, its image and the upload. */
  readonly timeoutMs: number;
  /** Unix ms. */
  readonly now?: () => number;
}

/** WhatsApp Web's inline link thumbnails are a few KB; a larger one is the uploaded high-quality one. */
const INLINE_BOX = 192;
const INLINE_QUALITY = 50;
const HIGH_QUALITY_BOX = 720;
const HIGH_QUALITY_QUALITY = 80;

export function createLinkPreviewMaker(opts: LinkPreviewMakerOptions): LinkPreviewMaker {
  const now = opts.now ?? Date.now;
  return async (text, asked) => {
    const signal = AbortSignal.timeout(opts.timeoutMs);
    try {
      if (asked === true) return await generated(opts.web, text, signal, (image) => thumbnails(opts.upload, image, now, signal));
      const preview: LinkPreview = { matchedText: asked.url, title: asked.title, ...(asked.description !== undefined ? { description: asked.description } : {}) };
      if (!asked.thumbnail) return { preview };
      return withImage(preview, await thumbnails(opts.upload, asked.thumbnail, now, signal));
    } catch (err) {
      return { error: describe(err, signal) };
    }
  };
}

/** Makes the asked preview: the one given, or none when this account has no maker (an image needs one). */
export async function makePreview(maker: LinkPreviewMaker | undefined, text: string, asked: true | LinkPreviewSpec): Promise<MadePreview> {
  if (maker) return maker(text, asked);
  if (asked === true) return { error: 'UNAVAILABLE: this account makes no link previews' };
  const preview: LinkPreview = { matchedText: asked.url, title: asked.title, ...(asked.description !== undefined ? { description: asked.description } : {}) };
  return asked.thumbnail ? { preview, error: 'UNAVAILABLE: this account makes no thumbnails' } : { preview };
}

type Thumbs = { jpegThumbnail?: Uint8Array; thumbnail?: LinkThumbnail; error?: string };

async function generated(web: WebFetcher | undefined, text: string, signal: AbortSignal, thumbs: (image: Uint8Array) => Promise<Thumbs>): Promise<MadePreview> {
  if (!web) throw new LinkPreviewError('UNAVAILABLE', 'this daemon fetches no pages for previews');
  const link = firstLink(text);
  if (!link) throw new LinkPreviewError('NO_LINK', 'the text has no http:// or https:// link');
  const page = await web.page(link, signal);
  const facts = readOpenGraph(decodePage(page.body, page.contentType), page.url);
  if (!facts.title) throw new LinkPreviewError('NO_TITLE', `${new URL(page.url).host} names no title`);
  const preview: LinkPreview = { matchedText: link, title: facts.title, ...(facts.description ? { description: facts.description } : {}) };
  if (!facts.image) return { preview };
  let image: Uint8Array;
  try {
    image = (await web.image(facts.image, signal)).body;
  } catch (err) {
    return { preview, error: describe(err, signal) };
  }
  return withImage(preview, await thumbs(image));
}

function withImage(preview: LinkPreview, t: Thumbs): MadePreview {
  const out: LinkPreview = { ...preview, ...(t.jpegThumbnail ? { jpegThumbnail: t.jpegThumbnail } : {}), ...(t.thumbnail ? { thumbnail: t.thumbnail } : {}) };
  return t.error !== undefined ? { preview: out, error: t.error } : { preview: out };
}

/** The inline JPEG and the uploaded high-quality one; what fails is left out and said. */
async function thumbnails(upload: LinkPreviewMakerOptions['upload'], image: Uint8Array, now: () => number, signal: AbortSignal): Promise<Thumbs> {
  const inline = await sharpJpeg(image, INLINE_BOX, INLINE_QUALITY);
  if (!inline) return { error: 'BAD_IMAGE: the image could not be read (not an image, or no image library installed)' };
  const large = await sharpJpeg(image, HIGH_QUALITY_BOX, HIGH_QUALITY_QUALITY);
  if (!large) return { jpegThumbnail: inline.jpeg };
  try {
    if (signal.aborted) throw new LinkPreviewError('TIMEOUT', 'no time left to upload the thumbnail');
    const up = await upload(large.jpeg, signal);
    const thumbnail: LinkThumbnail = {
      directPath: up.directPath,
      sha256: up.fileSha256,
      encSha256: up.fileEncSha256,
      mediaKey: up.mediaKey,
      mediaKeyTimestamp: Math.floor(now() / 1000),
      width: large.width,
      height: large.height,
    };
    return { jpegThumbnail: inline.jpeg, thumbnail };
  } catch (err) {
    return { jpegThumbnail: inline.jpeg, error: `UPLOAD: the high-quality thumbnail was not uploaded (${err instanceof Error ? err.message : String(err)})` };
  }
}

function describe(err: unknown, signal: AbortSignal): string {
  if (err instanceof LinkPreviewError) return `${err.code}: ${err.message}`;
  if (signal.aborted) return 'TIMEOUT: the preview took longer than linkPreview.timeoutMs';
  return `NETWORK: ${err instanceof Error ? err.message : String(err)}`;
}
