/**
 * Outgoing framing: the 3-byte big-endian length prefix of every frame and
 * the client's one-time intro (`WA` 6 3, optionally preceded by the `ED`
 * edge-routing pre-intro). Incoming frames are frame-decoder.ts.
 */
import { MAX_FRAME_LENGTH, MAX_ROUTING_INFO, ROUTING_PREFIX, WA_INTRO_HEADER } from './constants.js';
import { NoiseError } from './errors.js';

/**
 * The bytes the client sends before its first frame. With routing info (from a
 * server's `<edge_routing><routing_info>`): "ED" 0 1, 3-byte length, the info,
 * then the header.
 * @throws NoiseError BAD_INTRO when the routing info is longer than MAX_ROUTING_INFO
 */
export function encodeIntro(opts: { routingInfo?: Uint8Array; header?: Uint8Array } = {}): Uint8Array {
  const header = opts.header ?? WA_INTRO_HEADER;
  const info = opts.routingInfo;
  if (info === undefined) return Uint8Array.from(header);
  if (info.length > MAX_ROUTING_INFO) {
    throw new NoiseError('BAD_INTRO', `routing info of ${info.length} bytes exceeds ${MAX_ROUTING_INFO}`);
  }
  const out = new Uint8Array(ROUTING_PREFIX.length + 3 + info.length + header.length);
  out.set(ROUTING_PREFIX, 0);
  writeLength(out, ROUTING_PREFIX.length, info.length);
  out.set(info, ROUTING_PREFIX.length + 3);
  out.set(header, ROUTING_PREFIX.length + 3 + info.length);
  return out;
}

/**
 * One frame: [intro] ‖ 3-byte big-endian length ‖ payload.
 * @throws NoiseError FRAME_TOO_LARGE when the payload exceeds 0xFFFFFF bytes
 */
export function encodeFrame(payload: Uint8Array, opts: { intro?: Uint8Array } = {}): Uint8Array {
  if (payload.length > MAX_FRAME_LENGTH) {
    throw new NoiseError('FRAME_TOO_LARGE', `payload of ${payload.length} bytes does not fit a 3-byte length`);
  }
  const intro = opts.intro;
  const offset = intro === undefined ? 0 : intro.length;
  const out = new Uint8Array(offset + 3 + payload.length);
  if (intro !== undefined) out.set(intro, 0);
  writeLength(out, offset, payload.length);
  out.set(payload, offset + 3);
  return out;
}

function writeLength(out: Uint8Array, at: number, length: number): void {
  out[at] = length >>> 16;
  out[at + 1] = (length >>> 8) & 0xff;
  out[at + 2] = length & 0xff;
}
