/**
 * Thumbnails and dimensions for outgoing images and stickers, made with
 * sharp (libvips) when it is installed — it is an optional dependency, as in
 * Baileys — and skipped silently when it is not: a media message without a
 * thumbnail is still valid. Video thumbnails need a decoder (ffmpeg), so
 * they come only from the caller.
 */
import { loadSharp } from './sharp.js';

export interface ImageFacts {
  width?: number;
  height?: number;
  /** A small JPEG (32 px wide, WhatsApp Web's size for inline thumbnails). */
  jpegThumbnail?: Uint8Array;
}

/** Makes facts about an image; undefined when it cannot (no library, not an image). */
export type ImageInspector = (image: Uint8Array | { path: string }) => Promise<ImageFacts | undefined>;

/** The default inspector: sharp when installed, else nothing. Never throws. */
export const sharpInspector: ImageInspector = async (image) => {
  const sharp = await loadSharp();
  if (!sharp) return undefined;
  const input = image instanceof Uint8Array ? Buffer.from(image.buffer, image.byteOffset, image.byteLength) : image.path;
  try {
    // Bounded: a decompression bomb is refused rather than decoded.
    const img = sharp(input, { failOn: 'error', limitInputPixels: 100_000_000 });
    const { width, height } = await img.metadata();
    const jpegThumbnail = await img.resize(32).jpeg({ quality: 50 }).toBuffer();
    return { ...(width ? { width } : {}), ...(height ? { height } : {}), jpegThumbnail };
  } catch {
    return undefined;
  }
};

/** A JPEG made from an image, and its size. */
export interface Jpeg {
  jpeg: Uint8Array;
  width: number;
  height: number;
}

/**
 * The image as a JPEG that fits in `box` × `box` pixels (never enlarged,
 * turned upright, transparency on white); undefined when it cannot (no
 * library, not an image, a decompression bomb). Never throws.
 */
export async function sharpJpeg(image: Uint8Array, box: number, quality: number): Promise<Jpeg | undefined> {
  const sharp = await loadSharp();
  if (!sharp) return undefined;
  try {
    const img = sharp(Buffer.from(image.buffer, image.byteOffset, image.byteLength), { failOn: 'error', limitInputPixels: 100_000_000 });
    const out = await img
      .rotate()
      .resize(box, box, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality })
      .toBuffer({ resolveWithObject: true });
    return { jpeg: new Uint8Array(out.data), width: out.info.width, height: out.info.height };
  } catch {
    return undefined;
  }
}
