/**
 * What a page says about itself for a preview: its Open Graph tags
 * (og:title, og:description, og:image), else Twitter's, else <title> and
 * <meta name="description">. Parsed with htmlparser2 (entities decoded,
 * broken markup tolerated); a relative image is resolved against the page's
 * own URL. Pure: the bytes come in, the facts go out.
 */
import { Parser } from 'htmlparser2';

export interface PageFacts {
  title?: string;
  description?: string;
  /** Absolute http(s) URL of the page's image. */
  image?: string;
}

/** WhatsApp shows a line or two of each: longer ones are cut here rather than sent whole. */
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 1024;

const tidy = (s: string | undefined, max: number): string | undefined => {
  const t = s?.replace(/\s+/g, ' ').trim();
  return t ? t.slice(0, max) : undefined;
};

export function readOpenGraph(html: string, pageUrl: string): PageFacts {
  const meta = new Map<string, string>();
  let title = '';
  let inTitle = false;
  let titleDone = false;
  let inSvg = 0;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'svg') inSvg++;
        if (name === 'title' && inSvg === 0 && !titleDone) inTitle = true;
        if (name !== 'meta') return;
        const key = (attrs['property'] ?? attrs['name'] ?? '').trim().toLowerCase();
        const content = attrs['content'];
        // The first of each wins, as with every Open Graph reader.
        if (key && content !== undefined && !meta.has(key)) meta.set(key, content);
      },
      ontext(text) {
        if (inTitle) title += text;
      },
      onclosetag(name) {
        if (name === 'svg' && inSvg > 0) inSvg--;
        if (name === 'title' && inTitle) {
          inTitle = false;
          titleDone = true;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  const pick = (...keys: string[]): string | undefined => keys.map((k) => meta.get(k)?.trim()).find((v) => v);
  const out: PageFacts = {};
  const t = tidy(pick('og:title', 'twitter:title') ?? title, MAX_TITLE);
  if (t) out.title = t;
  const d = tidy(pick('og:description', 'twitter:description', 'description'), MAX_DESCRIPTION);
  if (d) out.description = d;
  const image = absolute(pick('og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image', 'twitter:image:src'), pageUrl);
  if (image) out.image = image;
  return out;
}

function absolute(ref: string | undefined, base: string): string | undefined {
  if (!ref) return undefined;
  try {
    const u = new URL(ref, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** The page's text: the charset its content type names, else UTF-8 (what nearly every page is). */
export function decodePage(body: Uint8Array, contentType: string): string {
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * The first http:// or https:// link of a text, as the text has it (the
 * preview's matchedText); trailing punctuation that ends a sentence is not
 * part of it, nor a closing bracket the link did not open.
 */
export function firstLink(text: string): string | undefined {
  const m = /\bhttps?:\/\/[^\s<>"'`]+/i.exec(text);
  if (!m) return undefined;
  let link = m[0];
  for (;;) {
    const last = link.at(-1)!;
    if ('.,;:!?\'"'.includes(last)) link = link.slice(0, -1);
    else if (last === ')' && !link.includes('(')) link = link.slice(0, -1);
    else if (last === ']' && !link.includes('[')) link = link.slice(0, -1);
    else break;
  }
  return /^https?:\/\/[^/?#]+/i.test(link) ? link : undefined;
}
