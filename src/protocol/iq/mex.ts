/**
 * xmlns="w:mex": Meta Exchange, WhatsApp's GraphQL over an IQ. The request
 * names a persisted query by id and carries its variables as JSON bytes; the
 * answer carries the GraphQL response as JSON bytes.
 *
 *   get <query query_id="…">{"variables": {…}}</query>
 *   → <result>{"data": {"<path>": …}} | {"errors": [{message, extensions: {error_code}}]}</result>
 *
 * A response with errors is the server refusing the operation (unknown
 * channel, not allowed): it becomes a MexError with the first error's code,
 * never a parse failure.
 */
import { IqParseError } from './errors.js';
import { bytesOf, childNode, node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export class MexError extends Error {
  override readonly name = 'MexError';
  readonly code = 'MEX_ERROR' as const;
  constructor(
    /** The first error's `extensions.error_code` (400 when it gives none). */
    readonly serverCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A MEX request as JSON: what the server reads from `<query>`. */
export function mexRequest(queryId: string, variables: Record<string, unknown>): { queryId: string; body: Uint8Array } {
  return { queryId, body: new TextEncoder().encode(JSON.stringify({ variables })) };
}

/**
 * A spec for one persisted query: `path` is the field under `data` that holds
 * the answer, `read` turns it into T.
 * @throws (parse) MexError when the response has errors; IqParseError when it is not JSON or lacks `data.<path>`
 */
export function mexSpec<T>(queryId: string, variables: Record<string, unknown>, path: string, read: (value: unknown) => T): IqSpec<T> {
  return {
    build: () => {
      const req = mexRequest(queryId, variables);
      return iq('w:mex', 'get', [node('query', { query_id: req.queryId }, req.body)]);
    },
    parse(result) {
      const bytes = bytesOf(childNode(result, 'result'));
      if (!bytes) throw new IqParseError('mex answer has no <result>');
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch (err) {
        throw new IqParseError('mex answer is not JSON', { cause: err });
      }
      const response = (json ?? {}) as { data?: Record<string, unknown> | null; errors?: Array<{ message?: string; extensions?: { error_code?: number } }> };
      const first = response.errors?.[0];
      if (first) throw new MexError(Number(first.extensions?.error_code ?? 400), first.message ?? 'mex error');
      const value = response.data?.[path];
      if (value === undefined) throw new IqParseError(`mex answer lacks data.${path}`);
      return read(value);
    },
  };
}
