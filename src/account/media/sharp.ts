/**
 * The one loader of sharp (libvips), an optional dependency as in Baileys:
 * thumbnails and profile pictures use it when it is installed and do without
 * (or refuse what needs it) when it is not. Loaded once per process.
 */

/** The part of sharp's chained image API wad uses. */
export interface SharpImage {
  metadata(): Promise<{ width?: number; height?: number }>;
  rotate(): SharpImage;
  resize(width: number): SharpImage;
  resize(opts: { width: number; height: number; fit: 'cover'; position: 'centre' }): SharpImage;
  resize(width: number, height: number, opts: { fit: 'inside'; withoutEnlargement: boolean }): SharpImage;
  flatten(opts: { background: string }): SharpImage;
  jpeg(opts: { quality: number }): SharpImage;
  toBuffer(): Promise<Buffer>;
  toBuffer(opts: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number } }>;
}

export type SharpFactory = (input: Buffer | string, opts?: { failOn?: string; limitInputPixels?: number }) => SharpImage;

let loaded: Promise<SharpFactory | undefined> | undefined;

/** sharp's factory, or undefined when it is not installed. Never throws. */
export function loadSharp(): Promise<SharpFactory | undefined> {
  // A variable specifier: sharp is optional and has no types in this build.
  const name = 'sharp';
  loaded ??= import(name).then(
    (m: { default?: SharpFactory }) => m.default,
    () => undefined,
  );
  return loaded;
}
