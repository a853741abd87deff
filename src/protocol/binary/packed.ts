/**
 * The two packed string alphabets, NIBBLE_8 (0-9 '-' '.') and HEX_8 (0-9 A-F),
 * four bits per character. Owns the choice of alphabet and the lookup tables
 * both directions use; reads and writes no buffers.
 */
import { NIBBLE_DASH, NIBBLE_DOT } from './tags.js';

export const PACK_NONE = 0;
export const PACK_NIBBLE = 1;
export const PACK_HEX = 2;

/** Character code → nibble (NIBBLE_8 alphabet) or hex value; -1 elsewhere. */
export const NIBBLE_VALUE = new Int8Array(128).fill(-1);
export const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d <= 9; d++) NIBBLE_VALUE[48 + d] = HEX_VALUE[48 + d] = d;
NIBBLE_VALUE[45] = NIBBLE_DASH;
NIBBLE_VALUE[46] = NIBBLE_DOT;
for (let h = 0; h < 6; h++) HEX_VALUE[65 + h] = 10 + h;

/**
 * NIBBLE when every character is 0-9 - . ; else HEX when every one is 0-9 A-F
 * (upper case only, as Baileys decides); else NONE. The caller checks
 * the length (1..PACKED_MAX).
 */
export function packKind(s: string): number {
  let nibble = true;
  let hex = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (c === 45 || c === 46) {
      hex = false;
      if (!nibble) return PACK_NONE;
    } else if (c >= 65 && c <= 70) {
      nibble = false;
      if (!hex) return PACK_NONE;
    } else {
      return PACK_NONE;
    }
  }
  return nibble ? PACK_NIBBLE : PACK_HEX;
}

/** Byte → its two characters in NIBBLE_8, or undefined when a nibble is 12, 13 or 14. */
export const NIBBLE_PAIRS: readonly (string | undefined)[] = pairs('0123456789-.\0\0\0\0', true);
/** Byte → its two characters in HEX_8 (every byte is valid). */
export const HEX_PAIRS: readonly string[] = pairs('0123456789ABCDEF', false) as string[];

function pairs(alphabet: string, nibble: boolean): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  // 15 is padding in NIBBLE_8 and reads as '\0', as in Baileys; 12-14 are undefined.
  const valid = (v: number) => !nibble || v < 12 || v === 15;
  for (let b = 0; b < 256; b++) {
    const hi = b >>> 4;
    const lo = b & 15;
    out.push(valid(hi) && valid(lo) ? alphabet[hi]! + alphabet[lo]! : undefined);
  }
  return out;
}
