/**
 * The WhatsApp protobuf schema subset wad uses, as static code generated from
 * proto/*.proto by `npm run codegen` (scripts/codegen/proto.mjs): one exported
 * namespace per protobuf package (`proto`: WhatsApp's own messages, named as in
 * Baileys; `signal`: Signal's wire messages). Pure: no I/O.
 *
 * Owns nothing but the re-export; never edit generated/ by hand. Numbers:
 * 64-bit fields are plain JS numbers (codegen uses --force-number), exact up to
 * 2^53, which covers timestamps, file lengths and jid user parts.
 *
 * Decoding drops fields the schema lacks (see the header of proto/message.proto):
 * keep the original bytes wherever a message must pass through unchanged.
 */
export * from './generated/wa.js';
