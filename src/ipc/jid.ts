/**
 * What a person may type for a chat (the CLI contract: "a jid argument also
 * accepts a bare phone number and a group id") turned into a jid. Shared by
 * the IPC server (conversationId, participants) and the CLI. Syntax only: it
 * must not decide whether the chat exists.
 */
const FULL = /^[0-9A-Za-z._:-]{1,80}@(s\.whatsapp\.net|g\.us|lid|broadcast|newsletter|c\.us|hosted|hosted\.lid|bot)$/;

/** Phone numbers have at most 15 digits (E.164); group ids are longer or `creator-time`. */
export function normalizeJid(input: string): string | undefined {
  const s = input.trim().replace(/^\+/, '');
  if (/^[0-9]{5,15}$/.test(s)) return `${s}@s.whatsapp.net`;
  if (/^[0-9]{16,40}$/.test(s) || /^[0-9]{5,20}-[0-9]{5,20}$/.test(s)) return `${s}@g.us`;
  if (!FULL.test(s)) return undefined;
  return s.endsWith('@c.us') ? `${s.slice(0, -5)}@s.whatsapp.net` : s;
}
