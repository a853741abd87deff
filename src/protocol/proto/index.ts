/**
 * The WhatsApp protobuf schema subset wad uses, as static code generated from
 * proto/*.proto by `npm run codegen` (scripts/codegen/proto.mjs). Pure: no I/O.
 */
export { proto } from './generated/wa.js';
