/** Files the daemon sends from disk, and the link previews it makes. */
import { arrayOf, bool, int, nullable, object, ok, bad, refine, str } from '../checks.js';
import { ms } from '../values.js';

export interface MediaConfig {
  /**
   * Directories a `message:send` `path` may name (symlinks resolved before
   * the check). `null` in a config file means the user's home and the
   * system temp dir; `[]` turns path sends off. /proc, /sys, /dev and the
   * data dir are refused whatever this says.
   */
  readonly allowedRoots: readonly string[];
}

/** Link previews the daemon makes (`message:send` text with `linkPreview: true`). */
export interface LinkPreviewConfig {
  /** Fetch pages and images from loopback, private (RFC 1918), link-local, ULA and other non-public addresses too. */
  readonly allowPrivateNetworks: boolean;
  /** One deadline for the page, its image and the thumbnail's upload. */
  readonly timeoutMs: number;
  /** Largest page read (bytes). */
  readonly maxPageBytes: number;
  /** Largest image read (bytes). */
  readonly maxImageBytes: number;
  readonly maxRedirects: number;
}

const absolutePath = refine(str({ nonEmpty: true }), (v) => (v.startsWith('/') ? ok(v) : bad('an absolute path')));

export const mediaSchema = object({ allowedRoots: nullable(arrayOf(absolutePath)) });

export const linkPreviewSchema = object({ allowPrivateNetworks: bool, timeoutMs: ms(100, 120_000), maxPageBytes: int(1024, 64 << 20), maxImageBytes: int(1024, 64 << 20), maxRedirects: int(0, 20) });
