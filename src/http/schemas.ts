/**
 * The JSON Schemas of the HTTP API's routes, built from the control
 * socket's request checks (each check carries the schema of what it
 * accepts): a route's body is the envelope `{account, chat?}` with the
 * request's data beside it. What the OpenAPI document says is therefore what
 * the socket validates. Owns the envelope's shape; must not validate.
 */
import { ACCOUNT_ID_PATTERN } from '../contract/api.js';
import { ERROR_CODES } from '../contract/errors.js';
import type { RequestType } from '../contract/frames.js';
import { requestShape } from '../ipc/requests.js';
import type { JsonSchema } from '../ipc/schema.js';

const account: JsonSchema = { type: 'string', pattern: ACCOUNT_ID_PATTERN.source, maxLength: 64, description: 'the account id' };
const chat: JsonSchema = { type: 'string', maxLength: 128, description: 'the chat: a jid, a phone number or a group id' };

/** The body of `POST /v1/<noun>/<verb>` for a control type. */
export function bodySchema(type: RequestType): JsonSchema {
  const shape = requestShape(type);
  if (shape.needs === 'none') return shape.data;
  const envelope: JsonSchema = {
    type: 'object',
    properties: { account, ...(shape.needs === 'chat' || shape.chatOptional ? { chat } : {}) },
    // account:* take the account in `id` as well; `account` is the documented way.
    required: shape.needs === 'chat' ? ['account', 'chat'] : ['account'],
  };
  // The data's own schema is closed (a field it does not know is refused); beside the envelope, the
  // closure moves to the whole body, where it sees the envelope's fields as known too.
  return { allOf: [envelope, opened(shape.data)], unevaluatedProperties: false };
}

/** The schema without its top-level `additionalProperties: false` (in each variant of a oneOf/anyOf too). */
function opened(schema: JsonSchema): JsonSchema {
  const { additionalProperties, oneOf, anyOf, ...rest } = schema as JsonSchema & { oneOf?: JsonSchema[]; anyOf?: JsonSchema[] };
  return {
    ...rest,
    ...(additionalProperties !== undefined && additionalProperties !== false ? { additionalProperties } : {}),
    ...(oneOf ? { oneOf: oneOf.map(opened) } : {}),
    ...(anyOf ? { anyOf: anyOf.map(opened) } : {}),
  };
}

export const errorSchema: JsonSchema = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { const: false },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string' },
        details: { type: 'object' },
        retryAfter: { type: 'integer', description: 'milliseconds to wait (RATE_LIMITED; the Retry-After header has it in seconds)' },
      },
    },
  },
};

export const successSchema: JsonSchema = {
  type: 'object',
  required: ['success'],
  properties: { success: { const: true } },
  additionalProperties: true,
  description: "the request's result (the control socket's ack data)",
};

/** Answers every route may give besides its success. */
export const errorResponses: Record<string, JsonSchema> = {
  400: { description: 'INVALID_PAYLOAD or MISSING_FIELD', ...errorSchema },
  401: { description: 'AUTH_REQUIRED, AUTH_INVALID or TOKEN_EXPIRED', ...errorSchema },
  403: { description: 'FORBIDDEN (outside the token\'s accounts) or NOT_MEMBER', ...errorSchema },
  404: { description: 'NOT_FOUND', ...errorSchema },
  409: { description: 'ALREADY_EXISTS', ...errorSchema },
  429: { description: 'RATE_LIMITED (see Retry-After)', ...errorSchema },
  500: { description: 'INTERNAL_ERROR', ...errorSchema },
  503: { description: 'UNAVAILABLE (the account is not running, storage trouble)', ...errorSchema },
};
