/**
 * The web console's routes: `GET /` (the page; it carries no data, so it is
 * served without a token, and every request it makes sends the token the
 * user typed) and `POST /v1/console/qr {text}` → `{svg}`, which draws a
 * login QR for the page (the QR string comes from the account's
 * connection:update events). The page may run only its own inline script
 * and talk only to this origin. Owns these two routes.
 */
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { CONSOLE_PAGE } from './console-page.js';
import { sendError } from './context.js';

/** WhatsApp's login QR strings are a few hundred characters. */
const MAX_QR_TEXT = 2048;

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function registerConsole(app: FastifyInstance): void {
  app.get('/', { schema: { summary: 'the web console (the page; its requests need the token)', tags: ['console'], security: [] } }, async (_req, reply) =>
    reply.headers(PAGE_HEADERS).send(CONSOLE_PAGE),
  );
  app.post(
    '/v1/console/qr',
    {
      schema: {
        summary: 'an SVG of a QR code (for the console to draw a login QR)',
        tags: ['console'],
        body: { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: MAX_QR_TEXT } } },
      },
    },
    async (req, reply) => {
      const text = (req.body as { text?: unknown } | null)?.text;
      if (typeof text !== 'string' || text.length === 0 || text.length > MAX_QR_TEXT) {
        return sendError(reply, { code: 'INVALID_PAYLOAD', message: `text must be a string of 1 to ${MAX_QR_TEXT} characters`, details: { field: 'text' } });
      }
      return { success: true, svg: await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 }) };
    },
  );
}
